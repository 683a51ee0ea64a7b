// Benchmark: tools/call round trips on server-everything's echo tool at 1, 8 and 32 concurrent sessions,
// each session calling in a closed loop, through every path in the same run (bench/lib/mcp-paths.ts):
//   direct                   the SDK client on the stdio server, one server per session: the floor;
//   floor (HTTP, no server)  an endpoint answering echo at once: what the SDK's HTTP client costs alone,
//                            so the least any HTTP path can add and the highest ratio to supergateway;
//   floor proxy (stdio)      the least an HTTP-to-stdio proxy can do (lib/mcp-floor-proxy.ts): the floor
//                            of ours, and the highest ratio to supergateway a Node proxy reaches here;
//   ours (stdio)             mcp-operator proxy, one stdio server shared by all sessions;
//   ours (stdio, JWT + Cedar + audit)  the same with authentication, a Cedar policy and audit lines on
//                            (lib/auth-path.ts): each session presents its own bearer token;
//   ours (streamable-http)   mcp-operator proxy in front of server-everything's own HTTP server;
//   supergateway --stateful  supergateway 4, streamable HTTP, one server process per session.
// Prints requests/s, p50 and p99, the p50 the proxy adds over direct, our throughput as a ratio to
// supergateway's reached by the same client (", node:http" rows against supergateway's node:http row),
// and the resident memory of the proxy process alone (not its server), idle and after. Our proxy runs with
// the image's Node flags (its ENTRYPOINT's and its NODE_OPTIONS, on the command line).
// Settings: PROXY_BENCH_SESSIONS (1,8,32), PROXY_BENCH_SECONDS per measurement (2),
// PROXY_BENCH_BASELINE=path/to/cli/main.ts adds "baseline (stdio)" from another tree (before/after in
// one run), PROXY_BENCH_SLICES (24) turns of 250 ms each of the open and authenticated paths for their ratio,
// PROXY_BENCH_CPU_PROF=DIR writes our stdio proxies' CPU profiles there
// (the open one's and the authenticated one's).
// Run with `node bench/proxy.ts` or `make bench`.
import { loadavg } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { createHistogram } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { oursStdioAuthenticated } from './lib/auth-path.ts';
import { compileServers, compiledPath } from './lib/compile.ts';
import {
  directHttp,
  directPath,
  floorHttp,
  floorProxy,
  oursHttp,
  oursStdio,
  rssMiB,
  supergateway,
  withPlainClient,
  type BenchPath,
  type BenchSession,
} from './lib/mcp-paths.ts';

const LEVELS = (process.env.PROXY_BENCH_SESSIONS ?? '1,8,32').split(',').map(Number);
const SECONDS = Number(process.env.PROXY_BENCH_SECONDS ?? 2);
const WARMUP_SECONDS = 0.5;
const WARMUP_PATH_SECONDS = 1;
const BASELINE = process.env.PROXY_BENCH_BASELINE && resolvePath(process.env.PROXY_BENCH_BASELINE);
const PROFILE_DIR = process.env.PROXY_BENCH_CPU_PROF;
const SLICES = Number(process.env.PROXY_BENCH_SLICES ?? 24);
const SLICE_MS = 250;

