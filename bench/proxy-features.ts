// Benchmark: the proxy with tool control and telemetry on against the same proxy with neither, in the same
// run, both from run-config files in front of one server-everything over streamable HTTP. The features
// proxy has `tools` (a toolsFilter, and echo renamed to `say` by toolsOverride: the client calls `say`, the
// server gets `echo`) and `telemetry` (tracing at samplingRate 1, the worst case, and metrics), exporting
// OTLP/HTTP to a real OpenTelemetry Collector (test/support/otel-collector.ts; `bash
// controlplane/build-binaries.sh otelcol`). PROXY_FEATURES_SAMPLING='1,0.05' adds a proxy per rate (0.05
// is ToolHive's default). tools/call in closed loops at 1 and 32 sessions, with the SDK client and a bare
// node:http client; each features proxy takes turns of 250 ms with the plain one (ABBA,
// PROXY_FEATURES_SLICES turns each), so the machine's noise falls on both; the ratio is of their summed
// calls. Then each proxy's resident memory, and the spans and metrics the collector received.
// Run with `node_modules/.bin/node bench/proxy-features.ts`.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { RunConfigFile } from '../proxy/config.ts';
import { startCollector, type RunningCollector } from '../test/support/otel-collector.ts';
import { calling, childWith, cpuSeconds, oursWith, sdkSession } from './lib/features-path.ts';
import { rssMiB, type BenchPath, type BenchSession } from './lib/mcp-paths.ts';
import { everythingHttp } from './lib/redis-path.ts';

const LEVELS = (process.env.PROXY_FEATURES_SESSIONS ?? '1,32').split(',').map(Number);
const RATES = (process.env.PROXY_FEATURES_SAMPLING ?? '1').split(',').map(Number);
const SLICES = Number(process.env.PROXY_FEATURES_SLICES ?? 24);
const SLICE_MS = 250;
const TARGET = 0.9;
// Diagnosis: PROXY_FEATURES_ONLY=tools|telemetry turns one of the two sections off (the client calls `say`
// or echo accordingly); PROXY_FEATURES_CPU_PROF=<dir> writes each proxy's CPU profile there when it stops.
const ONLY = process.env.PROXY_FEATURES_ONLY ?? 'both';
const PROFILE = process.env.PROXY_FEATURES_CPU_PROF;
const TOOL = ONLY === 'telemetry' ? 'echo' : 'say';

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

/** The features: every tool the bench and a client might use listed, echo renamed to `say`. */
function features(collector: RunningCollector, rate: number): Pick<RunConfigFile, 'tools' | 'telemetry'> {
  return {
    ...(ONLY === 'telemetry' ? {} : { tools: TOOLS }),
    ...(ONLY === 'tools' ? {} : { telemetry: telemetry(collector, rate) }),
  };
}

const TOOLS: RunConfigFile['tools'] = {
  // The filter names tools as clients see them, after a rename (ToolHive's rule): `say`, not echo.
  toolsFilter: ['say', 'get-sum', 'get-env'],
  toolsOverride: { echo: { name: 'say', description: 'Says the message back (echo, renamed)' } },
};

const telemetry = (collector: RunningCollector, rate: number): RunConfigFile['telemetry'] => ({
  serviceName: `bench-features-${rate}`,
  endpoint: collector.url,
  tracing: { enabled: true, samplingRate: rate },
  metrics: { enabled: true },
});

interface Tally {
  calls: number;
  latencies: number[];
}

async function closedLoop(sessions: BenchSession[], ms: number, tally: Tally): Promise<number> {
  const deadline = performance.now() + ms;
  let calls = 0;
  await Promise.all(
    sessions.map(async (session) => {
      for (let i = 0; performance.now() < deadline; i++, calls++) {
        const start = performance.now();
        await session.echo(`m${i}`);
        tally.latencies.push(performance.now() - start);
      }
    }),
  );
  tally.calls += calls;
  return calls;
}

const p50 = (ms: number[]) => [...ms].sort((x, y) => x - y)[Math.floor(ms.length / 2)] ?? NaN;

/** tools/call made through each proxy, warm-up included: what its CPU time and spans are counted against. */
const made = new Map<string, number>();
const count = (p: BenchPath, n: number) => made.set(p.url!.href, (made.get(p.url!.href) ?? 0) + n);

async function turns(a: BenchPath, b: BenchPath, sessions: number) {
  const connect = (p: BenchPath) => Promise.all(Array.from({ length: sessions }, () => p.connect()));
  const [sa, sb] = [await connect(a), await connect(b)];
  const tally = (): Tally => ({ calls: 0, latencies: [] });
  const [warmA, warmB, ta, tb] = [tally(), tally(), tally(), tally()];
  await closedLoop(sa, 500, warmA);
  await closedLoop(sb, 500, warmB);
  for (let turn = 0; turn < SLICES; turn++) {
    if (turn % 2 === 1) await closedLoop(sb, SLICE_MS, tb);
    await closedLoop(sa, SLICE_MS, ta);
    if (turn % 2 === 0) await closedLoop(sb, SLICE_MS, tb);
  }
  await Promise.all([...sa, ...sb].map((s) => s.close()));
  count(a, warmA.calls + ta.calls);
  count(b, warmB.calls + tb.calls);
  const seconds = (SLICES * SLICE_MS) / 1000;
  return { a: ta.calls / seconds, b: tb.calls / seconds, p50a: p50(ta.latencies), p50b: p50(tb.latencies) };
}

