// RFC 7662 token introspection for opaque (non-JWT) tokens: POST token=...&token_type_hint=access_token
// to introspectionUrl, authenticated as the client (HTTP Basic with clientId and the secret from
// clientSecretFile, form-encoded per RFC 6749 §2.3.1), else with authTokenFile's bearer (issuer-http.ts).
// The answer's `active` must be true; its other claims go through the same checks as a JWT's, where
// present (claims.ts). The secret is read once at start (a Secret change rolls the pod).
import { readFileSync } from 'node:fs';
import type { Claims } from './claims.ts';
import { fail, type AuthFailure } from './failure.ts';
import type { IssuerHttp } from './issuer-http.ts';

export interface IntrospectionOptions {
  introspectionUrl: string;
  clientId?: string;
  clientSecretFile?: string;
}

export type Introspect = (token: string) => Promise<Claims | AuthFailure>;

export function createIntrospection(http: IssuerHttp, options: IntrospectionOptions): Introspect {
  const headers: Record<string, string> = {};
  if (options.clientId !== undefined) {
    const secret = options.clientSecretFile ? readFileSync(options.clientSecretFile, 'utf8').trim() : '';
    const basic = `${formEncode(options.clientId)}:${formEncode(secret)}`;
    headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
  }
  return async (token) => {
    let answer;
    try {
      answer = await http.postForm(
        options.introspectionUrl,
        { token, token_type_hint: 'access_token' },
        headers,
      );
    } catch (err) {
      return unavailable(`introspection failed: ${(err as Error).message}`);
    }
    if (answer.status !== 200) return unavailable(`introspection answered HTTP ${answer.status}`);
    const body = answer.json;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return unavailable('introspection did not answer a JSON object');
    if ((body as { active?: unknown }).active !== true) return fail('inactive', 'the token is not active');
    return body as Claims;
  };
}

const unavailable = (detail: string): AuthFailure => ({
  ...fail('unavailable', 'the token cannot be checked now: introspection is unavailable'),
  detail,
});

/** application/x-www-form-urlencoded, as RFC 6749 §2.3.1 wants client credentials encoded for Basic. */
const formEncode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');
