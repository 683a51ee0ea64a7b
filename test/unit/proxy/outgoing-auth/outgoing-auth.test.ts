// Outgoing authentication end to end: the SDK client, the proxy (runProxy, both fronts), and a real
// streamable-HTTP MCP server (the SDK's) that records every request's headers and answers `whoami`
// with the Authorization it was called with. Token exchange runs against a real OpenID provider
// (support/exchange-issuer.ts: oidc-provider with an RFC 8693 grant registered by this harness).
import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { silentLogger } from '../../../../lib/log.ts';
import {
  allowedNames,
  checkRunConfigFile,
  DEFAULT_LIMITS,
  type ProxyConfig,
} from '../../../../proxy/config.ts';
import type { RunConfigOutgoingAuth } from '../../../../proxy/outgoing-auth/run-config.ts';
import { runProxy, type StartedProxy } from '../../../../proxy/proxy.ts';
import { firstText, freePort } from '../support/servers.ts';
import {
  startExchangeIssuer,
  type Client as IssuerClient,
  type ExchangeIssuer,
} from './support/exchange-issuer.ts';
import { startRecordingServer, type RecordingServer } from './support/recording-server.ts';

const ALICE: IssuerClient = { id: 'alice-app', secret: 'alice-secret-0123456789abcdef012345' };
const PROXY: IssuerClient = { id: 'mcp-proxy', secret: 'proxy-secret-0123456789abcdef012345' };
const ENV = {
  HEADER_VALUE: 'header-secret-value',
  BEARER: 'static-bearer-token',
  CLIENT_SECRET: PROXY.secret,
};

async function startProxy(
  upstream: RecordingServer,
  outgoingAuth: RunConfigOutgoingAuth,
  options: { issuer?: ExchangeIssuer; env?: NodeJS.ProcessEnv } = {},
): Promise<StartedProxy & { resource: string }> {
  const port = await freePort();
  const resource = `http://127.0.0.1:${port}/mcp`;
  const config: ProxyConfig = {
    name: 'outgoing-auth-test',
    transport: 'streamable-http',
    host: '127.0.0.1',
    port,
    target: { kind: 'http', url: upstream.url },
    allowed: allowedNames(undefined, undefined, [], []),
    limits: { ...DEFAULT_LIMITS, pingIntervalMs: 200 },
    outgoingAuth,
    ...(options.issuer
      ? {
          auth: {
            issuer: options.issuer.url,
            audiences: [resource],
            resourceUrl: resource,
            scopesSupported: [],
            requiredScopes: [],
            insecureAllowHTTP: true,
          },
        }
      : {}),
  };
  const proxy = await runProxy(config, {
    log: silentLogger(),
    processMetrics: false,
    env: options.env ?? ENV,
  });
  return Object.assign(proxy, { resource });
}

async function connect(proxyUrl: string, token?: string, front: 'mcp' | 'sse' = 'mcp'): Promise<Client> {
  const requestInit = token ? { headers: { Authorization: `Bearer ${token}` } } : undefined;
  const client = new Client({ name: 'outgoing-auth-test', version: '1.0.0' });
  await client.connect(
    front === 'sse'
      ? new SSEClientTransport(new URL(`${proxyUrl}/sse`), { requestInit })
      : new StreamableHTTPClientTransport(new URL(`${proxyUrl}/mcp`), { requestInit }),
  );
  return client;
}

const whoami = async (client: Client) => firstText(await client.callTool({ name: 'whoami', arguments: {} }));

