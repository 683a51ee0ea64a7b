// RFC 8693 token exchange, the parts that decide: the form the proxy POSTs to the token endpoint and
// what its answer means. Pure; token-exchange.ts does the I/O and the caching. Follows ToolHive's
// pkg/oauthproto/tokenexchange: grant_type token-exchange, subject_token_type access_token unless
// configured, requested_token_type access_token, audience, scope space-separated; the client
// authenticates with HTTP Basic (RFC 6749 2.3.1) when it has a secret, else names itself in client_id.
import { OutgoingAuthError } from './failure.ts';
import { TOKEN_TYPE_PREFIX, type TokenExchangeSection } from './run-config.ts';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = `${TOKEN_TYPE_PREFIX}access_token`;

export function exchangeForm(section: TokenExchangeSection, subjectToken: string, hasSecret: boolean) {
  const form: Record<string, string> = {
    grant_type: TOKEN_EXCHANGE_GRANT,
    subject_token: subjectToken,
    subject_token_type: section.subjectTokenType ?? ACCESS_TOKEN_TYPE,
    requested_token_type: ACCESS_TOKEN_TYPE,
    audience: section.audience,
  };
  if (section.scopes?.length) form.scope = section.scopes.join(' ');
  if (section.clientId !== undefined && !hasSecret) form.client_id = section.clientId;
  return form;
}

/** HTTP Basic as RFC 6749 2.3.1 has it: both parts form-urlencoded first. */
export function basicAuthorization(clientId: string, secret: string): string {
  const encode = (s: string) => new URLSearchParams({ s }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

export interface ExchangedToken {
  token: string;
  /** When the token stops being valid, as the endpoint said (expires_in) or the JWT's exp; ms epoch. */
  expiresAtMs: number | undefined;
}

/** The exchanged token, or throws OutgoingAuthError naming what the endpoint said. */
export function readExchangeAnswer(status: number, json: unknown, nowMs: number): ExchangedToken {
  const body = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  if (status !== 200) {
    const error = typeof body.error === 'string' ? body.error : `HTTP ${status}`;
    const description = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
    throw new OutgoingAuthError(
      'refused',
      `the token endpoint refused the exchange (${error}${description})`,
    );
  }
  const token = body.access_token;
  if (typeof token !== 'string' || token === '')
    throw new OutgoingAuthError('malformed', 'the token endpoint answered without an access_token');
  // RFC 8693 2.2.1: both are required; ToolHive refuses answers without them too.
  if (typeof body.token_type !== 'string' || typeof body.issued_token_type !== 'string')
    throw new OutgoingAuthError(
      'malformed',
      'the token endpoint answered without token_type or issued_token_type',
    );
  const expiresIn = body.expires_in;
  const expiresAtMs =
    typeof expiresIn === 'number' && expiresIn > 0 ? nowMs + expiresIn * 1000 : jwtExpiryMs(token);
  return { token, expiresAtMs };
}

/** The exp of a JWT, read without verifying (the token is the server's to verify, not ours). */
function jwtExpiryMs(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (token.split('.').length !== 3 || !payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
