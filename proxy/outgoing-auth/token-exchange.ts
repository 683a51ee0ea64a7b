// Token exchange toward the MCP server: each caller's token is exchanged at the configured token
// endpoint (RFC 8693) for one meant for the server, and the result is cached per caller (issuer +
// subject, caller.ts's key) until REFRESH_MARGIN_MS before it expires; concurrent requests of one
// caller share one exchange. A later request after that margin exchanges the caller's newest token
// again. The cache holds exchanged tokens, never subject tokens.
// ToolHive exchanges on every request (pkg/oauthproto/tokenexchange/middleware.go); caching is ours.
import type { IssuerHttp } from '../auth/issuer-http.ts';
import { basicAuthorization, exchangeForm, readExchangeAnswer } from './exchange-request.ts';
import { OutgoingAuthError } from './failure.ts';
import type { TokenExchangeSection } from './run-config.ts';

/** An exchanged token is exchanged again this long before its expiry, so none reaches the server stale. */
const REFRESH_MARGIN_MS = 30_000;
/** A token whose lifetime the endpoint did not say is kept this long. */
const UNKNOWN_LIFETIME_MS = 60_000;
const MAX_ENTRIES = 10_000;

export interface TokenExchangerOptions {
  section: TokenExchangeSection;
  http: IssuerHttp;
  clientSecret?: string;
  now?: () => number;
  /** Called after each exchange at the endpoint: 'exchanged', or the failure's reason. */
  counted?: (outcome: string) => void;
}

export class TokenExchanger {
  private readonly options: TokenExchangerOptions;
  private readonly now: () => number;
  private readonly cache = new Map<string, { token: string; refreshAtMs: number }>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(options: TokenExchangerOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** The exchanged token for key (a caller), exchanging subjectToken when none is cached or fresh. */
  token(key: string, subjectToken: string): Promise<string> {
    const cached = this.cache.get(key);
    if (cached && cached.refreshAtMs > this.now()) return Promise.resolve(cached.token);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const exchange = this.exchange(key, subjectToken).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, exchange);
    return exchange;
  }

  private async exchange(key: string, subjectToken: string): Promise<string> {
    const { section, http, clientSecret, counted } = this.options;
    const headers: Record<string, string> =
      section.clientId !== undefined && clientSecret !== undefined
        ? { authorization: basicAuthorization(section.clientId, clientSecret) }
        : {};
    const form = exchangeForm(section, subjectToken, clientSecret !== undefined);
    try {
      const answer = await http.postForm(section.tokenUrl, form, headers).catch((err: Error) => {
        throw new OutgoingAuthError('unreachable', `the token endpoint did not answer: ${err.message}`);
      });
      const exchanged = readExchangeAnswer(answer.status, answer.json, this.now());
      this.remember(key, exchanged.token, exchanged.expiresAtMs);
      counted?.('exchanged');
      return exchanged.token;
    } catch (err) {
      counted?.(err instanceof OutgoingAuthError ? err.reason : 'malformed');
      throw err;
    }
  }

  private remember(key: string, token: string, expiresAtMs: number | undefined): void {
    const now = this.now();
    const lifetime = expiresAtMs === undefined ? UNKNOWN_LIFETIME_MS : expiresAtMs - now;
    // A short-lived token is kept for half its life rather than not at all.
    const keep = lifetime > 2 * REFRESH_MARGIN_MS ? lifetime - REFRESH_MARGIN_MS : lifetime / 2;
    if (keep <= 0) return;
    this.cache.delete(key);
    this.cache.set(key, { token, refreshAtMs: now + keep });
    while (this.cache.size > MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
  }
}
