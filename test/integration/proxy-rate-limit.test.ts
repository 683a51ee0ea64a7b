// spec.rateLimiting end to end: real proxies (proxy/proxy.ts runProxy) in front of a real MCP server
// (server-everything over streamable HTTP), their buckets in a real redis-server (test/support/redis.ts),
// the SDK client in front, raw POSTs where the test looks at the HTTP status and headers, and a real
// OpenID provider (oidc-provider, as proxy-auth.test.ts) for the per-user buckets. Nothing here is
// mocked; each test has its own keyPrefix, so its buckets start full. Needs no control plane: it runs
// alone too (mocha --no-config --timeout 60000 test/integration/proxy-rate-limit.test.ts).
import { expect } from 'chai';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { silentLogger } from '../../lib/log.ts';
import {
  DEFAULT_LIMITS,
  allowedNames,
  type ProxyConfig,
  type RunConfigRateLimiting,
} from '../../proxy/config.ts';
import { runProxy, type StartedProxy } from '../../proxy/proxy.ts';
import { connectRedis, whenReady, type Redis } from '../../proxy/shared-state/redis.ts';
import { startRedis, type RunningRedis } from '../support/redis.ts';
import {
  firstText,
  freePort,
  startHttpEverything,
  type RunningServer,
} from '../unit/proxy/support/servers.ts';
import { signingKeys, startIssuer, type IssuerClient, type TestIssuer } from './proxy-auth-issuer.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const X: IssuerClient = { id: 'tenant-x', secret: 'x-secret-0123456789abcdef0123456789' };
const Y: IssuerClient = { id: 'tenant-y', secret: 'y-secret-0123456789abcdef0123456789' };

