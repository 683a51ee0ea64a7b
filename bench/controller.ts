// bench/controller: the controller (its own process, from source) against its own local control plane.
// For each size: a fresh namespace and a fresh controller watching it; that many MCPServers (the osv
// seed, streamable-http with a builtin profile: 9 children each) created at once (32 concurrent POSTs);
// then the time until all are Ready, the controller's writes per MCPServer counted by kube-apiserver
// itself (apiserver_request_total before and after: server-side APPLY, which nothing else in the
// cluster uses, and mcpservers/status; its Event POSTs from its own metrics, since the API server
// counts everyone's Events together), the writes in a steady window after that, and its RSS.
//
// The time to Ready includes kube-controller-manager (ReplicaSets, Pods), kube-scheduler and KWOK,
// all sharing the machine with the controller and the API server; the write counts do not depend on
// timing. Settings (environment): BENCH_COUNTS (100,500,1000), BENCH_STEADY_SECONDS (60; the issue
// asks for 300), BENCH_WORKERS (the controller's default), BENCH_CPU_PROF=<dir> to write the controller's
// V8 CPU profiles, BENCH_COMPILED=1 to run the controller compiled to JavaScript, as its image does,
// BENCH_NODE_FLAGS=<flags> to start the controller's Node with more V8 flags (memory experiments).
//
// Before each size, unless BENCH_FLOOR=0, the floor in the same run (lib/controller-floor.ts): the same
// children applied by the bench itself with no controller, and the time until their pods are Ready.
// It is what the cluster on this machine needs whatever controller drives it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { startControlPlane, type ControlPlane } from '../controlplane/cluster.ts';
import { repoRoot } from '../controlplane/versions.ts';
import { createLogger } from '../lib/log.ts';
import {
  addFakeNodes,
  controllerWrites,
  watchUntilCount,
  createAll,
  timeline,
  requestDelta,
  requestTotals,
} from './lib/controller-cluster.ts';
import { runFloor, type FloorResult } from './lib/controller-floor.ts';
import {
  startBenchController,
  type BenchController,
  type MemoryBreakdown,
} from './lib/controller-process.ts';
import { DEFAULT_WORKERS } from '../cli/commands/controller.ts';
import type { MCPServer } from '../schemas/generated/mcpserver.ts';
import { installCrd } from './lib/soak-cluster.ts';

const CHILDREN_PER_SERVER = 9;
const GROUP_PATH = '/apis/toolhive.stacklok.dev/v1alpha1';

interface Settings {
  counts: number[];
  steadyMs: number;
  workers: number | undefined;
  cpuProfileDir: string | undefined;
  compiled: boolean;
  floor: boolean;
}

function readSettings(env: NodeJS.ProcessEnv): Settings {
  return {
    counts: (env.BENCH_COUNTS ?? '100,500,1000').split(',').map(Number),
    steadyMs: Number(env.BENCH_STEADY_SECONDS ?? 60) * 1000,
    workers: env.BENCH_WORKERS ? Number(env.BENCH_WORKERS) : undefined,
    cpuProfileDir: env.BENCH_CPU_PROF || undefined,
    compiled: env.BENCH_COMPILED === '1',
    floor: env.BENCH_FLOOR !== '0',
  };
}

interface SizeResult {
  count: number;
  readySeconds: number;
  createSeconds: number;
  writesPerServer: Record<string, number>;
  eventsPerServer: number;
  steadyWrites: Record<string, number>;
  steadyControllerWrites: number;
  steadySeconds: number;
  rssMbAtReady: number;
  rssMbAfterSteady: number;
  /** Where the RSS was at Ready (MiB). */
  memoryAtReady: MemoryBreakdown;
  /** Half / all of each stage done, seconds after creation began (see timeline()). */
  timeline: Record<string, string>;
  /** The same children with no controller (BENCH_FLOOR), in its own namespace just before. */
  floor: FloorResult | undefined;
}

