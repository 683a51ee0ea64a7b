// Property-based fuzzing of the MCP proxy's fronts (issue 7): `mcp-operator proxy --config` in a child
// process, in front of server-everything over stdio, fed generated hostile requests at /mcp and the
// legacy /messages, 8 at a time: malformed JSON-RPC, wrong types, batches, bad Host and Origin, unknown
// and garbage sessions, bodies over the limit; then a flood of sessions past the cap. Every answer must
// be the status its fault calls for, errors as JSON-RPC error bodies, requests answered with their id and
// echo round-tripping hostile text; afterwards the proxy must be alive, hold bounded memory, and still
// serve the official SDK client. FUZZ_SEED replays a run; FUZZ_PROXY_RUNS scales it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { expect } from 'chai';
import fc from 'fast-check';
import { Pool } from 'undici';
import type { RunConfigFile } from '../../proxy/config.ts';
import { mapConcurrently } from './admission-answers.ts';
import { MIB, fuzzSeed, mib, spawnFuzzChild, type FuzzChild } from './fuzz-child.ts';
import { describeProxyCase, proxyCaseArbitrary, sizeCases, type ProxyCase } from './proxy-cases.ts';
import {
  checkProxyAnswer,
  openMcpSession,
  openSseSession,
  sendCase,
  type LiveSessions,
  type SseSession,
} from './proxy-client.ts';

const DEFAULT_SEED = 20_261_124;
const CONCURRENCY = 8;
const ANSWER_TIMEOUT_MS = 10_000;
const EVERYTHING = fileURLToPath(
  import.meta.resolve('@modelcontextprotocol/server-everything/dist/index.js'),
);
// Small enough that the flood passes it, and idle expiry quick enough to watch (the sweep runs this often too).
const MAX_SESSIONS = 300;
const IDLE_SESSION_MS = 6_000;
const FLOOD = 2_000;
const SSE_FLOOD = 200;
// Measured here (Node 24, 2 cores): RSS 98 MiB at start, 122-124 MiB after the fuzz, the 2,000-initialize
// flood (300 sessions held at once) and 200 SSE streams: about 2.5 times that growth is allowed.
const MAX_RSS_GROWTH = 60 * MIB;

function runConfig(): RunConfigFile {
  return {
    version: 1,
    server: { name: 'fuzz', namespace: 'fuzz' },
    transport: 'stdio',
    proxyPort: 0,
    host: '127.0.0.1',
    target: { kind: 'command', command: [process.execPath, EVERYTHING, 'stdio'] },
    limits: { maxSessions: MAX_SESSIONS, idleSessionMs: IDLE_SESSION_MS },
  };
}

/** The port in the proxy's "Started MCP proxy" log line. */
function startedPort(line: string): number | undefined {
  if (!line.includes('Started MCP proxy')) return undefined;
  return (JSON.parse(line) as { port: number }).port;
}

