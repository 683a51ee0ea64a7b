// Benchmark: ToolHive's proxy runner (thv-proxyrunner, TOOLHIVE_VERSION in controlplane/versions.env) and
// our proxy side by side, in the same run, both in front of one server-everything over streamable HTTP on
// loopback: ours from a run-config file with an http target, ToolHive's from the runconfig.json its
// operator writes for an MCPRemoteProxy (`remote_url`; bench/toolhive/proxy-runner.ts says why that is
// the data path of every HTTP server it proxies). First the SDK client lists tools and calls echo through
// each; then tools/call echo in closed loops at 1 and 32 sessions, with the SDK client and a bare
// node:http client, the two proxies taking alternating turns of 250 ms (ABBA, TOOLHIVE_PROXY_SLICES turns
// each); calls/s, p50, the ratio ours/ToolHive, each proxy's CPU per call and resident memory. Then the
// MCP conformance suite against the conformance server (test/fixtures/conformance-server) directly,
// through ours and through ToolHive's (bound to loopback, and to 0.0.0.0 as in a pod), and a DNS-rebinding
// probe of each (bench/toolhive/proxy-rebinding.ts). Ours runs compiled, as its image runs it
// (TOOLHIVE_PROXY_SOURCE=1: from source). Holds /tmp/bench.lock (bench/lib/locks.ts) throughout.
// Run with `node_modules/.bin/node bench/toolhive-proxy.ts`.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { startConformanceServer, type RunningServer } from '../test/unit/proxy/support/servers.ts';
import { calling, childWith, cpuSeconds, oursWith, sdkSession } from './lib/features-path.ts';
import { BENCH_LOCK, holdLocks } from './lib/locks.ts';
import { compileServers, compiledPath } from './lib/compile.ts';
import { CLI, rssMiB, type BenchPath } from './lib/mcp-paths.ts';
import { everythingHttp, type HttpServer } from './lib/redis-path.ts';
import { listScenarios, runSuite, summarize, type SuiteSummary } from './toolhive/proxy-conformance.ts';
import { rebindingProbe } from './toolhive/proxy-rebinding.ts';
import { complaints, startProxyRunner, type ProxyRunnerPath } from './toolhive/proxy-runner.ts';
import { turns } from './toolhive/proxy-turns.ts';
import { ensureBinaries, toolhiveVersion } from './toolhive/thv-operator.ts';

const LEVELS = (process.env.TOOLHIVE_PROXY_SESSIONS ?? '1,32').split(',').map(Number);
const SLICES = Number(process.env.TOOLHIVE_PROXY_SLICES ?? 24);
const SLICE_MS = 250;
const SKIP_CONFORMANCE = process.env.TOOLHIVE_PROXY_CONFORMANCE === '0';
// Ours compiled to JavaScript with the image's flags, as its pods run it, unless TOOLHIVE_PROXY_SOURCE=1
// (from source Node's type stripper adds about 35 MiB of RSS and nothing per call).
const FROM_SOURCE = process.env.TOOLHIVE_PROXY_SOURCE === '1';

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
const say = (line: string) => console.log(line);

/**
 * Everything started, stopped in finally and, on SIGINT/SIGTERM, signalled at once: each proxy and
 * server-everything is its own process group (pid is its leader), the conformance server a plain child.
 */
interface Running {
  stop(): Promise<void>;
  pid?: number;
  group?: boolean;
}
const running = new Set<Running>();
function stopAllNow(): void {
  for (const r of running)
    if (r.pid) quietly(() => process.kill(r.group === false ? r.pid! : -r.pid!, 'SIGTERM'));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    stopAllNow();
    process.exit(130);
  });

async function stopAll(): Promise<void> {
  await Promise.all([...running].map((r) => r.stop()));
  running.clear();
}

function quietly(f: () => void): void {
  try {
    f();
  } catch {
    // gone already
  }
}

function track<T extends Running>(r: T): T {
  running.add(r);
  return r;
}

/** The SDK client lists tools and calls echo through p; the bare node:http client calls echo once. */
async function prove(p: BenchPath): Promise<string> {
  const session = await sdkSession(p.url!, 'echo');
  let names: string[];
  try {
    names = (await session.client.listTools()).tools.map((t) => t.name);
    if (!names.includes('echo')) throw new Error(`${p.name}: tools/list has no echo: ${names.join(', ')}`);
    await session.echo('through');
  } finally {
    await session.close();
  }
  const plain = await calling(p, 'echo', true).connect();
  await plain.echo('plain');
  await plain.close();
  return `${p.name}: tools/list gives ${names.length} tools, echo among them; echo answered (SDK and node:http)`;
}