interface Figures {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Opens the sessions, warms up, then calls echo in a closed loop on each until the time is up. */
async function measure(path: BenchPath, sessions: number, seconds = SECONDS): Promise<Figures> {
  const open = await Promise.all(Array.from({ length: sessions }, () => path.connect()));
  const run = async (seconds: number, record: (ns: bigint) => void) => {
    const deadline = performance.now() + seconds * 1000;
    let calls = 0;
    await Promise.all(
      open.map(async (session) => {
        for (let i = 0; performance.now() < deadline; i++, calls++) {
          const t0 = process.hrtime.bigint();
          await session.echo(`m${i}`);
          record(process.hrtime.bigint() - t0);
        }
      }),
    );
    return calls;
  };
  await run(WARMUP_SECONDS, () => undefined);
  const histogram = createHistogram();
  const started = performance.now();
  const calls = await run(seconds, (ns) => histogram.record(ns));
  const perSecond = calls / ((performance.now() - started) / 1000);
  await Promise.all(open.map((s) => s.close()));
  // Closed sessions' processes (direct, supergateway) exit now; let them go before the next path.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { perSecond, p50Ms: histogram.percentile(50) / 1e6, p99Ms: histogram.percentile(99) / 1e6 };
}

async function startPaths(): Promise<BenchPath[]> {
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const ours = await oursStdio('ours (stdio)', undefined, profile);
  const floor = await floorHttp();
  const proxyFloor = await floorProxy();
  const paths = [directPath(), floor, withPlainClient(floor), proxyFloor, withPlainClient(proxyFloor)];
  paths.push(ours, withPlainClient(ours));
  const authenticated = await oursStdioAuthenticated(AUTHENTICATED, 64, profile);
  paths.push(authenticated, withPlainClient(authenticated));
  if (BASELINE) {
    const baseline = await oursStdio('baseline (stdio)', BASELINE);
    paths.push(baseline, withPlainClient(baseline));
  }
  paths.push(await directHttp(), await oursHttp('ours (streamable-http)'));
  if (BASELINE) paths.push(await oursHttp('baseline (streamable-http)', BASELINE));
  // supergateway with both clients, so that each of our rows is compared with the same client's.
  const gateway = await supergateway();
  paths.push(gateway, withPlainClient(gateway));
  return paths;
}

const AUTHENTICATED = 'ours (stdio, JWT + Cedar + audit)';

/** Calls completed by each session in a closed loop until the deadline. */
async function closedLoop(sessions: BenchSession[], ms: number): Promise<number> {
  const deadline = performance.now() + ms;
  let calls = 0;
  await Promise.all(
    sessions.map(async (session) => {
      for (let i = 0; performance.now() < deadline; i++, calls++) await session.echo(`m${i}`);
    }),
  );
  return calls;
}

/**
 * The authenticated path's calls/s over the open one's, by the same client. Both paths keep their
 * sessions open and take turns of SLICE_MS, in the order ABBA repeated, for SLICES turns each, and the
 * ratio is of their summed calls: whatever else the machine does in those seconds falls on both alike.
 * (Two measurements of seconds each, even back to back, differed by up to 1.4x on this machine.)
 */
async function authenticatedRatios(paths: BenchPath[], sessions: number): Promise<string> {
  const parts: string[] = [];
  for (const client of ['', ', node:http']) {
    const open = paths.find((p) => p.name === `ours (stdio)${client}`);
    const auth = paths.find((p) => p.name === `${AUTHENTICATED}${client}`);
    if (!open || !auth) continue;
    const connect = (path: BenchPath) => Promise.all(Array.from({ length: sessions }, () => path.connect()));
    const [a, b] = [await connect(open), await connect(auth)];
    await closedLoop(a, WARMUP_SECONDS * 1000);
    await closedLoop(b, WARMUP_SECONDS * 1000);
    let [openCalls, authCalls] = [0, 0];
    for (let turn = 0; turn < SLICES; turn++) {
      const authFirst = turn % 2 === 1;
      if (authFirst) authCalls += await closedLoop(b, SLICE_MS);
      openCalls += await closedLoop(a, SLICE_MS);
      if (!authFirst) authCalls += await closedLoop(b, SLICE_MS);
    }
    await Promise.all([...a, ...b].map((s) => s.close()));
    parts.push(`${client ? 'node:http' : 'SDK'} client ${(authCalls / openCalls).toFixed(2)}x`);
  }
  return parts.join(', ');
}

const cell = (text: string, width: number) => text.padStart(width);
const ms = (n: number) => n.toFixed(2);

/** A row; the p50 added is over direct on the same server transport (stdio, or streamable-http). */
function row(name: string, f: Figures, figures: Map<string, Figures>): string {
  const ours = /^(ours|baseline|floor)/.test(name);
  const plainClient = name.endsWith(', node:http');
  const gateway = figures.get(`supergateway --stateful${plainClient ? ', node:http' : ''}`);
  const direct = figures.get(
    name.includes('streamable-http') ? 'direct (streamable-http)' : 'direct (stdio)',
  )!;
  const delta = f.p50Ms - direct.p50Ms;
  const added = ours ? `${delta >= 0 ? '+' : ''}${ms(delta)}` : '';
  const ratio = ours && gateway ? `${(f.perSecond / gateway.perSecond).toFixed(1)}x` : '';
  return `| ${name.padEnd(44)} |${cell(f.perSecond.toFixed(0), 8)} |${cell(ms(f.p50Ms), 7)} |${cell(
    ms(f.p99Ms),
    7,
  )} |${cell(added, 8)} |${cell(ratio, 6)} |`;
}

async function level(paths: BenchPath[], sessions: number): Promise<void> {
  const figures = new Map<string, Figures>();
  // The ratio first, after the previous level's processes (supergateway's servers) have settled.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const ratios = await authenticatedRatios(paths, sessions);
  for (const path of paths) figures.set(path.name, await measure(path, sessions));
  console.log(`\n${sessions} session${sessions === 1 ? '' : 's'}:`);
  console.log(`| ${'path'.padEnd(44)} | calls/s | p50 ms | p99 ms | +p50 ms | vs sg |`);
  console.log(`|${'-'.repeat(46)}|--------:|-------:|-------:|--------:|------:|`);
  for (const [name, f] of figures) console.log(row(name, f, figures));
  console.log(
    `authenticated (JWT + Cedar + audit) over open, calls/s in ${SLICES} alternating turns of ${SLICE_MS} ms each: ${ratios}`,
  );
}

/** Idle RSS of our proxy compiled to JavaScript, as a container image runs it (no type stripper). */
async function compiledIdleRss(cli: string, label: string): Promise<string> {
  await compileServers([cli]);
  const figures: string[] = [];
  for (const start of [oursStdio, oursHttp]) {
    const backend = start === oursStdio ? 'stdio' : 'streamable-http';
    const path = await start(`${label} (${backend})`, compiledPath(cli));
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      figures.push(`${path.name} ${rssMiB(path.pid!).toFixed(1)}`);
    } finally {
      await path.stop();
    }
  }
  return figures.join(', ');
}

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  console.log(
    `proxy bench: tools/call (echo) in a closed loop per session, ${SECONDS} s per measurement after ${WARMUP_SECONDS} s warm-up; load average ${load()}`,
  );
  const paths = await startPaths();
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idle = paths.filter((p) => p.pid).map((p) => `${p.name} ${rssMiB(p.pid!).toFixed(1)}`);
    // JIT warm-up of every process, the bench's own HTTP and stdio clients included: the first path
    // measured would otherwise pay for compiling code the others then reuse.
    for (const path of paths) await measure(path, 4, WARMUP_PATH_SECONDS);
    for (const sessions of LEVELS) await level(paths, sessions);
    const after = paths.filter((p) => p.pid).map((p) => `${p.name} ${rssMiB(p.pid!).toFixed(1)}`);
    console.log(`\nRSS of the proxy or gateway process alone, MiB, idle: ${idle.join(', ')}`);
    console.log(`  after the run (sessions closed): ${after.join(', ')}`);
    const ours = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
    const compiled = [await compiledIdleRss(ours, 'ours')];
    if (BASELINE) compiled.push(await compiledIdleRss(BASELINE, 'baseline'));
    console.log(`  compiled to JavaScript, idle: ${compiled.join(', ')}`);
    console.log(`load average at the end: ${load()}`);
  } finally {
    await Promise.all(paths.map((p) => p.stop()));
  }
}

await main();
