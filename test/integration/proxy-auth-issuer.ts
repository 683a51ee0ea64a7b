// A real OpenID provider for the authentication tests: panva's oidc-provider (npm, the certified
// implementation) on 127.0.0.1, issuing access tokens by client_credentials with RFC 8707 resource
// indicators, as an MCP client's authorization server would. Its JWKS, introspection and revocation
// are its own; the test only picks the keys (so it can rotate them, or share them with a second issuer
// of another name) and the clients.
// Clients: each has a name, a secret, and what its tokens are like: format (jwt, or opaque for
// introspection), lifetime. Tokens get aud = the resource asked for, and the scopes asked for.
import { generateKeyPair, exportJWK, type JWK } from 'jose';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

export interface IssuerClient {
  id: string;
  secret: string;
  format?: 'jwt' | 'opaque';
  ttlSeconds?: number;
}

export interface TestIssuer {
  /** The issuer identifier, http://127.0.0.1:<port>. */
  url: string;
  port: number;
  /** The private signing keys it was started with (a second issuer may share them). */
  keys: JWK[];
  /** A client_credentials access token for the resource with the scopes (space-separated). */
  token(client: IssuerClient, resource: string, scope?: string): Promise<string>;
  /** Revokes a token (RFC 7009) as its client. */
  revoke(client: IssuerClient, token: string): Promise<void>;
  close(): Promise<void>;
}

export async function signingKeys(kid: string): Promise<JWK[]> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return [{ ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' }];
}

/** Starts a provider on port (0: any free one) with these signing keys and clients. */
export async function startIssuer(options: {
  keys: JWK[];
  clients: IssuerClient[];
  port?: number;
  scopes?: string[];
}): Promise<TestIssuer> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  const byId = new Map(options.clients.map((c) => [c.id, c]));
  const scopes = options.scopes ?? ['mcp:tools', 'mcp:admin'];
  const provider = new Provider(url, {
    jwks: { keys: options.keys },
    clients: options.clients.map((c) => ({
      client_id: c.id,
      client_secret: c.secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: scopes.join(' '),
    })),
    scopes,
    ttl: {
      ClientCredentials: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) =>
        token.resourceServer?.accessTokenTTL ?? 600,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: () => true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined as unknown as string,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string, client: { clientId: string }) => {
          const c = byId.get(client.clientId);
          return {
            scope: scopes.join(' '),
            audience: resource,
            accessTokenTTL: c?.ttlSeconds ?? 3600,
            accessTokenFormat: c?.format ?? 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
  });
  server.on('request', provider.callback());
  const basic = (c: IssuerClient) => `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`;
  const post = async (path: string, client: IssuerClient, form: Record<string, string>) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${text}`);
    return text;
  };
  return {
    url,
    port,
    keys: options.keys,
    async token(client, resource, scope) {
      const form: Record<string, string> = { grant_type: 'client_credentials', resource };
      if (scope !== undefined) form.scope = scope;
      return (JSON.parse(await post('/token', client, form)) as { access_token: string }).access_token;
    },
    async revoke(client, token) {
      await post('/token/revocation', client, { token });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