async function loadRuns(ours: BenchPath, thv: ProxyRunnerPath): Promise<void> {
  const made = { ours: 0, thv: 0 };
  const server = childWith('streamableHttp');
  const rss = { ours: rssMiB(ours.pid!), thv: rssMiB(thv.pid!) };
  const cpu = () => ({
    ours: cpuSeconds(ours.pid!),
    thv: cpuSeconds(thv.pid!),
    server: cpuSeconds(server ?? 0),
    bench: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  });
  const before = cpu();
  const wallStart = performance.now();
  say(`load average before: ${load()}`);
  say(`${SLICES} alternating turns of ${SLICE_MS} ms per proxy and client; calls/s (p50 ms):`);
  say('| sessions | client | ours | ToolHive | ours/ToolHive |');
  say('|---:|---|---:|---:|---:|');
  for (const sessions of LEVELS) {
    for (const plain of [false, true]) {
      const r = await turns(
        calling(ours, 'echo', plain),
        calling(thv, 'echo', plain),
        sessions,
        SLICES,
        SLICE_MS,
      );
      made.ours += r.made.a;
      made.thv += r.made.b;
      const cell = (x: { perSecond: number; p50: number }) =>
        `${x.perSecond.toFixed(0)} (${x.p50.toFixed(2)})`;
      const client = plain ? 'node:http' : 'SDK';
      say(
        `| ${sessions} | ${client} | ${cell(r.a)} | ${cell(r.b)} | ${(r.a.perSecond / r.b.perSecond).toFixed(2)}x |`,
      );
    }
  }
  say(`load average after: ${load()}`);
  const [after, wall] = [cpu(), (performance.now() - wallStart) / 1000];
  const perCall = (k: 'ours' | 'thv') => (((after[k] - before[k]) * 1e6) / made[k]).toFixed(0);
  say(
    `  ours: RSS ${rss.ours.toFixed(1)} -> ${rssMiB(ours.pid!).toFixed(1)} MiB; CPU ${perCall('ours')} µs per call (${made.ours} calls)`,
  );
  say(
    `  ToolHive: RSS ${rss.thv.toFixed(1)} -> ${rssMiB(thv.pid!).toFixed(1)} MiB; CPU ${perCall('thv')} µs per call (${made.thv} calls)`,
  );
  const share = (k: 'server' | 'bench') => `${(((after[k] - before[k]) / wall) * 100).toFixed(0)}%`;
  say(
    `  CPU over the ${wall.toFixed(0)} s of load, share of one core: server ${share('server')}, bench clients ${share('bench')}`,
  );
}

function printSuite(name: string, s: SuiteSummary): void {
  say(`  ${name}: ${s.passedScenarios}/${s.scenarios} scenarios pass, ${s.passedChecks} successful checks`);
  for (const line of s.failing) say(`    not passing: ${line}`);
  if (s.newInfos.length) say(`    informational where directly not: ${s.newInfos.join(', ')}`);
}

async function conformance(dir: string, binaries: string, cli: string): Promise<void> {
  const server: RunningServer = await startConformanceServer();
  track({ stop: () => server.close(), pid: server.child.pid, group: false });
  const ours = track(await oursWith('ours', dir, server.url, {}, { cli }));
  const thv = track(await startProxyRunner('toolhive', binaries, server.url));
  const inPod = track(await startProxyRunner('toolhive (0.0.0.0)', binaries, server.url, '0.0.0.0'));
  const scenarios = await listScenarios();
  say(`MCP conformance suite (${scenarios.length} server scenarios, --suite all) against ${server.url}:`);
  const direct = await runSuite(server.url, scenarios);
  const through = async (p: BenchPath) =>
    summarize(scenarios, await runSuite(p.url!.href, scenarios), direct);
  printSuite('directly', summarize(scenarios, direct));
  printSuite('through ours', await through(ours));
  printSuite("through ToolHive's, bound to 127.0.0.1", await through(thv));
  printSuite("through ToolHive's, bound to 0.0.0.0 as the operator binds it in a pod", await through(inPod));
  say('DNS-rebinding probe (an initialize POST with a foreign Origin, then a foreign Host):');
  say(`  directly: ${JSON.stringify(await rebindingProbe(new URL(server.url)))}`);
  for (const p of [ours, thv, inPod]) say(`  ${p.name}: ${JSON.stringify(await rebindingProbe(p.url!))}`);
  await Promise.all([thv.stop(), inPod.stop()]);
  const noAuth = /no authentication configured/u;
  const said = [thv, inPod].flatMap((p) => complaints(p.log()).filter((line) => !noAuth.test(line)));
  say(
    `  ToolHive's runners logged ${said.length} warnings or errors beyond "no authentication configured"${said.length ? ':' : ''}`,
  );
  for (const line of said.slice(0, 10)) say(`    ${line}`);
}

async function main(): Promise<void> {
  await holdLocks([BENCH_LOCK], (line) => process.stderr.write(`${line}\n`));
  const version = toolhiveVersion();
  const binaries = await ensureBinaries(version);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-toolhive-proxy-'));
  try {
    const server: HttpServer = await everythingHttp();
    track({ stop: () => Promise.resolve(quietly(() => server.stop())), pid: childWith('streamableHttp') });
    const cli = FROM_SOURCE ? CLI : compiledPath(CLI);
    if (!FROM_SOURCE) await compileServers([CLI]);
    const ours = track(await oursWith(FROM_SOURCE ? 'ours (source)' : 'ours', dir, server.url, {}, { cli }));
    const thv = track(await startProxyRunner(`toolhive ${version}`, binaries, server.url));
    for (const p of [ours, thv]) say(await prove(p));
    await loadRuns(ours, thv);
    await stopAll();
    if (!SKIP_CONFORMANCE) await conformance(dir, binaries, cli);
  } finally {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
