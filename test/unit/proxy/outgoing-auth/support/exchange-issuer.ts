// A real OpenID provider that does RFC 8693 token exchange, for the outgoing-auth tests. oidc-provider
// (npm, panva's certified implementation) 9.x has no token-exchange grant of its own, so this harness
// registers one with its public registerGrantType: oidc-provider parses the request, authenticates the
// exchanging client (client_secret_basic, its own check) and rejects clients not allowed the grant; the
// handler here verifies the subject token for real (signature against the provider's published JWKS,
// issuer, expiry, with jose) and mints a real RS256 access token signed with the provider's key (sub:
// the subject's, aud: the audience asked for, act: the exchanging client). Callers' tokens come from
// oidc-provider's own client_credentials grant, as JWTs.
import {
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JWK,
} from 'jose';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

export interface Client {
  id: string;
  secret: string;
}

export interface ExchangeIssuer {
  url: string;
  tokenUrl: string;
  /** A client_credentials JWT access token for client, audience resource. */
  token(client: Client, resource: string): Promise<string>;
  /** Exchanges the provider answered (successful ones). */
  exchanges: { subject: string; audience: string; scope?: string }[];
  close(): Promise<void>;
}

interface GrantContext {
  oidc: { params: Record<string, string | undefined>; client: { clientId: string } };
  status: number;
  body: unknown;
}
type Registering = {
  registerGrantType(name: string, handler: (ctx: GrantContext) => Promise<void>, params: string[]): void;
};

export async function startExchangeIssuer(options: {
  callers: Client[];
  exchangers: Client[];
  exchangedTtlSeconds: number;
}): Promise<ExchangeIssuer> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  const signingKey = await importJWK(jwk, 'RS256');
  const provider = new Provider(url, {
    jwks: { keys: [jwk] },
    clients: [
      ...options.callers.map((c) => ({ ...client(c), grant_types: ['client_credentials'] })),
      ...options.exchangers.map((c) => ({ ...client(c), grant_types: [TOKEN_EXCHANGE] })),
    ],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined as unknown as string,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => ({
          scope: '',
          audience: resource,
          accessTokenTTL: 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
  });
  const keys = createRemoteJWKSet(new URL(`${url}/jwks`));
  const exchanges: ExchangeIssuer['exchanges'] = [];
  const refuse = (ctx: GrantContext, error: string, description: string) => {
    ctx.status = 400;
    ctx.body = { error, error_description: description };
  };
  (provider as unknown as Registering).registerGrantType(
    TOKEN_EXCHANGE,
    async (ctx) => {
      const { subject_token: subjectToken, subject_token_type: type, audience, scope } = ctx.oidc.params;
      if (type !== ACCESS_TOKEN)
        return refuse(ctx, 'invalid_request', 'subject_token_type must be access_token');
      if (!subjectToken || !audience)
        return refuse(ctx, 'invalid_request', 'subject_token and audience are required');
      let sub: string;
      try {
        sub = String((await jwtVerify(subjectToken, keys, { issuer: url })).payload.sub);
      } catch (err) {
        return refuse(ctx, 'invalid_grant', `subject_token: ${(err as Error).message}`);
      }
      const ttl = options.exchangedTtlSeconds;
      const token = await new SignJWT({
        client_id: ctx.oidc.client.clientId,
        act: { sub: ctx.oidc.client.clientId },
        ...(scope ? { scope } : {}),
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'key-1', typ: 'at+jwt' })
        .setIssuer(url)
        .setSubject(sub)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttl)
        .setJti(randomUUID())
        .sign(signingKey);
      exchanges.push({ subject: sub, audience, ...(scope ? { scope } : {}) });
      ctx.body = {
        access_token: token,
        issued_token_type: ACCESS_TOKEN,
        token_type: 'Bearer',
        expires_in: ttl,
      };
    },
    ['subject_token', 'subject_token_type', 'requested_token_type', 'audience', 'scope', 'resource'],
  );
  server.on('request', provider.callback());
  return {
    url,
    tokenUrl: `${url}/token`,
    exchanges,
    async token(c, resource) {
      const res = await fetch(`${url}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource }).toString(),
      });
      const body = (await res.json()) as { access_token?: string };
      if (!res.ok || !body.access_token) throw new Error(`token answered ${res.status}`);
      return body.access_token;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const client = (c: Client) => ({
  client_id: c.id,
  client_secret: c.secret,
  redirect_uris: [],
  response_types: [],
});
