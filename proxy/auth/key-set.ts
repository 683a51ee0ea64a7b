// The issuer's signing keys: the JWKS, found by discovery when not configured, fetched through
// issuer-http.ts and handed to jose's createLocalJWKSet. jose's own remote set goes through fetch
// (and so undici); this is the same policy over node:https.
// Decisions:
// - Keys are fetched on first use, not at start: an issuer that starts after the proxy is fine.
// - A token naming a kid the set lacks makes one refetch, at most once per cooldown (30 s) since the
//   last fetch, so a flood of made-up kids costs the issuer one request per cooldown; keys are also
//   refetched when older than maxAge (10 min), whatever the tokens say.
// - A failed fetch is retried no sooner than retryMs (2 s); meanwhile tokens are answered 503
//   ('unavailable'), and the failure is logged once per outage, not per request.
// - Discovery: <issuer>/.well-known/openid-configuration, then RFC 8414's
//   /.well-known/oauth-authorization-server/<issuer path>; its jwks_uri must pass the same http(s) rule.
import {
  createLocalJWKSet,
  errors,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  type FlattenedJWSInput,
} from 'jose';
import type { Logger } from '../../lib/log.ts';
import type { IssuerHttp } from './issuer-http.ts';

type Resolver = ReturnType<typeof createLocalJWKSet>;
export type KeyLookup = (header: JWSHeaderParameters, token: FlattenedJWSInput) => ReturnType<Resolver>;

export interface KeySetOptions {
  issuer: string;
  jwksUrl?: string;
  cooldownMs?: number;
  maxAgeMs?: number;
  retryMs?: number;
  now?: () => number;
}

/** The keys could not be fetched: the token could not be checked (503), which is not the token's fault. */
export class KeysUnavailable extends Error {}

export class KeySet {
  private readonly http: IssuerHttp;
  private readonly log: Logger;
  private readonly options: Required<Omit<KeySetOptions, 'jwksUrl'>> & { jwksUrl?: string };
  private resolver: Resolver | undefined;
  private fetchedAt = -Infinity;
  private failedAt = -Infinity;
  private lastError: Error | undefined;
  private pending: Promise<void> | undefined;
  private jwksUrl: string | undefined;

  constructor(http: IssuerHttp, log: Logger, options: KeySetOptions) {
    this.http = http;
    this.log = log;
    // `?? default` each, not a spread: an option passed as undefined must not erase its default.
    this.options = {
      issuer: options.issuer,
      cooldownMs: options.cooldownMs ?? 30_000,
      maxAgeMs: options.maxAgeMs ?? 600_000,
      retryMs: options.retryMs ?? 2000,
      now: options.now ?? Date.now,
    };
    this.jwksUrl = options.jwksUrl;
  }

  /** The key lookup jose's verify functions call with the token's protected header. */
  readonly lookup: KeyLookup = async (header, token) => {
    const now = this.options.now();
    if (!this.resolver || now - this.fetchedAt > this.options.maxAgeMs) await this.refresh();
    try {
      return await this.resolver!(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      if (this.options.now() - this.fetchedAt < this.options.cooldownMs) throw err;
      await this.refresh();
      return this.resolver!(header, token);
    }
  };

  /** Fetches the keys now (one fetch at a time), unless the last failure is under retryMs old. */
  private async refresh(): Promise<void> {
    if (this.pending) return this.pending;
    if (this.options.now() - this.failedAt < this.options.retryMs) {
      if (this.resolver) return;
      throw new KeysUnavailable(`the issuer's keys are unavailable: ${this.lastError?.message ?? 'unknown'}`);
    }
    this.pending = this.fetchKeys().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async fetchKeys(): Promise<void> {
    try {
      const url = this.jwksUrl ?? (this.jwksUrl = await this.discover());
      const answer = await this.http.get(url);
      if (answer.status !== 200) throw new Error(`${url} answered HTTP ${answer.status}`);
      const set = answer.json as JSONWebKeySet;
      if (!Array.isArray(set?.keys)) throw new Error(`${url} did not answer a JSON Web Key Set`);
      this.resolver = createLocalJWKSet(set);
      this.fetchedAt = this.options.now();
      if (this.lastError) this.log.info({ jwksUrl: url }, 'Fetched the issuer keys again');
      this.lastError = undefined;
      this.log.debug({ jwksUrl: url, keys: set.keys.length }, 'Fetched the issuer keys');
    } catch (err) {
      this.failedAt = this.options.now();
      if (!this.lastError)
        this.log.warn({ err, issuer: this.options.issuer }, 'Cannot fetch the issuer keys (JWKS)');
      this.lastError = err as Error;
      if (!this.resolver)
        throw new KeysUnavailable(`the issuer's keys are unavailable: ${(err as Error).message}`);
    }
  }

  /** The jwks_uri from the issuer's OpenID configuration, else its RFC 8414 metadata. */
  private async discover(): Promise<string> {
    const issuer = new URL(this.options.issuer);
    const base = this.options.issuer.replace(/\/$/, '');
    const path = issuer.pathname === '/' ? '' : issuer.pathname.replace(/\/$/, '');
    const candidates = [
      `${base}/.well-known/openid-configuration`,
      `${issuer.origin}/.well-known/oauth-authorization-server${path}`,
    ];
    const problems: string[] = [];
    for (const url of candidates) {
      try {
        const answer = await this.http.get(url);
        const jwksUri = (answer.json as { jwks_uri?: unknown } | undefined)?.jwks_uri;
        if (answer.status === 200 && typeof jwksUri === 'string') return jwksUri;
        problems.push(`${url}: HTTP ${answer.status}${answer.status === 200 ? ', no jwks_uri' : ''}`);
      } catch (err) {
        problems.push(`${url}: ${(err as Error).message}`);
      }
    }
    throw new Error(`no jwks_uri found by discovery (${problems.join('; ')})`);
  }
}