describe('proxy/outgoing-auth: what the proxy sends the MCP server', function () {
  this.timeout(30_000);
  let upstream: RecordingServer;
  let issuer: ExchangeIssuer;

  before(async () => {
    upstream = await startRecordingServer();
    issuer = await startExchangeIssuer({ callers: [ALICE], exchangers: [PROXY], exchangedTtlSeconds: 3600 });
  });
  after(async () => {
    await upstream?.close();
    await issuer?.close();
  });

  it('headerInjection: every upstream request carries the header with the value from the environment', async () => {
    const proxy = await startProxy(upstream, {
      type: 'headerInjection',
      headerName: 'X-API-Key',
      valueEnv: 'HEADER_VALUE',
    });
    try {
      const before = upstream.headers.length;
      const client = await connect(proxy.url);
      expect(await whoami(client)).to.equal('');
      await client.close();
      const seen = upstream.headers.slice(before);
      expect(seen.length).to.be.at.least(3);
      for (const headers of seen) {
        expect(headers['x-api-key']).to.equal('header-secret-value');
        expect(headers).not.to.have.property('authorization');
      }
    } finally {
      await proxy.close();
    }
  });

  it("bearerToken: the server gets Authorization: Bearer <the Secret's token>, never the client's", async () => {
    const proxy = await startProxy(upstream, { type: 'bearerToken', tokenEnv: 'BEARER' }, { issuer });
    try {
      const token = await issuer.token(ALICE, proxy.resource);
      const before = upstream.headers.length;
      const client = await connect(proxy.url, token);
      expect(await whoami(client)).to.equal('Bearer static-bearer-token');
      await client.close();
      for (const headers of upstream.headers.slice(before)) {
        expect(headers.authorization).to.equal('Bearer static-bearer-token');
        expect(JSON.stringify(headers)).not.to.contain(token.split('.')[2]!);
      }
    } finally {
      await proxy.close();
    }
  });

  it('a proxy whose Secret variable is not set does not start, naming the field', async () => {
    let error: Error | undefined;
    await startProxy(upstream, { type: 'bearerToken', tokenEnv: 'NOT_SET' }, { env: {} }).then(
      (p) => p.close(),
      (err: Error) => (error = err),
    );
    expect(error?.message).to.equal('outgoingAuth.tokenEnv: environment variable NOT_SET is not set');
  });

  describe('tokenExchange (RFC 8693) against the OpenID provider', () => {
    const exchange = (extra: Partial<RunConfigOutgoingAuth> = {}): RunConfigOutgoingAuth =>
      ({
        type: 'tokenExchange',
        tokenUrl: issuer.tokenUrl,
        audience: 'backend-api',
        clientId: PROXY.id,
        clientSecretEnv: 'CLIENT_SECRET',
        scopes: ['read', 'write'],
        insecureAllowHTTP: true,
        ...extra,
      }) as RunConfigOutgoingAuth;

    for (const front of ['mcp', 'sse'] as const) {
      it(`through /${front}: the server gets the exchanged token (sub the caller's, aud the audience), exchanged once per caller`, async () => {
        const proxy = await startProxy(upstream, exchange(), { issuer });
        try {
          const token = await issuer.token(ALICE, proxy.resource);
          const exchangesBefore = issuer.exchanges.length;
          const before = upstream.headers.length;
          const client = await connect(proxy.url, token, front);
          const seenByTool = await whoami(client);
          expect(await whoami(client)).to.equal(seenByTool);
          await client.close();
          const exchanged = seenByTool.replace(/^Bearer /, '');
          expect(exchanged).not.to.equal(token);
          const claims = decodeJwt(exchanged);
          expect(claims).to.include({
            iss: issuer.url,
            sub: ALICE.id,
            aud: 'backend-api',
            scope: 'read write',
          });
          expect(claims.act).to.deep.equal({ sub: PROXY.id });
          expect(issuer.exchanges.slice(exchangesBefore)).to.deep.equal([
            { subject: ALICE.id, audience: 'backend-api', scope: 'read write' },
          ]);
          for (const headers of upstream.headers.slice(before)) {
            expect(headers.authorization).to.equal(`Bearer ${exchanged}`);
            expect(JSON.stringify(headers)).not.to.contain(token.split('.')[2]!);
          }
          const metrics = await (await fetch(`${proxy.url}/metrics`)).text();
          expect(metrics).to.contain('mcp_proxy_token_exchanges_total{outcome="exchanged"} 1');
        } finally {
          await proxy.close();
        }
      });
    }

    it('externalTokenHeaderName: the exchanged token goes in that header and no Authorization is sent', async () => {
      const proxy = await startProxy(upstream, exchange({ headerName: 'X-Upstream-Token' }), { issuer });
      try {
        const token = await issuer.token(ALICE, proxy.resource);
        const before = upstream.headers.length;
        const client = await connect(proxy.url, token);
        expect(await whoami(client)).to.equal('');
        await client.close();
        const seen = upstream.headers.slice(before);
        expect(decodeJwt(String(seen[0]!['x-upstream-token']).replace(/^Bearer /, '')).aud).to.equal(
          'backend-api',
        );
        for (const headers of seen) expect(headers).not.to.have.property('authorization');
      } finally {
        await proxy.close();
      }
    });

    it('an exchanged token near its expiry is exchanged again', async () => {
      const shortIssuer = await startExchangeIssuer({
        callers: [ALICE],
        exchangers: [PROXY],
        exchangedTtlSeconds: 2,
      });
      const proxy = await startProxy(upstream, exchange({ tokenUrl: shortIssuer.tokenUrl }), {
        issuer: shortIssuer,
      });
      try {
        const client = await connect(proxy.url, await shortIssuer.token(ALICE, proxy.resource));
        const first = await whoami(client);
        // A 2 s token is kept for half its life: 1.2 s later the next request exchanges again.
        await new Promise((resolve) => setTimeout(resolve, 1200));
        const second = await whoami(client);
        await client.close();
        expect(second).not.to.equal(first);
        expect(shortIssuer.exchanges).to.have.length(2);
      } finally {
        await proxy.close();
        await shortIssuer.close();
      }
    });

    it('a refused exchange answers the call with a JSON-RPC error naming the reason, counted by outcome', async () => {
      const proxy = await startProxy(upstream, exchange(), {
        issuer,
        env: { CLIENT_SECRET: 'wrong-secret' },
      });
      try {
        const before = upstream.headers.length;
        const client = new Client({ name: 'outgoing-auth-test', version: '1.0.0' });
        const token = await issuer.token(ALICE, proxy.resource);
        const error = await client
          .connect(
            new StreamableHTTPClientTransport(new URL(`${proxy.url}/mcp`), {
              requestInit: { headers: { Authorization: `Bearer ${token}` } },
            }),
          )
          .then(
            () => undefined,
            (err: Error) => err,
          );
        expect(error?.message).to.contain(
          'Authentication to the MCP server failed: the token endpoint refused the exchange (invalid_client',
        );
        expect(upstream.headers.length).to.equal(before);
        const metrics = await (await fetch(`${proxy.url}/metrics`)).text();
        expect(metrics).to.contain('mcp_proxy_token_exchanges_total{outcome="refused"} 1');
      } finally {
        await proxy.close();
      }
    });
  });
});

