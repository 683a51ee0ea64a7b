// Scale-out end to end (spec.sessionStorage, spec.backendReplicas): two proxy replicas, A a child
// process (`mcp-operator proxy --config`, so it can be SIGKILLed) and B in this process, sharing a real
// redis-server; four "pods" of our conformance server (test/fixtures) over streamable HTTP, each with a
// POD variable its server_identity tool shows, so the test reads which pod serves a session from the server itself. Clients
// are the MCP SDK's and a bare fetch client where the test looks at event ids. Needs no control plane.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { silentLogger } from '../../lib/log.ts';
import { DEFAULT_LIMITS, allowedNames, type ProxyConfig, type RunConfigFile } from '../../proxy/config.ts';
import { runProxy, type StartedProxy } from '../../proxy/proxy.ts';
import { startRedis, type RunningRedis } from '../support/redis.ts';
import { messageOf, openRawSession, readEvents } from '../unit/proxy/support/raw-mcp.ts';
import {
  CONFORMANCE_SERVER,
  connectClient,
  firstText,
  freePort,
  untilHealthy,
} from '../unit/proxy/support/servers.ts';

const CLI = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const PODS = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Pod {
  name: string;
  url: string;
  child: ChildProcess;
}

/** Our conformance server (test/fixtures) over streamable HTTP: a real SDK server with an event store. */
async function startPod(name: string): Promise<Pod> {
  const port = await freePort();
  const child = spawn(process.execPath, [CONFORMANCE_SERVER, 'streamable-http', String(port)], {
    env: { ...process.env, POD: name },
    stdio: 'ignore',
  });
  while (!(await fetch(`http://127.0.0.1:${port}/`, { method: 'OPTIONS' }).catch(() => undefined)))
    await sleep(50);
  return { name, url: `http://127.0.0.1:${port}/mcp`, child };
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

/** Which pod serves the client's session: the POD variable of the server that answers. */
async function podOf(client: Client): Promise<string> {
  return firstText(await client.callTool({ name: 'server_identity', arguments: {} }));
}

describe('proxy replicas sharing sessions through Redis, end to end', function () {
  this.timeout(120_000);
  let redis: RunningRedis;
  let pods: Pod[];
  let dir: string;
  let replicaA: { url: string; child: ChildProcess };
  let replicaB: StartedProxy;
  const clients: Client[] = [];

  const storage = () => ({ provider: 'redis' as const, address: redis.address, db: 0, keyPrefix: 'scale:' });
  const target = () => ({ kind: 'http' as const, url: pods[0]!.url, podUrls: pods.map((p) => p.url) });

  /** Replica A: the CLI with a run-config file, as in a pod. */
  async function startReplicaA(): Promise<{ url: string; child: ChildProcess }> {
    const port = await freePort();
    const file: RunConfigFile = {
      version: 1,
      server: { name: 'scaled', namespace: 'team-a' },
      transport: 'streamable-http',
      proxyPort: port,
      host: '127.0.0.1',
      target: target(),
      limits: { pingIntervalMs: 200 },
      sessionStorage: storage(),
    };
    const config = path.join(dir, `runconfig-${port}.json`);
    await writeFile(config, JSON.stringify(file));
    const child = spawn(process.execPath, [CLI, 'proxy', '--config', config], {
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const url = `http://127.0.0.1:${port}`;
    await untilHealthy(url);
    return { url, child };
  }

  async function connect(proxyUrl: string): Promise<Client> {
    const client = await connectClient(proxyUrl, 'streamable-http');
    clients.push(client);
    return client;
  }

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcp-scale-out-'));
    redis = await startRedis();
    pods = await Promise.all(Array.from({ length: PODS }, (_, i) => startPod(`pod-${i}`)));
    replicaA = await startReplicaA();
    const config: ProxyConfig = {
      name: 'scaled',
      namespace: 'team-a',
      transport: 'streamable-http',
      host: '127.0.0.1',
      port: 0,
      target: target(),
      allowed: allowedNames(undefined, undefined, [], []),
      limits: { ...DEFAULT_LIMITS, pingIntervalMs: 200 },
      sessionStorage: storage(),
    };
    replicaB = await runProxy(config, { log: silentLogger(), processMetrics: false });
    await untilHealthy(replicaB.url);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  });
  after(async () => {
    await replicaB?.close();
    if (replicaA) await kill(replicaA.child);
    await Promise.all((pods ?? []).map((p) => kill(p.child)));
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('continues on replica B a session started on replica A, on the same backend pod', async () => {
    const client = await connect(replicaA.url);
    const pod = await podOf(client);
    const session = (client.transport as { sessionId?: string }).sessionId!;
    const res = await fetch(`${replicaB.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': session,
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 9,
        method: 'tools/call',
        params: { name: 'server_identity', arguments: {} },
      }),
    });
    expect(res.status).to.equal(200);
    const [answer] = await readEvents(res, (e) => messageOf(e)?.id === 9).then((all) =>
      all.filter((e) => messageOf(e)),
    );
    expect(firstText((messageOf(answer!) as { result: unknown }).result)).to.equal(pod);
  });

  it('resumes on replica B, with Last-Event-ID, a stream replica A carried when A is killed: no event missed or doubled', async () => {
    const session = await openRawSession(`${replicaA.url}/mcp`);
    const steps = 10;
    const call = await fetch(session.url, {
      method: 'POST',
      headers: session.headers({ accept: 'text/event-stream' }),
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name: 'slow_progress',
          arguments: { steps, intervalMs: 200 },
          _meta: { progressToken: 'p' },
        },
      }),
    });
    const progress = (events: { data: string }[]) =>
      events
        .map((e) => messageOf(e as never))
        .filter((m) => m?.method === 'notifications/progress')
        .map((m) => (m!.params as { progress: number }).progress);
    const before = await readEvents(call, (_e, all) => progress(all).length === 3);
    await kill(replicaA.child);
    await sleep(600); // the server goes on while no replica listens
    const resumed = await fetch(`${replicaB.url}/mcp`, {
      headers: session.headers({ accept: 'text/event-stream', 'last-event-id': before.at(-1)!.id! }),
    });
    expect(resumed.status).to.equal(200);
    const after = await readEvents(resumed, (e) => messageOf(e)?.id === 1);
    expect([...progress(before), ...progress(after)]).to.deep.equal(
      Array.from({ length: steps }, (_, i) => i + 1),
    );
    expect(messageOf(after.at(-1)!)).to.have.property('result');
    replicaA = await startReplicaA();
  });

  it('spreads 100 sessions from both replicas over the 4 pods: the busiest at most 1.3x the least', async () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 100; i += 1) {
      const client = await connect(i % 2 === 0 ? replicaA.url : replicaB.url);
      const pod = await podOf(client);
      counts.set(pod, (counts.get(pod) ?? 0) + 1);
    }
    const values = [...counts.values()];
    expect(counts.size, JSON.stringify(Object.fromEntries(counts))).to.equal(PODS);
    expect(
      Math.max(...values) / Math.min(...values),
      JSON.stringify(Object.fromEntries(counts)),
    ).to.be.at.most(1.3);
  });

  it('ends the sessions of a killed pod with an error that says so, and starts new sessions on the others', async () => {
    const victim = pods[2]!;
    const onVictim: Client[] = [];
    for (let i = 0; i < 12 && onVictim.length === 0; i += 1) {
      const client = await connect(replicaB.url);
      if ((await podOf(client)) === victim.name) onVictim.push(client);
    }
    expect(onVictim, 'a session on the victim pod').to.have.length(1);
    await kill(victim.child);
    const error = await podOf(onVictim[0]!).then(
      () => 'answered',
      (err: Error) => err.message,
    );
    expect(error).to.match(/pod .* is gone \(ECONNREFUSED\); this session has ended/u);
    await sleep(500); // a probe interval: the pod is out of the candidates
    const landed = new Set<string>();
    for (let i = 0; i < 12; i += 1)
      landed.add(await podOf(await connect(i % 2 ? replicaA.url : replicaB.url)));
    expect([...landed].sort()).to.deep.equal(['pod-0', 'pod-1', 'pod-3']);
  });

  it('reconnects to a restarted Redis: sessions made after it work on every replica, and a replica keeps those it holds', async () => {
    const held = await connect(replicaB.url);
    await redis.restart();
    await sleep(2500); // ioredis backs off up to 2 s
    expect(await podOf(held)).to.match(/^pod-/u);
    const fresh = await connect(replicaB.url);
    const session = (fresh.transport as { sessionId?: string }).sessionId!;
    const onA = await fetch(`${replicaA.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': session,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: {} }),
    });
    expect(onA.status).to.equal(200);
    await onA.text();
  });
});