function serverBodies(namespace: string, count: number): MCPServer[] {
  const seed = parse(
    readFileSync(path.join(repoRoot, 'test/fixtures/seed-examples/mcpserver-osv.yaml'), 'utf8'),
  ) as { spec: unknown };
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'toolhive.stacklok.dev/v1alpha1',
    kind: 'MCPServer',
    metadata: { name: `osv-${String(i).padStart(4, '0')}`, namespace },
    spec: seed.spec as MCPServer['spec'],
  }));
}

const isReady = (item: unknown): boolean =>
  (item as { status?: { phase?: string } }).status?.phase === 'Ready';

/** A progress callback that logs `message` every 5 s at most, and once `count` is reached. */
function progressLog(message: string, count: number, fields: Record<string, unknown> = {}) {
  const log = createLogger('bench', 'info');
  let lastLogged = 0;
  return (ready: number, seconds: number): void => {
    if (ready !== count && seconds - lastLogged < 5) return;
    lastLogged = seconds;
    log.info({ ...fields, ready, count, seconds: seconds.toFixed(1) }, message);
  };
}

/** Watches from before creation, so not one transition is missed; resolves when all are Ready. */
function waitAllReady(cp: ControlPlane, namespace: string, count: number, t0: number): Promise<number> {
  return watchUntilCount(
    cp,
    `${GROUP_PATH}/namespaces/${namespace}/mcpservers`,
    { count, ok: isReady },
    t0,
    progressLog('Ready so far', count),
  );
}

const perServer = (writes: Record<string, number>, count: number): Record<string, number> =>
  Object.fromEntries(Object.entries(writes).map(([k, v]) => [k, v / count]));

const controllerPosts = (c: BenchController) =>
  c.metric('mcp_operator_api_requests_total', (l) => l.includes('verb="POST"'));
const controllerNonGets = (c: BenchController) =>
  c.metric('mcp_operator_api_requests_total', (l) => !l.includes('verb="GET"'));

/** What to stop if the bench is interrupted (the control plane's watchdog ends the cluster anyway). */
let running: BenchController | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void (running?.stop() ?? Promise.resolve()).finally(() => process.exit(130)));
}

const createNamespace = (cp: ControlPlane, name: string) =>
  createAll(cp, '/api/v1/namespaces', [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }], 1);

/** The floor for `count`: its children applied by the bench alone, in a namespace of their own. */
async function runFloorSize(cp: ControlPlane, count: number, s: Settings): Promise<FloorResult> {
  const namespace = `floor-${count}`;
  await createNamespace(cp, namespace);
  const result = await runFloor(cp, serverBodies(namespace, count), namespace, {
    workers: s.workers ?? DEFAULT_WORKERS,
    progress: progressLog('Floor pods Ready so far', 2 * count, { floor: true }),
  });
  await sleep(5000); // the cluster's own trailing writes (EndpointSlices, statuses) before ours are timed
  return result;
}

async function runSize(cp: ControlPlane, count: number, s: Settings): Promise<SizeResult> {
  const floor = s.floor ? await runFloorSize(cp, count, s) : undefined;
  const namespace = `bench-${count}`;
  await createNamespace(cp, namespace);
  const controller = await startBenchController({
    kubeconfig: cp.kubeconfig,
    namespace,
    workers: s.workers,
    cpuProfileDir: s.cpuProfileDir,
    compiled: s.compiled,
  });
  running = controller;
  await sleep(1000); // the controller's caches sync and its start-up lists end before counting
  const before = await requestTotals(cp);
  const t0 = performance.now();
  const wallT0 = Date.now() - 500; // timestamps are whole seconds, truncated
  const allReady = waitAllReady(cp, namespace, count, t0);
  await createAll(cp, `${GROUP_PATH}/namespaces/${namespace}/mcpservers`, serverBodies(namespace, count));
  const createSeconds = (performance.now() - t0) / 1000;
  const readySeconds = await allReady;
  await sleep(2000); // the last status writes after the last Ready
  const atReady = await requestTotals(cp);
  const rssMbAtReady = controller.rssMb();
  const memoryAtReady = await controller.memory();
  const stages = await timeline(cp, namespace, wallT0);
  const eventsPerServer = (await controllerPosts(controller)) / count;
  const steadyStart = { totals: atReady, ours: await controllerNonGets(controller), t: performance.now() };
  await sleep(s.steadyMs);
  const steadyWrites = controllerWrites(requestDelta(steadyStart.totals, await requestTotals(cp)));
  const result: SizeResult = {
    count,
    readySeconds,
    createSeconds,
    writesPerServer: perServer(controllerWrites(requestDelta(before, atReady)), count),
    eventsPerServer,
    steadyWrites,
    steadyControllerWrites: (await controllerNonGets(controller)) - steadyStart.ours,
    steadySeconds: (performance.now() - steadyStart.t) / 1000,
    rssMbAtReady,
    memoryAtReady,
    rssMbAfterSteady: controller.rssMb(),
    timeline: stages,
    floor,
  };
  await controller.stop();
  running = undefined;
  return result;
}

