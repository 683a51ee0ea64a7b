// bench/toolhive: ToolHive's operator (v0.44.0, controlplane/versions.env) and ours side by side, in the
// same run, on KWOK (issue 18). For each size and each operator: a fresh local control plane with KWOK
// nodes for two pods per MCPServer, the operator's own CRDs (never both in one cluster: the two
// mcpservers CRDs share a name), the operator out of cluster watching one namespace, then that many copies
// of ToolHive's yardstick example (streamable-http) created at once (32 concurrent POSTs, the same bodies
// for both), the time until each is Ready by status.phase, kube-apiserver's count of writes, the writes at
// rest after, and the operator's RSS and CPU from /proc. Ours runs as bench/controller.ts runs it
// (lib/controller-process.ts, from source; BENCH_COMPILED=1 compiled as its image runs it).
//
// ToolHive's binaries are built when missing (build-binaries.sh toolhive, about 3 minutes cold); its CRDs and
// example come from its module in the Go module cache. Its operator's log: .cache/bench/thv-operator-<n>.log.
// Settings (environment): BENCH_COUNTS (100), BENCH_STEADY_SECONDS (60), BENCH_SUBJECTS (toolhive,ours),
// BENCH_WORKLOADS (scale; `manifests,scale` adds toolhive/manifests.ts: the seed guide's manifests and
// ToolHive's examples applied unchanged to each operator, admitted or refused, Ready within
// BENCH_READY_SECONDS, 60).
// Holds /tmp/bench.lock; stops every cluster and operator it started before it exits.
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import type { ControlPlane } from '../controlplane/cluster.ts';
import { cacheDir } from '../controlplane/versions.ts';
import { createLogger, type Logger } from '../lib/log.ts';
import { createAll } from './lib/controller-cluster.ts';
import { startBenchController } from './lib/controller-process.ts';
import { BENCH_LOCK, holdLocks } from './lib/locks.ts';
import { installCrd } from './lib/soak-cluster.ts';
import { measure, type Result, type Subject } from './toolhive/measure.ts';
import { manifestsTable, type OperatorRun } from './toolhive/manifests-report.ts';
import { oursManifestSubject, runManifests, toolhiveManifestSubject } from './toolhive/manifests.ts';
import { table } from './toolhive/report.ts';
import {
  ensureBinaries,
  installToolhiveCrds,
  moduleDir,
  startThvOperator,
  toolhiveVersion,
} from './toolhive/thv-operator.ts';
import { yardstickServers } from './toolhive/workload.ts';

const EXAMPLE = 'examples/operator/mcp-servers/mcpserver_yardstick_streamablehttp.yaml';
const POD_NAMESPACE = 'toolhive-system';

const settings = {
  counts: (process.env.BENCH_COUNTS ?? '100').split(',').map(Number),
  steadyMs: Number(process.env.BENCH_STEADY_SECONDS ?? 60) * 1000,
  subjects: (process.env.BENCH_SUBJECTS ?? 'toolhive,ours').split(','),
  compiled: process.env.BENCH_COMPILED === '1',
  workloads: (process.env.BENCH_WORKLOADS ?? 'scale').split(','),
  readyMs: Number(process.env.BENCH_READY_SECONDS ?? 60) * 1000,
};

function toolhiveSubject(binaries: string, version: string, module: string, count: number): Subject {
  const logDir = path.join(cacheDir(), 'bench');
  mkdirSync(logDir, { recursive: true });
  return {
    name: `ToolHive ${version}`,
    install: (cp) => installToolhiveCrds(cp, module),
    async start(cp: ControlPlane, namespace: string) {
      const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: POD_NAMESPACE } };
      await createAll(cp, '/api/v1/namespaces', [ns], 1);
      return startThvOperator({
        binaries,
        version,
        kubeconfig: cp.kubeconfig,
        namespace,
        podNamespace: POD_NAMESPACE,
        logFile: openSync(path.join(logDir, `thv-operator-${count}.log`), 'w'),
      });
    },
  };
}

const oursSubject: Subject = {
  name: settings.compiled ? 'ours (compiled)' : 'ours',
  install: installCrd,
  start: (cp, namespace) =>
    startBenchController({
      kubeconfig: cp.kubeconfig,
      namespace,
      workers: undefined,
      compiled: settings.compiled,
    }),
};

let stopRunning: (() => Promise<void>) | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // The control plane's watchdog ends the cluster once this process is gone.
  process.once(signal, () => void (stopRunning?.() ?? Promise.resolve()).finally(() => process.exit(130)));
}

async function manifests(binaries: string, version: string, module: string, log: Logger): Promise<void> {
  const runs: OperatorRun[] = [];
  for (const name of settings.subjects) {
    const logFile = path.join(cacheDir(), 'bench', 'thv-operator-manifests.log');
    mkdirSync(path.dirname(logFile), { recursive: true });
    const subject =
      name === 'ours' ? oursManifestSubject : toolhiveManifestSubject({ binaries, version, module, logFile });
    process.stderr.write(
      `${subject.name}: the seed manifests and ToolHive's examples on a fresh control plane\n`,
    );
    const run = await runManifests(subject, {
      readyMs: settings.readyMs,
      log,
      onStarted: (stop) => (stopRunning = stop),
    });
    stopRunning = undefined;
    runs.push(run);
    process.stderr.write(`${JSON.stringify(run)}\n`); // kept if a later run is cut short
  }
  process.stdout.write(`${manifestsTable(runs)}\n`);
}

async function main(): Promise<void> {
  const log = createLogger('bench', process.env.LOG_LEVEL ?? 'warn');
  await holdLocks([BENCH_LOCK], (line) => process.stderr.write(`${line}\n`));
  const version = toolhiveVersion();
  const binaries = await ensureBinaries(version);
  const module = await moduleDir(version);
  if (settings.workloads.includes('manifests')) await manifests(binaries, version, module, log);
  if (!settings.workloads.includes('scale')) return;
  const example = readFileSync(path.join(module, EXAMPLE), 'utf8');
  const results: Result[] = [];
  for (const count of settings.counts) {
    for (const name of settings.subjects) {
      const subject = name === 'ours' ? oursSubject : toolhiveSubject(binaries, version, module, count);
      process.stderr.write(`${subject.name}: ${count} MCPServers on a fresh control plane\n`);
      const result = await measure(subject, (ns) => yardstickServers(example, ns, count), {
        steadyMs: settings.steadyMs,
        log,
        onStarted: (stop) => (stopRunning = stop),
      });
      stopRunning = undefined;
      results.push(result);
      process.stderr.write(`${JSON.stringify(result)}\n`); // kept if a later run is cut short
    }
  }
  const load = loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');
  process.stdout.write(`${table(results, load)}\n${JSON.stringify({ settings, results })}\n`);
}

await main();
