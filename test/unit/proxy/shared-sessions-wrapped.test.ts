// Two proxy replicas sharing sessions through a real redis-server, each with every Backend wrapper on
// (tool control, authorization and audit, rate limits): a session opened on replica A goes on at
// replica B, which adopts it through all of them and applies each. Every wrapper has to pass on
// adoptSession (proxy/backends/decorator.ts); one that dropped it made B answer 404 for A's sessions.
import { expect } from 'chai';
import { silentLogger } from '../../../lib/log.ts';
import { DEFAULT_LIMITS, allowedNames, type ProxyConfig } from '../../../proxy/config.ts';
import { runProxy, type StartedProxy } from '../../../proxy/proxy.ts';
import { startRedis, type RunningRedis } from '../../support/redis.ts';
import { messageOf, openRawSession, readEvents, type RawSession } from './support/raw-mcp.ts';
import { startConformanceServer, type RunningServer } from './support/servers.ts';

const POLICIES = ['permit(principal, action == Action::"call_tool", resource == Tool::"server_identity");'];

/** One JSON-RPC request to url in session, and its answer (JSON or the SSE event carrying it). */
async function ask(
  url: string,
  session: RawSession,
  id: number,
  method: string,
  params: Record<string, unknown> = {},
): Promise<{ status: number; message?: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: session.headers(),
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
  });
  if (res.status !== 200) return { status: res.status };
  if (res.headers.get('content-type')?.startsWith('application/json'))
    return { status: 200, message: (await res.json()) as Record<string, unknown> };
  const events = await readEvents(res, (e) => messageOf(e)?.id === id);
  return { status: 200, message: events.map(messageOf).find((m) => m?.id === id) };
}

describe('proxy replicas adopting each other’s sessions through every wrapper', function () {
  this.timeout(30_000);
  let redis: RunningRedis;
  let server: RunningServer;
  let replicas: StartedProxy[] = [];

  before(async () => {
    redis = await startRedis();
    server = await startConformanceServer();
    const config: ProxyConfig = {
      name: 'wrapped',
      namespace: 'team-a',
      transport: 'streamable-http',
      host: '127.0.0.1',
      port: 0,
      target: { kind: 'http', url: server.url, podUrls: [server.url] },
      allowed: allowedNames(undefined, undefined, [], []),
      limits: { ...DEFAULT_LIMITS, pingIntervalMs: 500 },
      sessionStorage: { provider: 'redis', address: redis.address, db: 0, keyPrefix: 'wrapped:' },
      rateLimiting: { shared: { maxTokens: 1000, refillPeriod: '1m' } },
      authz: { type: 'cedarv1', policies: POLICIES, entitiesJson: '[]' },
      audit: false,
      tools: { toolsFilter: ['server_identity', 'test_simple_text'] },
    };
    const log = silentLogger();
    replicas = [
      await runProxy(config, { log, processMetrics: false }),
      await runProxy(config, { log, processMetrics: false }),
    ];
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await server?.close();
    await redis?.stop();
  });

  it('serves on replica B a session opened on replica A, with the tool filter and the policies applied there', async () => {
    const [a, b] = replicas.map((r) => `${r.url}/mcp`) as [string, string];
    const session = await openRawSession(a);

    const listed = await ask(b, session, 1, 'tools/list');
    expect(listed.status, 'B adopts the session').to.equal(200);
    const names = ((listed.message?.result as { tools: { name: string }[] }).tools ?? []).map((t) => t.name);
    expect(names, 'the tool filter and the policies, applied on B').to.deep.equal(['server_identity']);

    const called = await ask(b, session, 2, 'tools/call', { name: 'server_identity', arguments: {} });
    expect(called.message).to.have.property('result');

    const denied = await ask(b, session, 3, 'tools/call', { name: 'test_simple_text', arguments: {} });
    expect(denied.message?.error, 'authorization on B').to.deep.include({
      code: 403,
      message: 'Unauthorized',
    });

    const hidden = await ask(b, session, 4, 'tools/call', { name: 'test_error_handling', arguments: {} });
    expect((hidden.message?.error as { code: number }).code, 'the tool filter on B').to.equal(-32602);
  });
});
