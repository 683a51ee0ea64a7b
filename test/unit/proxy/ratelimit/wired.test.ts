// Rate limits as runProxy wires them, with a real redis-server and the real stdio MCP server the authz
// tests record with: a refused call never reaches the server and is audited (rate limits sit inside
// authorization and audit); what the proxy refuses to start with; and the order of a session's
// messages kept behind a check in flight (a cancellation never overtakes its call).
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { silentLogger } from '../../../../lib/log.ts';
import type { RunConfigRateLimiting, RunConfigSessionStorage } from '../../../../proxy/config.ts';
import type { RpcMessage } from '../../../../proxy/jsonrpc.ts';
import { createProxyMetrics } from '../../../../proxy/metrics.ts';
import { backendFor, runProxy } from '../../../../proxy/proxy.ts';
import { withRateLimits } from '../../../../proxy/ratelimit/wiring.ts';
import { startRedis, type RunningRedis } from '../../../support/redis.ts';
import { AUDIT_FLUSH_WAIT_MS, recordingProxyConfig } from '../authz/support/authorized-proxy.ts';
import { firstText } from '../support/servers.ts';

const ECHO_ONCE: RunConfigRateLimiting = {
  tools: [{ name: 'echo', shared: { maxTokens: 1, refillPeriod: '1h' } }],
};

describe('proxy/ratelimit wired by runProxy', function () {
  this.timeout(30_000);
  let redis: RunningRedis;
  let storage: RunConfigSessionStorage;
  let n = 0;

  before(async () => {
    redis = await startRedis();
  });
  beforeEach(() => {
    storage = { provider: 'redis', address: redis.address, db: 0, keyPrefix: `w${(n += 1)}:` };
  });
  after(async () => {
    await redis?.stop();
  });

  it('answers a refused call itself: the server never sees it, the audit line says 429', async () => {
    const lines: string[] = [];
    const auditOut = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const config = recordingProxyConfig({
      name: 'limited',
      audit: true,
      sessionStorage: storage,
      rateLimiting: ECHO_ONCE,
    });
    const proxy = await runProxy(config, { log: silentLogger(), processMetrics: false, auditOut });
    const client = new Client({ name: 'wired', version: '1' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(`${proxy.url}/mcp`)));
      expect(firstText(await client.callTool({ name: 'echo', arguments: { message: 'a' } }))).to.equal(
        'echo:a',
      );
      const err = await client
        .callTool({ name: 'echo', arguments: { message: 'b' } })
        .catch((e: unknown) => e);
      expect(err).to.have.property('code', 429);
      const seen = JSON.parse(firstText(await client.callTool({ name: 'seen' }))) as string[];
      expect(seen.filter((s) => s.startsWith('tools/call'))).to.deep.equal(['tools/call echo']);
      await sleep(AUDIT_FLUSH_WAIT_MS);
      const calls = lines
        .join('')
        .split('\n')
        .filter(Boolean)
        .map(
          (l) =>
            JSON.parse(l) as { type: string; outcome: string; metadata: { extra: { error_code?: number } } },
        )
        .filter((e) => e.type === 'mcp_tool_call');
      expect(calls.map((e) => [e.outcome, e.metadata.extra.error_code])).to.deep.equal([
        ['success', undefined],
        ['error', 429],
        ['success', undefined],
      ]);
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it('refuses to start without sessionStorage, or with a bucket it cannot apply, naming the field', async () => {
    const start = (extra: object) =>
      runProxy(recordingProxyConfig({ name: 'bad', ...extra }), {
        log: silentLogger(),
        processMetrics: false,
      }).then(
        async (proxy) => {
          await proxy.close();
          return 'started';
        },
        (err: Error) => err.message,
      );
    expect(await start({ rateLimiting: ECHO_ONCE })).to.match(/rateLimiting needs sessionStorage/);
    expect(
      await start({
        sessionStorage: storage,
        rateLimiting: { shared: { maxTokens: 5, refillPeriod: '5 minutes' } },
      }),
    ).to.match(/rateLimiting\.shared\.refillPeriod must be a positive Go duration/);
  });

  it("keeps a session's order behind a check: the cancellation reaches the server after its call", async () => {
    const log = silentLogger();
    const config = recordingProxyConfig({
      name: 'order',
      sessionStorage: storage,
      rateLimiting: { shared: { maxTokens: 100, refillPeriod: '1s' } },
    });
    const server = await backendFor(config, { log });
    const backend = withRateLimits(server, config, {
      log,
      metrics: createProxyMetrics(server, { processMetrics: false }),
    });
    await backend.start();
    const delivered: RpcMessage[] = [];
    const session = backend.openSession('s1', { deliver: (m) => delivered.push(m), ended: () => undefined });
    const answered = async (id: number) => {
      for (let i = 0; i < 200; i++) {
        const found = delivered.find((m) => 'id' in m && m.id === id);
        if (found) return found;
        await sleep(10);
      }
      return undefined;
    };
    try {
      session.send({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'order', version: '1' },
        },
      });
      expect(await answered(1)).to.have.property('result');
      session.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      const call = (id: number) =>
        session.send({
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: { name: 'echo', arguments: { message: 'x' } },
        });
      const cancel = (id: number) =>
        session.send({
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: id, reason: 'test' },
        });
      // The call waits for Redis, the cancellation behind it: the multiplexer forwards both, in order,
      // and forgets the call, so its answer never comes. Sent first, the cancellation of a request it
      // does not know yet would be dropped and the call answered.
      expect(call(2)).to.equal('accepted');
      expect(cancel(2)).to.equal('accepted');
      expect(call(3)).to.equal('accepted');
      expect(await answered(3)).to.have.property('result');
      await sleep(200);
      expect(delivered.some((m) => 'id' in m && m.id === 2)).to.equal(false);
      // Control: cancelling before the call is sent lets the call be answered.
      cancel(4);
      call(4);
      expect(await answered(4)).to.have.property('result');
    } finally {
      session.close();
      await backend.close();
    }
  });
});
