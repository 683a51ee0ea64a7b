// A bearer token to a Caller, or the reason it is not accepted. JWTs (three base64url parts) are
// verified locally: jose checks the JWS signature against the issuer's keys (key-set.ts) with the
// allowed algorithms, then claims.ts checks iss, aud, exp, nbf and the ServiceAccount. Other tokens go
// to introspection when configured, else are refused. Verified callers are cached (token-cache.ts);
// concurrent first uses of one token share one verification.
// Algorithms: algorithms.ts.
import { compactVerify } from 'jose';
import type { Logger } from '../../lib/log.ts';
import type { Caller } from '../caller.ts';
import type { RunConfigAuth } from '../config.ts';
import { callerOf, claimsProblem, missingScopes, rulesOf, type ClaimRules, type Claims } from './claims.ts';
import { fail, isFailure, type AuthFailure } from './failure.ts';
import { allowedAlgorithms } from './algorithms.ts';
import { createIntrospection, type Introspect } from './introspection.ts';
import { createIssuerHttp, type IssuerHttp } from './issuer-http.ts';
import { KeySet, KeysUnavailable } from './key-set.ts';
import { TokenCache, tokenKey } from './token-cache.ts';

/** Introspected tokens are re-asked at least this often, so a revocation is seen within it. */
const OPAQUE_CACHE_MS = 30_000;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const decoder = new TextDecoder('utf-8', { fatal: true });

export interface Verifier {
  /** The caller a token proves, or why not (scopes included: reason 'scope'). */
  verify(token: string): Promise<Caller | AuthFailure>;
  close(): void;
}

export interface VerifierOptions {
  /** How long an unknown kid waits before the keys are refetched; 30 s unless a test says otherwise. */
  jwksCooldownMs?: number;
  now?: () => number;
}

export function createVerifier(auth: RunConfigAuth, log: Logger, options: VerifierOptions = {}): Verifier {
  const now = options.now ?? Date.now;
  const http: IssuerHttp = createIssuerHttp(auth);
  const keys = new KeySet(http, log, {
    issuer: auth.issuer,
    jwksUrl: auth.jwksUrl,
    cooldownMs: options.jwksCooldownMs,
    now,
  });
  const introspect: Introspect | undefined = auth.introspectionUrl
    ? createIntrospection(http, {
        introspectionUrl: auth.introspectionUrl,
        clientId: auth.clientId,
        clientSecretFile: auth.clientSecretFile,
      })
    : undefined;
  const rules: ClaimRules = rulesOf(auth);
  const algorithms = allowedAlgorithms(auth.algorithms);
  const cache = new TokenCache({ now });
  const inFlight = new Map<string, Promise<Caller | AuthFailure>>();

  const checked = (claims: Claims, source: 'jwt' | 'introspection'): Caller | AuthFailure =>
    claimsProblem(claims, rules, source, now() / 1000) ?? callerOf(claims, auth.issuer);

  const verifyJwt = async (token: string): Promise<Caller | AuthFailure> => {
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(token, keys.lookup, { algorithms }));
    } catch (err) {
      return joseFailure(err);
    }
    let claims: unknown;
    try {
      claims = JSON.parse(decoder.decode(payload));
    } catch {
      return fail('malformed', 'the token payload is not JSON');
    }
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
      return fail('malformed', 'the token payload is not a JSON object');
    return checked(claims as Claims, 'jwt');
  };

  const verifyOpaque = async (token: string): Promise<Caller | AuthFailure> => {
    if (!introspect)
      return fail('no-introspection', 'the token is not a JWT and no introspection is configured');
    const answer = await introspect(token);
    return isFailure(answer) ? answer : checked(answer, 'introspection');
  };

  const untilOf = (caller: Caller, opaque: boolean): number => {
    const exp = caller.claims.exp;
    const byExp = typeof exp === 'number' ? (exp + rules.skewSeconds) * 1000 : Infinity;
    return opaque ? Math.min(byExp, now() + OPAQUE_CACHE_MS) : byExp;
  };

  const verifyUncached = (key: string, token: string): Promise<Caller | AuthFailure> => {
    const opaque = !JWT_SHAPE.test(token);
    const started = (opaque ? verifyOpaque(token) : verifyJwt(token)).then((result) => {
      if (!isFailure(result)) cache.set(key, result, untilOf(result, opaque));
      return result;
    });
    inFlight.set(key, started);
    return started.finally(() => inFlight.delete(key));
  };

  return {
    async verify(token) {
      const key = tokenKey(token);
      const caller = cache.get(key) ?? (await (inFlight.get(key) ?? verifyUncached(key, token)));
      if (isFailure(caller)) return caller;
      const missing = missingScopes(caller.scopes, rules.requiredScopes);
      if (missing.length === 0) return caller;
      return {
        reason: 'scope',
        description: `the token lacks the scopes ${missing.join(' ')}`,
        missingScopes: missing,
      };
    },
    close: () => http.close(),
  };
}

const UNAVAILABLE = "the token cannot be checked now: the issuer's keys are unavailable";

function joseFailure(err: unknown): AuthFailure {
  if (err instanceof KeysUnavailable) return { ...fail('unavailable', UNAVAILABLE), detail: err.message };
  const code = (err as { code?: unknown }).code;
  switch (code) {
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return fail('algorithm', 'the token is signed with an algorithm that is not accepted');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return fail('signature', 'the token signature does not verify');
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return fail('unknown-key', "the token's key (kid) is not among the issuer's keys");
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return fail('unknown-key', "several of the issuer's keys match the token; it names no kid");
    default:
      return fail('malformed', 'the token is not a well-formed JWS');
  }
}