function report(results: SizeResult[]): string {
  const lines = [
    '',
    'MCPServers  created in  all Ready in  floor: applied · Ready  writes/MCPServer (APPLY · status · events)  steady writes  RSS at Ready · after',
  ];
  for (const r of results) {
    const apply = Object.entries(r.writesPerServer)
      .filter(([k]) => k.startsWith('APPLY'))
      .reduce((a, [, v]) => a + v, 0);
    const status = Object.entries(r.writesPerServer)
      .filter(([k]) => k.includes('mcpservers/status'))
      .reduce((a, [, v]) => a + v, 0);
    const steady = Object.values(r.steadyWrites).reduce((a, v) => a + v, 0);
    lines.push(
      [
        String(r.count).padStart(10),
        `${r.createSeconds.toFixed(1)} s`.padStart(10),
        `${r.readySeconds.toFixed(1)} s`.padStart(12),
        (r.floor
          ? `${r.floor.appliedSeconds.toFixed(1)} · ${r.floor.readySeconds.toFixed(1)} s`
          : '-'
        ).padStart(22),
        `${apply.toFixed(2)} · ${status.toFixed(2)} · ${r.eventsPerServer.toFixed(2)}`.padStart(44),
        `${steady} in ${r.steadySeconds.toFixed(0)} s`.padStart(14),
        `${r.rssMbAtReady.toFixed(0)} · ${r.rssMbAfterSteady.toFixed(0)} MiB`.padStart(21),
      ].join('  '),
    );
  }
  lines.push(
    '',
    `Targets: writes ≤ ${CHILDREN_PER_SERVER} APPLY (one per child) + 3 status per MCPServer; 0 steady writes; ` +
      '1,000 Ready < 60 s; RSS < 150 MiB',
    'floor: the same children applied by the bench with no controller (16 servers at a time, two waves ' +
      'each), until the last is applied · until every pod is Ready',
  );
  for (const r of results) lines.push(`${r.count}: ${JSON.stringify(r.writesPerServer)}`);
  for (const r of results)
    lines.push(`${r.count} (half / all, after creation began): ${JSON.stringify(r.timeline)}`);
  for (const r of results) {
    const { process: p, heap } = r.memoryAtReady;
    const v8 = heap
      ? `; V8 heap ${heap.usedMiB.toFixed(1)} used of ${heap.totalMiB.toFixed(1)}, external ${heap.externalMiB.toFixed(1)}`
      : '';
    lines.push(
      `${r.count} memory at Ready, MiB: RSS ${p.rssMiB.toFixed(1)} = anonymous ${p.anonMiB.toFixed(1)} + ` +
        `files ${p.fileMiB.toFixed(1)}${v8}`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const settings = readSettings(process.env);
  const log = createLogger('bench', process.env.LOG_LEVEL ?? 'warn');
  const cp = await startControlPlane({ log });
  try {
    await installCrd(cp);
    // Two pods per MCPServer, and as many again for the floor.
    await addFakeNodes(cp, (settings.floor ? 4 : 2) * settings.counts.reduce((a, b) => a + b, 0));
    const results: SizeResult[] = [];
    for (const count of settings.counts) {
      results.push(await runSize(cp, count, settings));
      process.stderr.write(`${JSON.stringify(results.at(-1))}\n`); // kept if a later size is cut short
    }
    process.stdout.write(`${report(results)}\n${JSON.stringify({ settings, results })}\n`);
  } finally {
    await cp.stop();
  }
}

await main();