describe('MCP proxy under generated hostile input', function () {
  this.timeout(300_000);
  const seed = fuzzSeed(DEFAULT_SEED);
  const runs = Number(process.env.FUZZ_PROXY_RUNS ?? 3_000);
  const counts = new Map<string, number>();
  let dir: string;
  let proxy: FuzzChild;
  let pool: Pool;
  let streams: Pool;
  const sse: SseSession[] = [];
  const live: LiveSessions = { mcp: [], sse: [] };
  let rssAtStart = 0;
  let sent = 0;

  /** mcp_proxy_sessions for a front, from /metrics. */
  const openSessions = async (front: 'sse' | 'streamable-http'): Promise<number> => {
    const res = await pool.request({ path: '/metrics', method: 'GET' });
    const text = await res.body.text();
    const line = text.split('\n').find((l) => l.startsWith(`mcp_proxy_sessions{front="${front}"}`));
    return Number(line?.split(' ').at(-1) ?? 0);
  };

  const judge = async (c: ProxyCase): Promise<string | undefined> => {
    let problem: string | undefined;
    try {
      problem = checkProxyAnswer(c, await sendCase(pool, c, live, sent++), ANSWER_TIMEOUT_MS);
    } catch (err) {
      problem = `request failed: ${(err as Error).message}`;
    }
    const key = `${c.label} ${problem ? 'FAILED' : 'ok'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return problem && `${problem}\n  case ${describeProxyCase(c)}`;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'proxy-fuzz-'));
    const config = join(dir, 'runconfig.json');
    await writeFile(config, JSON.stringify(runConfig()));
    const main = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
    proxy = await spawnFuzzChild({
      args: ['--no-warnings=ExperimentalWarning', main, 'proxy', '--config', config],
      portFrom: startedPort,
    });
    pool = new Pool(`http://127.0.0.1:${proxy.port}`, { connections: CONCURRENCY });
    streams = new Pool(`http://127.0.0.1:${proxy.port}`, { connections: 4 });
    for (let i = 0; i < 4; i++) {
      const session = await openMcpSession(pool);
      expect(session.status, session.text).to.equal(200);
      live.mcp.push(session.sessionId!);
    }
    for (let i = 0; i < 3; i++) sse.push(await openSseSession(streams));
    live.sse.push(...sse.map((s) => s.id));
    rssAtStart = proxy.rssBytes();
    console.log(`    seed ${seed} (FUZZ_SEED to replay), ${runs} generated requests (FUZZ_PROXY_RUNS)`);
    console.log(`    proxy RSS at start ${mib(rssAtStart)}`);
  });

  after(async () => {
    if (proxy?.alive())
      console.log(
        `    CPU seconds: test process ${((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(1)}, proxy ${proxy.cpuSeconds().toFixed(1)}`,
      );
    sse.forEach((s) => s.close());
    await pool?.close();
    await streams?.destroy();
    await proxy?.stop();
    await rm(dir, { recursive: true, force: true });
    const summary = [...counts.entries()].sort().map(([k, v]) => `${k}=${v}`);
    console.log(`    answers by case: ${summary.join(', ')}`);
  });

  it('answers generated hostile requests at /mcp and /messages as their faults call for', async () => {
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(
        fc.array(proxyCaseArbitrary, { minLength: CONCURRENCY, maxLength: CONCURRENCY }),
        async (cases) => {
          const problems = (await Promise.all(cases.map(judge))).filter((p) => p !== undefined);
          if (problems.length > 0) throw new Error(problems.join('\n'));
        },
      ),
      { seed, numRuns: Math.ceil(runs / CONCURRENCY), endOnFailure: process.env.FUZZ_SHRINK === undefined },
    );
    console.log(
      `    generated: ${runs} requests in ${((performance.now() - started) / 1000).toFixed(1)} s, RSS ${mib(proxy.rssBytes())}`,
    );
  });

  it('refuses messages over the limit with 413 and answers a large one under it', async () => {
    const problems = (await mapConcurrently(sizeCases(), 1, judge)).filter((p) => p !== undefined);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it(`caps a flood of ${FLOOD} initializes at ${MAX_SESSIONS} sessions, then expires the idle ones`, async () => {
    const statuses = await mapConcurrently(Array.from({ length: FLOOD }), CONCURRENCY, async () => {
      const { status, text } = await openMcpSession(pool);
      if (status === 503) expect(JSON.parse(text)).to.have.nested.property('error.code');
      return status;
    });
    const opened = statuses.filter((s) => s === 200).length;
    console.log(
      `    flood: ${opened} sessions opened, ${statuses.filter((s) => s === 503).length} refused with 503, RSS ${mib(proxy.rssBytes())}`,
    );
    expect(
      statuses.every((s) => s === 200 || s === 503),
      `statuses ${[...new Set(statuses)].join(', ')}`,
    ).to.equal(true);
    expect(opened).to.be.within(1, MAX_SESSIONS);
    // The flood's sessions sit idle: within two sweeps (the sweep runs every idleSessionMs) they are gone.
    const deadline = performance.now() + 3 * IDLE_SESSION_MS;
    let again = await openMcpSession(pool);
    while (again.status === 503 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      again = await openMcpSession(pool);
    }
    expect(again.status, 'a new session once the idle ones expired').to.equal(200);
  });

  it('opens a flood of legacy SSE sessions at once and forgets each when its stream closes', async () => {
    const flood = new Pool(`http://127.0.0.1:${proxy.port}`, { connections: SSE_FLOOD });
    try {
      const opened = await mapConcurrently(Array.from({ length: SSE_FLOOD }), CONCURRENCY, () =>
        openSseSession(flood),
      );
      expect(await openSessions('sse')).to.equal(sse.length + SSE_FLOOD);
      opened.forEach((s) => s.close());
      const deadline = performance.now() + 5_000;
      while ((await openSessions('sse')) > sse.length && performance.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await openSessions('sse')).to.equal(sse.length);
    } finally {
      await flood.destroy();
    }
  });

  it('is still alive, serves the SDK client, and holds bounded memory', async () => {
    expect(proxy.alive(), `proxy exited:\n${proxy.logTail().join('\n')}`).to.equal(true);
    const client = new Client({ name: 'fuzz-survivor', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${proxy.port}/mcp`)));
    try {
      const result = await client.callTool({ name: 'echo', arguments: { message: 'still here' } });
      expect((result.content as { text: string }[])[0]!.text).to.equal('Echo: still here');
    } finally {
      await client.close();
    }
    const rss = proxy.rssBytes();
    console.log(`    proxy RSS at end ${mib(rss)}, growth ${mib(rss - rssAtStart)}`);
    expect(rss - rssAtStart, 'resident memory growth').to.be.below(MAX_RSS_GROWTH);
  });
});