/** The features are on: `say` listed and answered with echo's answer, echo itself hidden and refused. */
async function proveTools(p: BenchPath): Promise<string> {
  const session = await sdkSession(p.url!, 'say');
  try {
    const names = (await session.client.listTools()).tools.map((t) => t.name);
    if (!names.includes('say') || names.includes('echo')) throw new Error(`tools/list: ${names.join(', ')}`);
    await session.echo('renamed');
    count(p, 1);
    const refused = await session.client.callTool({ name: 'echo', arguments: { message: 'x' } }).then(
      (r) => (r.isError ? 'an error result' : undefined),
      (err: Error) => err.message.slice(0, 60),
    );
    if (!refused) throw new Error('echo was answered under its own name');
    return `tools/list: ${names.join(', ')}; echo refused (${refused}...)`;
  } finally {
    await session.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-features-'));
  const collector = await startCollector();
  const server = await everythingHttp();
  const started: BenchPath[] = [];
  try {
    const flags = (name: string) => (PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}/${name}`] : []);
    const plain = await oursWith('plain', dir, server.url, {}, { nodeFlags: flags('plain') });
    started.push(plain);
    const rich: { rate: number; path: BenchPath }[] = [];
    for (const rate of RATES) {
      const name = `features (sampling ${rate})`;
      const p = await oursWith(name, dir, server.url, features(collector, rate), {
        nodeFlags: flags(`features-${rate}`),
      });
      started.push(p);
      rich.push({ rate, path: p });
    }
    if (ONLY !== 'telemetry')
      for (const { path: p } of rich) console.log(`${p.name}: ${await proveTools(p)}`);
    const before = started.map((p) => rssMiB(p.pid!));
    const others = { server: childWith('streamableHttp'), collector: childWith('otelcol') };
    const cpu = () => ({
      proxies: started.map((p) => cpuSeconds(p.pid!)),
      server: cpuSeconds(others.server ?? 0),
      collector: cpuSeconds(others.collector ?? 0),
      bench: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
      calls: started.map((p) => made.get(p.url!.href) ?? 0),
    });
    const cpuBefore = cpu();
    const wallBefore = performance.now();
    console.log(`load average before: ${load()}`);
    console.log(`${SLICES} alternating turns of ${SLICE_MS} ms per path and client; calls/s and p50 ms:`);
    const ratios: number[] = [];
    for (const sessions of LEVELS) {
      for (const plainClient of [false, true]) {
        for (const { rate, path: p } of rich) {
          const label = plainClient ? 'node:http' : 'SDK';
          const f = await turns(calling(plain, 'echo', plainClient), calling(p, TOOL, plainClient), sessions);
          ratios.push(f.b / f.a);
          console.log(
            `  ${String(sessions).padStart(2)} sessions, ${label.padEnd(9)} sampling ${String(rate).padEnd(4)}` +
              ` plain ${f.a.toFixed(0).padStart(5)} (p50 ${f.p50a.toFixed(2)})` +
              `  features ${f.b.toFixed(0).padStart(5)} (p50 ${f.p50b.toFixed(2)})` +
              `  features/plain ${(f.b / f.a).toFixed(2)}x`,
          );
        }
      }
    }
    const lowest = Math.min(...ratios);
    console.log(
      `lowest ratio ${lowest.toFixed(2)}x: target >= ${TARGET}x ${lowest >= TARGET ? 'met' : 'NOT met'}`,
    );
    console.log(`load average after: ${load()}`);
    const [cpuAfter, wall] = [cpu(), (performance.now() - wallBefore) / 1000];
    started.forEach((p, i) => {
      const calls = cpuAfter.calls[i]! - cpuBefore.calls[i]!;
      const perCall = ((cpuAfter.proxies[i]! - cpuBefore.proxies[i]!) * 1e6) / calls;
      console.log(
        `  ${p.name}: RSS ${before[i]!.toFixed(1)} -> ${rssMiB(p.pid!).toFixed(1)} MiB;` +
          ` CPU ${perCall.toFixed(0)} µs per call (${calls} calls)`,
      );
    });
    const share = (k: 'server' | 'collector' | 'bench') =>
      `${(((cpuAfter[k] - cpuBefore[k]) / wall) * 100).toFixed(0)}%`;
    console.log(
      `  CPU over the ${wall.toFixed(0)} s of load, share of one core: server ${share('server')},` +
        ` collector ${share('collector')}, bench clients ${share('bench')}`,
    );
    // Stopping a proxy flushes its pending spans and metrics; the collector writes them within 50 ms.
    await Promise.all(started.splice(0).map((p) => p.stop()));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const [spans, metrics] = [await collector.spans(), await collector.metrics()];
    for (const { rate, path: p } of rich) {
      const service = `bench-features-${rate}`;
      const mine = spans.filter((s) => s.resource['service.name'] === service);
      const calls = mine.filter((s) => s.name === `tools/call ${TOOL}`).length;
      const names = new Set(metrics.filter((m) => m.resource['service.name'] === service).map((m) => m.name));
      console.log(
        `  collector, ${service}: ${mine.length} spans (${calls} "tools/call ${TOOL}") for ~${made.get(p.url!.href)} calls;` +
          ` metrics: ${[...names].sort().join(', ')}`,
      );
    }
  } finally {
    await Promise.all(started.map((p) => p.stop()));
    server.stop();
    await collector.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