describe('proxy rate limits counted in Redis, end to end', function () {
  this.timeout(60_000);
  let redis: RunningRedis;
  let upstream: RunningServer;
  let inspect: Redis;
  const proxies: StartedProxy[] = [];
  const clients: Client[] = [];
  let prefix = 0;
  let keyPrefix = '';

  before(async () => {
    redis = await startRedis();
    upstream = await startHttpEverything('streamableHttp');
    inspect = connectRedis(
      { provider: 'redis', address: redis.address, db: 0, keyPrefix: '' },
      silentLogger(),
    );
    expect(await whenReady(inspect, 5000)).to.equal(true);
  });
  beforeEach(() => {
    keyPrefix = `t${(prefix += 1)}:`;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });
  after(async () => {
    inspect?.disconnect();
    await upstream?.close();
    await redis?.stop();
  });

  /** A proxy in front of server-everything whose buckets live in this test's keyspace of the Redis. */
  async function startLimited(
    rateLimiting: RunConfigRateLimiting,
    extra: Partial<ProxyConfig> = {},
  ): Promise<StartedProxy> {
    const config: ProxyConfig = {
      name: 'limited',
      namespace: 'team-a',
      transport: 'streamable-http',
      host: '127.0.0.1',
      port: 0,
      target: { kind: 'http', url: upstream.url },
      allowed: allowedNames(undefined, undefined, [], []),
      limits: { ...DEFAULT_LIMITS, pingIntervalMs: 200 },
      sessionStorage: { provider: 'redis', address: redis.address, db: 0, keyPrefix },
      rateLimiting,
      ...extra,
    };
    const proxy = await runProxy(config, { log: silentLogger(), processMetrics: false });
    proxies.push(proxy);
    return proxy;
  }

  async function connect(
    proxy: StartedProxy,
    front: 'mcp' | 'sse' = 'mcp',
    token?: string,
  ): Promise<{ client: Client; sessionId?: string }> {
    const requestInit = token ? { headers: { Authorization: `Bearer ${token}` } } : undefined;
    const client = new Client({ name: 'rate-limit-test', version: '1.0.0' });
    clients.push(client);
    if (front === 'sse') {
      await client.connect(new SSEClientTransport(new URL(`${proxy.url}/sse`), { requestInit }));
      return { client };
    }
    const transport = new StreamableHTTPClientTransport(new URL(`${proxy.url}/mcp`), { requestInit });
    await client.connect(transport);
    return { client, sessionId: transport.sessionId };
  }

  /** 'ok' when the tool answered, else the error's code (HTTP status for /mcp, JSON-RPC code for /sse). */
  async function call(
    client: Client,
    name = 'echo',
  ): Promise<'ok' | { code: unknown; message: string; data?: unknown }> {
    const args = name === 'get-sum' ? { a: 1, b: 2 } : { message: 'hi' };
    try {
      const result = await client.callTool({ name, arguments: args });
      expect(firstText(result)).to.not.equal('');
      return 'ok';
    } catch (err) {
      const { code, message, data } = err as { code: unknown; message: string; data?: unknown };
      return { code, message, ...(data === undefined ? {} : { data }) };
    }
  }

  async function rawCall(proxy: StartedProxy, sessionId: string, id: number) {
    const res = await fetch(`${proxy.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-11-25',
        'mcp-session-id': sessionId,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'echo', arguments: { message: 'raw' } },
      }),
    });
    // A call that reached the server may come back as a stream (the server's answer is mirrored): its
    // last data line is the answer.
    const text = await res.text();
    const stream = res.headers.get('content-type')?.startsWith('text/event-stream');
    const json = stream
      ? (text
          .match(/^data: (.+)$/gmu)
          ?.at(-1)
          ?.slice(6) ?? '')
      : text;
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: JSON.parse(json) as unknown,
    };
  }

  async function metric(proxy: StartedProxy, series: string): Promise<number> {
    const text = await (await fetch(`${proxy.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  }

  it('shared 3 per 1 s: three calls pass, the fourth gets 429 with Retry-After, a refill later one passes', async () => {
    const proxy = await startLimited({ shared: { maxTokens: 3, refillPeriod: '1s' } });
    const { client, sessionId } = await connect(proxy);
    expect([await call(client), await call(client), await call(client)]).to.deep.equal(['ok', 'ok', 'ok']);
    const fourth = await call(client);
    expect(fourth).to.have.property('code', 429); // the SDK's StreamableHTTPError: the HTTP status
    expect((fourth as { message: string }).message).to.include('Rate limit exceeded');
    const raw = await rawCall(proxy, sessionId!, 900);
    expect(raw.status).to.equal(429);
    expect(raw.retryAfter).to.equal('1');
    expect(raw.body).to.deep.equal({
      jsonrpc: '2.0',
      id: 900,
      error: { code: 429, message: 'Rate limit exceeded', data: { retryAfterSeconds: 1 } },
    });
    await sleep(400); // 3 tokens/s: one is back after 334 ms
    expect(await call(client)).to.equal('ok');
    expect(await call(client)).to.have.property('code', 429);
    expect(await metric(proxy, 'mcp_proxy_rate_limited_total{scope="shared",tool=""}')).to.equal(3);
    expect(await metric(proxy, 'mcp_proxy_rate_limit_errors_total')).to.equal(0);
    // Only tools/call is counted: listing goes on however empty the bucket.
    for (let i = 0; i < 5; i++) expect((await client.listTools()).tools.length).to.be.greaterThan(0);
    const bucket = await inspect.hgetall(`${keyPrefix}team-a/limited:rl:shared`);
    expect(Object.keys(bucket).sort()).to.deep.equal(['last_refill', 'tokens']);
    expect(await inspect.ttl(`${keyPrefix}team-a/limited:rl:shared`)).to.equal(2);
  });

  it('two proxies on the same Redis share the bucket (/mcp on one, /sse on the other)', async () => {
    const limits = { shared: { maxTokens: 3, refillPeriod: '1h' } };
    const [a, b] = [await startLimited(limits), await startLimited(limits)];
    const viaA = (await connect(a)).client;
    const viaB = (await connect(b, 'sse')).client;
    expect([await call(viaA), await call(viaB), await call(viaA)]).to.deep.equal(['ok', 'ok', 'ok']);
    // On the SSE front the refusal is the JSON-RPC error itself (its stream is HTTP 200 already).
    expect(await call(viaB)).to.deep.equal({
      code: 429,
      message: 'MCP error 429: Rate limit exceeded',
      data: { retryAfterSeconds: 1200 },
    });
    expect(await call(viaA)).to.have.property('code', 429);
    expect(await metric(a, 'mcp_proxy_rate_limited_total{scope="shared",tool=""}')).to.equal(1);
    expect(await metric(b, 'mcp_proxy_rate_limited_total{scope="shared",tool=""}')).to.equal(1);
  });

  it('a per-tool bucket limits only its tool, and a refused tool call leaves the server bucket alone', async () => {
    const proxy = await startLimited({
      shared: { maxTokens: 6, refillPeriod: '1h' },
      tools: [{ name: 'get-sum', shared: { maxTokens: 1, refillPeriod: '1h' } }],
    });
    const { client } = await connect(proxy);
    expect(await call(client, 'get-sum')).to.equal('ok');
    for (let i = 0; i < 3; i++) expect(await call(client, 'get-sum')).to.have.property('code', 429);
    for (let i = 0; i < 5; i++) expect(await call(client, 'echo')).to.equal('ok'); // 1 + 5 = 6 server tokens
    expect(await call(client, 'echo')).to.have.property('code', 429);
    expect(await metric(proxy, 'mcp_proxy_rate_limited_total{scope="shared",tool="get-sum"}')).to.equal(3);
    expect(await metric(proxy, 'mcp_proxy_rate_limited_total{scope="shared",tool=""}')).to.equal(1);
  });

  describe('per user, behind a real OpenID provider', () => {
    let issuer: TestIssuer;
    before(async () => {
      issuer = await startIssuer({ keys: await signingKeys('key-1'), clients: [X, Y] });
    });
    after(async () => {
      await issuer?.close();
    });

    it("gives each caller its own bucket, keyed by the token's subject", async () => {
      const port = await freePort();
      const resource = `http://127.0.0.1:${port}/mcp`;
      const proxy = await startLimited(
        {
          perUser: { maxTokens: 2, refillPeriod: '1h' },
          tools: [{ name: 'get-sum', perUser: { maxTokens: 1, refillPeriod: '1h' } }],
        },
        {
          port,
          auth: {
            issuer: issuer.url,
            audiences: [resource],
            resourceUrl: resource,
            scopesSupported: [],
            requiredScopes: [],
            insecureAllowHTTP: true,
          },
        },
      );
      const x = (await connect(proxy, 'mcp', await issuer.token(X, resource))).client;
      const y = (await connect(proxy, 'mcp', await issuer.token(Y, resource))).client;
      expect(await call(x, 'get-sum')).to.equal('ok');
      expect(await call(x, 'get-sum')).to.have.property('code', 429); // x's get-sum bucket
      expect(await call(x)).to.equal('ok');
      expect(await call(x)).to.have.property('code', 429); // x's server bucket (2: get-sum and echo)
      expect([await call(y), await call(y, 'get-sum')]).to.deep.equal(['ok', 'ok']);
      expect(await call(y)).to.have.property('code', 429);
      expect(await metric(proxy, 'mcp_proxy_rate_limited_total{scope="perUser",tool="get-sum"}')).to.equal(1);
      expect(await metric(proxy, 'mcp_proxy_rate_limited_total{scope="perUser",tool=""}')).to.equal(2);
      // The buckets' keys (the same Redis holds the replay store's streams too).
      const keys = (await inspect.keys(`${keyPrefix}*:rl:*`)).sort();
      expect(keys).to.deep.equal(
        [
          `${keyPrefix}team-a/limited:rl:user-tool:get-sum:${X.id}`,
          `${keyPrefix}team-a/limited:rl:user-tool:get-sum:${Y.id}`,
          `${keyPrefix}team-a/limited:rl:user:${X.id}`,
          `${keyPrefix}team-a/limited:rl:user:${Y.id}`,
        ].sort(),
      );
    });
  });

  // Kills Redis and starts it again, empty (the per-user test, nested, runs after it and sees that one).
  it('lets calls through while Redis is down, counting the errors, and limits again once it is back', async () => {
    const proxy = await startLimited({ shared: { maxTokens: 1, refillPeriod: '1h' } });
    const { client } = await connect(proxy);
    expect(await call(client)).to.equal('ok');
    expect(await call(client)).to.have.property('code', 429);
    await redis.kill();
    for (let i = 0; i < 4; i++) expect(await call(client)).to.equal('ok'); // fail open
    expect(await metric(proxy, 'mcp_proxy_rate_limit_errors_total')).to.equal(4);
    await redis.start(); // empty: the bucket is full again once the proxy has reconnected
    let passed = 0;
    let refused = false;
    for (let i = 0; i < 40 && !refused; i++) {
      const answer = await call(client);
      if (answer === 'ok') passed += 1;
      else refused = (answer as { code: unknown }).code === 429;
      if (!refused) await sleep(100);
    }
    expect(refused, 'limits apply again within 4 s').to.equal(true);
    // Before the reconnect calls still went on (fail open, counted); after it, one token, then 429.
    const errors = await metric(proxy, 'mcp_proxy_rate_limit_errors_total');
    expect(passed).to.equal(errors - 4 + 1);
    expect(await metric(proxy, 'mcp_proxy_rate_limited_total{scope="shared",tool=""}')).to.equal(2);
  });
});
