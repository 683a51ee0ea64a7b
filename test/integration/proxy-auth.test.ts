// The proxy as an OAuth 2.1 resource server, against a real OpenID provider (oidc-provider, npm) that
// issues client_credentials access tokens with RFC 8707 resource indicators: JWTs checked against its
// JWKS, opaque tokens through its RFC 7662 introspection. A real stdio MCP server (server-everything)
// behind the proxy; the SDK client in front where the exchange succeeds, raw requests where the test
// looks at status codes and WWW-Authenticate. No token here is made by the test: each comes from the
// provider (and the bad-signature one is one of those with a byte changed).
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StartedProxy } from '../../proxy/proxy.ts';
import { EVERYTHING, firstText, freePort, nodeCommand } from '../unit/proxy/support/servers.ts';
import { signingKeys, startIssuer, type IssuerClient, type TestIssuer } from './proxy-auth-issuer.ts';
import {
  INITIALIZE,
  bearer,
  connectWithToken,
  rawPost,
  startAuthProxy,
  tampered,
} from './proxy-auth-support.ts';

const X: IssuerClient = { id: 'tenant-x', secret: 'x-secret-0123456789abcdef0123456789' };
const Y: IssuerClient = { id: 'tenant-y', secret: 'y-secret-0123456789abcdef0123456789' };
const SHORT: IssuerClient = { id: 'short-lived', secret: 's-secret-0123456789abcdef01234567', ttlSeconds: 1 };
const OPAQUE: IssuerClient = {
  id: 'opaque',
  secret: 'o-secret-0123456789abcdef0123456789',
  format: 'opaque',
};
const PROXY_CLIENT: IssuerClient = { id: 'mcp-proxy', secret: 'p-secret-0123456789abcdef012345678' };
const CLIENTS = [X, Y, SHORT, OPAQUE, PROXY_CLIENT];
const SCOPE = 'mcp:tools';

