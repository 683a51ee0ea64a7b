// The checks on a token's claims once its origin is established (a JWT's signature, or the
// introspection endpoint's word), and the Caller they make. Pure: the clock is a parameter.
// Decisions:
// - A JWT must carry iss, aud, exp and sub; an introspection answer is checked for each of them only
//   where present (RFC 7662 makes them optional), except sub, which the caller's key needs (client_id
//   stands in for it, as for client_credentials grants).
// - exp and nbf get the configured leeway both ways; exp is not extended by caching (token-cache.ts
//   keeps a Caller only until exp).
// - kubernetesServiceAccount: the kube-apiserver signs tokens for any audience a pod asks for, so the
//   audience alone does not keep namespace B's pods out of namespace A's server. The token's namespace
//   (the `kubernetes.io` claim, and `sub` = system:serviceaccount:<ns>:<sa>) must be the configured one,
//   and the ServiceAccount too when one is named. When both claim and sub are there they must agree.
//   ToolHive has these fields in MCPOIDCConfig but does not enforce them.
import type { Caller } from '../caller.ts';
import type { RunConfigAuth } from '../config.ts';
import { fail, type AuthFailure } from './failure.ts';

export type Claims = Readonly<Record<string, unknown>>;

export interface ClaimRules {
  issuer: string;
  audiences: readonly string[];
  requiredScopes: readonly string[];
  skewSeconds: number;
  kubernetes?: RunConfigAuth['kubernetes'];
}

export const DEFAULT_SKEW_SECONDS = 60;

export function rulesOf(auth: RunConfigAuth): ClaimRules {
  return {
    issuer: auth.issuer,
    audiences: auth.audiences,
    requiredScopes: auth.requiredScopes ?? [],
    skewSeconds: auth.clockSkewSeconds ?? DEFAULT_SKEW_SECONDS,
    kubernetes: auth.kubernetes,
  };
}

/** 'jwt': every registered claim is required; 'introspection': checked where present. */
export type ClaimSource = 'jwt' | 'introspection';

/** The first check the claims fail, or undefined when they pass (scopes are checked apart: 403, not 401). */
export function claimsProblem(
  claims: Claims,
  rules: ClaimRules,
  source: ClaimSource,
  nowSeconds: number,
): AuthFailure | undefined {
  const strict = source === 'jwt';
  const present = (name: string) => strict || claims[name] !== undefined;
  if (present('iss') && claims.iss !== rules.issuer)
    return fail('issuer', 'the token was not issued by the expected issuer');
  if (present('aud') && !audienceMatches(claims.aud, rules.audiences))
    return fail('audience', 'the token is not meant for this resource (aud)');
  const time = timeProblem(claims, rules.skewSeconds, nowSeconds, present('exp'));
  if (time) return time;
  if (subjectOf(claims) === undefined) return fail('claims', 'the token names no subject (sub)');
  return rules.kubernetes ? serviceAccountProblem(claims, rules.kubernetes) : undefined;
}

function audienceMatches(aud: unknown, accepted: readonly string[]): boolean {
  const audiences: unknown[] = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  return audiences.some((a) => typeof a === 'string' && accepted.includes(a));
}

function timeProblem(claims: Claims, skew: number, now: number, needExp: boolean): AuthFailure | undefined {
  const { exp, nbf } = claims;
  if (needExp) {
    if (typeof exp !== 'number' || !Number.isFinite(exp))
      return fail('claims', 'the token has no valid exp claim');
    if (exp + skew <= now) return fail('expired', 'the token has expired');
  }
  if (nbf === undefined) return undefined;
  if (typeof nbf !== 'number' || !Number.isFinite(nbf))
    return fail('claims', 'the nbf claim is not a number');
  return nbf - skew > now ? fail('not-yet-valid', 'the token is not valid yet (nbf)') : undefined;
}

const SA_PREFIX = 'system:serviceaccount:';

/** The namespace and ServiceAccount a kube-apiserver token names, from its claim and its sub. */
export function serviceAccountOf(claims: Claims): ServiceAccount | 'conflict' | undefined {
  const sub = accountOfSub(claims.sub);
  const claim = accountOfClaim(claims['kubernetes.io']);
  if (claim && sub && (claim.namespace !== sub.namespace || claim.name !== sub.name)) return 'conflict';
  return claim ?? sub;
}

type ServiceAccount = { namespace: string; name: string };

function accountOfSub(sub: unknown): ServiceAccount | undefined {
  if (typeof sub !== 'string' || !sub.startsWith(SA_PREFIX)) return undefined;
  const parts = sub.slice(SA_PREFIX.length).split(':');
  return parts.length === 2 ? { namespace: parts[0]!, name: parts[1]! } : undefined;
}

function accountOfClaim(k8s: unknown): ServiceAccount | undefined {
  if (typeof k8s !== 'object' || k8s === null) return undefined;
  const { namespace, serviceaccount } = k8s as { namespace?: unknown; serviceaccount?: unknown };
  const name = (serviceaccount as { name?: unknown } | null | undefined)?.name;
  return typeof namespace === 'string' && typeof name === 'string' ? { namespace, name } : undefined;
}

function serviceAccountProblem(
  claims: Claims,
  wanted: NonNullable<RunConfigAuth['kubernetes']>,
): AuthFailure | undefined {
  const account = serviceAccountOf(claims);
  if (account === 'conflict')
    return fail('namespace', 'the token names two different ServiceAccounts (kubernetes.io and sub)');
  if (!account || account.namespace !== wanted.namespace)
    return fail('namespace', `only ServiceAccount tokens of namespace ${wanted.namespace} are accepted`);
  if (wanted.serviceAccount !== undefined && account.name !== wanted.serviceAccount)
    return fail('service-account', `only the ServiceAccount ${wanted.serviceAccount} is accepted`);
  return undefined;
}

/** sub, or client_id for introspection answers of client_credentials tokens that carry no sub. */
export function subjectOf(claims: Claims): string | undefined {
  if (typeof claims.sub === 'string' && claims.sub !== '') return claims.sub;
  if (typeof claims.client_id === 'string' && claims.client_id !== '') return claims.client_id;
  return undefined;
}

/** Scopes from `scope` (space-separated, RFC 8693/9068) or `scp` (an array, or a string, as Azure AD has it). */
export function scopesOf(claims: Claims): string[] {
  const { scope, scp } = claims;
  if (typeof scope === 'string') return scope.split(' ').filter((s) => s !== '');
  if (Array.isArray(scp)) return scp.filter((s): s is string => typeof s === 'string');
  if (typeof scp === 'string') return scp.split(' ').filter((s) => s !== '');
  return [];
}

export function missingScopes(scopes: readonly string[], required: readonly string[]): string[] {
  return required.filter((s) => !scopes.includes(s));
}

/** The Caller a verified token makes: key = issuer + newline + subject. */
export function callerOf(claims: Claims, issuer: string): Caller {
  const subject = subjectOf(claims)!;
  const iss = typeof claims.iss === 'string' ? claims.iss : issuer;
  return Object.freeze({
    key: `${iss}\n${subject}`,
    subject,
    issuer: iss,
    claims: Object.freeze({ ...claims }),
    scopes: Object.freeze(scopesOf(claims)),
  });
}