describe('proxy/config: the outgoingAuth section', () => {
  const file = (extra: object) => ({
    version: 1,
    server: { name: 's', namespace: 'n' },
    transport: 'streamable-http',
    proxyPort: 8080,
    target: { kind: 'http', url: 'http://mcp-s:8080/mcp' },
    ...extra,
  });
  const cases: Record<string, { extra: object; problem: string }> = {
    'refuses it for a stdio server': {
      extra: {
        transport: 'stdio',
        target: { kind: 'command', command: ['x'] },
        outgoingAuth: { type: 'bearerToken', tokenEnv: 'T' },
      },
      problem: 'outgoingAuth applies to HTTP servers only, not stdio',
    },
    'refuses tokenExchange without incoming authentication': {
      extra: { outgoingAuth: { type: 'tokenExchange', tokenUrl: 'https://idp/token', audience: 'a' } },
      problem: 'outgoingAuth tokenExchange needs the auth section (the subject token)',
    },
    'refuses a header name that is not one': {
      extra: { outgoingAuth: { type: 'headerInjection', headerName: 'X Bad', valueEnv: 'V' } },
      problem: 'outgoingAuth.headerName must be an HTTP header name',
    },
    'refuses an unknown type': {
      extra: { outgoingAuth: { type: 'awsSts' } },
      problem: 'outgoingAuth.type must be headerInjection, bearerToken or tokenExchange',
    },
  };
  for (const [name, c] of Object.entries(cases))
    it(name, () => expect(checkRunConfigFile(file(c.extra))).to.deep.equal({ problem: c.problem }));
});