describe('proxy authentication with a real OpenID provider', function () {
  this.timeout(60_000);
  let issuer: TestIssuer;
  let proxy: StartedProxy;
  let resource: string;
  let metadataUrl: string;

  before(async () => {
    issuer = await startIssuer({ keys: await signingKeys('key-1'), clients: CLIENTS });
    const port = await freePort();
    resource = `http://127.0.0.1:${port}/mcp`;
    metadataUrl = `http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`;
    const dir = mkdtempSync(path.join(tmpdir(), 'proxy-auth-'));
    const secretFile = path.join(dir, 'client-secret');
    writeFileSync(secretFile, `${PROXY_CLIENT.secret}\n`);
    proxy = await startAuthProxy(
      port,
      {
        issuer: issuer.url,
        audiences: [resource],
        resourceUrl: resource,
        scopesSupported: [SCOPE, 'mcp:admin'],
        requiredScopes: [SCOPE],
        introspectionUrl: `${issuer.url}/token/introspection`,
        clientId: PROXY_CLIENT.id,
        clientSecretFile: secretFile,
        insecureAllowHTTP: true,
        clockSkewSeconds: 0,
      },
      { kind: 'command', command: nodeCommand(EVERYTHING) },
    );
  });

  after(async () => {
    await proxy?.close();
    await issuer?.close();
  });

  it('answers no token with 401, the metadata address, and serves that document openly', async () => {
    const answer = await rawPost(proxy.url, INITIALIZE);
    expect(answer.status).to.equal(401);
    expect(answer.challenge).to.equal(`Bearer resource_metadata="${metadataUrl}", scope="${SCOPE}"`);
    expect(JSON.parse(answer.body)).to.have.nested.property('error.code', -32600);
    const document = await (await fetch(metadataUrl)).json();
    expect(document).to.deep.equal({
      resource,
      authorization_servers: [issuer.url],
      scopes_supported: [SCOPE, 'mcp:admin'],
      bearer_methods_supported: ['header'],
      resource_name: 'auth-test',
    });
    expect((await fetch(`${proxy.url}/.well-known/oauth-protected-resource`)).status).to.equal(200);
    expect((await fetch(`${proxy.url}/health`)).status).to.be.oneOf([200, 503]);
    const refused = await connectWithToken(proxy.url, undefined).then(
      () => 'connected',
      (err: Error) => err.message,
    );
    expect(refused).to.match(/Unauthorized: no bearer token/);
  });

  it("accepts the provider's JWT for this resource: the SDK client lists and calls tools", async () => {
    const { client } = await connectWithToken(proxy.url, await issuer.token(X, resource, SCOPE));
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).to.include('echo');
    const result = await client.callTool({ name: 'echo', arguments: { message: 'hello' } });
    expect(firstText(result)).to.equal('Echo: hello');
    await client.close();
  });

  const refusals: Record<string, { token: () => Promise<string>; error: RegExp }> = {
    'a token for another resource (audience)': {
      token: () => issuer.token(X, 'http://127.0.0.1:1/other-mcp', SCOPE),
      error: /error="invalid_token", error_description="the token is not meant for this resource \(aud\)"/,
    },
    'a tampered signature': {
      token: async () => tampered(await issuer.token(X, resource, SCOPE)),
      error: /error_description="the token signature does not verify"/,
    },
    'an unknown opaque token': {
      token: () => Promise.resolve('this-is-no-token-the-provider-issued'),
      error: /error_description="the token is not active"/,
    },
    'an opaque token that was revoked': {
      token: async () => {
        const token = await issuer.token(OPAQUE, resource, SCOPE);
        await issuer.revoke(OPAQUE, token);
        return token;
      },
      error: /error_description="the token is not active"/,
    },
    'a JWT that has expired': {
      token: async () => {
        const token = await issuer.token(SHORT, resource, SCOPE);
        await new Promise((resolve) => setTimeout(resolve, 2100));
        return token;
      },
      error: /error_description="the token has expired"/,
    },
  };
  for (const [name, c] of Object.entries(refusals)) {
    it(`refuses ${name} with 401 invalid_token`, async () => {
      const answer = await rawPost(proxy.url, INITIALIZE, bearer(await c.token()));
      expect(answer.status, answer.body).to.equal(401);
      expect(answer.challenge).to.match(c.error);
      expect(answer.challenge).to.contain(`resource_metadata="${metadataUrl}"`);
    });
  }

  it('refuses a token of another issuer signed with the same keys (iss)', async () => {
    const other = await startIssuer({ keys: issuer.keys, clients: CLIENTS });
    try {
      const answer = await rawPost(proxy.url, INITIALIZE, bearer(await other.token(X, resource, SCOPE)));
      expect(answer.status).to.equal(401);
      expect(answer.challenge).to.match(
        /error_description="the token was not issued by the expected issuer"/,
      );
    } finally {
      await other.close();
    }
  });

  it("refuses a token signed with a key the issuer's JWKS does not hold (unknown kid), after refetching it", async () => {
    const other = await startIssuer({ keys: await signingKeys('key-unknown'), clients: CLIENTS });
    try {
      const answer = await rawPost(proxy.url, INITIALIZE, bearer(await other.token(X, resource, SCOPE)));
      expect(answer.status).to.equal(401);
      expect(answer.challenge).to.match(
        /error="invalid_token", error_description="the token's key \(kid\) is not among the issuer's keys"/,
      );
    } finally {
      await other.close();
    }
  });

  it('refuses a token without the required scope with 403 insufficient_scope', async () => {
    const answer = await rawPost(proxy.url, INITIALIZE, bearer(await issuer.token(X, resource)));
    expect(answer.status).to.equal(403);
    expect(answer.challenge).to.equal(
      `Bearer resource_metadata="${metadataUrl}", error="insufficient_scope", ` +
        `error_description="the token lacks the scopes ${SCOPE}", scope="${SCOPE}"`,
    );
  });

  it('accepts an opaque token through introspection', async () => {
    const { client } = await connectWithToken(proxy.url, await issuer.token(OPAQUE, resource, SCOPE));
    expect(firstText(await client.callTool({ name: 'echo', arguments: { message: 'opaque' } }))).to.equal(
      'Echo: opaque',
    );
    await client.close();
  });

  it('answers another caller on a session with 404, as if it did not exist; its owner goes on', async () => {
    const { client, sessionId } = await connectWithToken(proxy.url, await issuer.token(X, resource, SCOPE));
    const list = { jsonrpc: '2.0', id: 7, method: 'tools/list' };
    const asY = await rawPost(proxy.url, list, {
      ...bearer(await issuer.token(Y, resource, SCOPE)),
      'mcp-session-id': sessionId!,
    });
    expect(asY.status).to.equal(404);
    expect(asY.body).to.contain('Session not found');
    const asX = await rawPost(proxy.url, list, {
      ...bearer(await issuer.token(X, resource, SCOPE)),
      'mcp-session-id': sessionId!,
    });
    expect(asX.status).to.equal(200);
    expect(asX.body).to.contain('"echo"');
    await client.close();
  });

  it('serves the SSE front to a token holder only', async () => {
    expect((await fetch(`${proxy.url}/sse`, { headers: { accept: 'text/event-stream' } })).status).to.equal(
      401,
    );
    const { client } = await connectWithToken(proxy.url, await issuer.token(X, resource, SCOPE), 'sse');
    expect(firstText(await client.callTool({ name: 'echo', arguments: { message: 'sse' } }))).to.equal(
      'Echo: sse',
    );
    await client.close();
  });

  it('counts refusals by reason in /metrics', async () => {
    const text = await (await fetch(`${proxy.url}/metrics`)).text();
    for (const reason of [
      'missing',
      'audience',
      'signature',
      'inactive',
      'expired',
      'issuer',
      'unknown-key',
      'scope',
    ])
      expect(text).to.match(new RegExp(`mcp_proxy_auth_failures_total\\{reason="${reason}"\\} [1-9]`));
  });

  it("picks up the provider's new keys (unknown kid) without a restart of the proxy", async () => {
    const before = await issuer.token(X, resource, SCOPE);
    expect((await rawPost(proxy.url, INITIALIZE, bearer(before))).status).to.equal(200);
    const port = issuer.port;
    await issuer.close();
    issuer = await startIssuer({ keys: await signingKeys('key-2'), clients: CLIENTS, port });
    await new Promise((resolve) => setTimeout(resolve, 250)); // past the test's 200 ms cooldown
    const rotated = await issuer.token(X, resource, SCOPE);
    const { client } = await connectWithToken(proxy.url, rotated);
    expect(firstText(await client.callTool({ name: 'echo', arguments: { message: 'rotated' } }))).to.equal(
      'Echo: rotated',
    );
    await client.close();
  });
});
