// bench/soak: the operator under steady MCPServer churn for a long time, with admission in the path of
// every write. Its own local control plane; the operator as its pod runs it (`mcp-operator run`:
// webhooks and controller in one child process, the webhook configurations pointing at it on loopback)
// and as the image runs it (compiled JavaScript, the Dockerfile's ENV: soak-image.ts); one proxy child
// (stdio, server-everything, run the same way) under a light client load. For SOAK_MINUTES, one create,
// update (a spec change that rolls the workload) or delete every SOAK_OP_MS, keeping about SOAK_LIVE
// MCPServers alive. Every SOAK_SAMPLE_SECONDS: the operator's memory by kind (RssAnon and RssFile from
// /proc; V8 heap committed and used, new space, external memory from its /metrics: soak-memory.ts), the
// proxy's RSS and heap, and the API server's write count. At the end: the churn stops, and once the
// cluster has converged (or SOAK_CONVERGE_SECONDS have passed) the missed events are counted
// (soak-analysis.ts). Exits 1 if any event was missed.
//
// Settings (environment): SOAK_MINUTES (30), SOAK_LIVE (60), SOAK_SAMPLE_SECONDS (30), SOAK_OP_MS (400),
// SOAK_CONVERGE_SECONDS (120), SOAK_SEED (1), SOAK_NODES (3 extra KWOK nodes of 110 pods),
// SOAK_COMPILED (1; 0 runs cli/main.ts from source, type stripper included), SOAK_ENV (a JSON object of
// variables set over the image's, to try a setting before it goes into the Dockerfile).
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane, type ControlPlane } from '../controlplane/cluster.ts';
import { createLogger } from '../lib/log.ts';
import { missedEvents, type MissedEvent } from './lib/soak-analysis.ts';
import { createChurn, type Churn } from './lib/soak-churn.ts';
import {
  SOAK_NAMESPACE,
  addNodes,
  apiServerCounters,
  installCrd,
  observeCluster,
  preparePrerequisites,
  registerWebhooks,
} from './lib/soak-cluster.ts';
import { startClientLoad, startSoakProxy, type ClientLoad, type SoakProxy } from './lib/soak-mcp-load.ts';
import { prepareImage } from './lib/soak-image.ts';
import { cpuSeconds, processMemory } from './lib/soak-memory.ts';
import { startSoakOperator, type SoakOperator } from './lib/soak-operator.ts';
import {
  SAMPLE_HEADER,
  SAMPLE_LEGEND,
  sampleRow,
  summaryText,
  trends,
  type Sample,
  type SoakSummary,
} from './lib/soak-report.ts';

interface Settings {
  minutes: number;
  live: number;
  sampleSeconds: number;
  opMs: number;
  convergeSeconds: number;
  seed: number;
  nodes: number;
  compiled: boolean;
  env: Record<string, string>;
}

function readSettings(env: NodeJS.ProcessEnv): Settings {
  const num = (name: string, fallback: number) => Number(env[name] ?? fallback);
  return {
    minutes: num('SOAK_MINUTES', 30),
    live: num('SOAK_LIVE', 60),
    sampleSeconds: num('SOAK_SAMPLE_SECONDS', 30),
    opMs: num('SOAK_OP_MS', 400),
    convergeSeconds: num('SOAK_CONVERGE_SECONDS', 120),
    seed: num('SOAK_SEED', 1),
    nodes: num('SOAK_NODES', 3),
    compiled: (env.SOAK_COMPILED ?? '1') !== '0',
    env: JSON.parse(env.SOAK_ENV ?? '{}') as Record<string, string>,
  };
}

const progress = (line: string) =>
  process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim();

/** Everything started, so any exit path (including a signal) stops it. */
const started: { cp?: ControlPlane; operator?: SoakOperator; proxy?: SoakProxy; load?: ClientLoad } = {};

async function stopAll(): Promise<void> {
  await started.load?.stop().catch(() => undefined);
  await started.proxy?.stop().catch(() => undefined);
  await started.operator?.stop().catch(() => undefined);
  await started.cp?.stop().catch(() => undefined);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopAll().finally(() => process.exit(130)));
}

/** Takes a sample every `everyMs` until stopped; resolves with all of them. */
function startSampler(
  take: () => Promise<Sample>,
  everyMs: number,
): { samples: Sample[]; stop(): Promise<Sample[]> } {
  const samples: Sample[] = [];
  let stopping = false;
  const loop = (async () => {
    for (let next = performance.now(); !stopping;) {
      const sample = await take();
      samples.push(sample);
      progress(sampleRow(sample));
      next += everyMs;
      while (!stopping && performance.now() < next)
        await sleep(Math.max(0, Math.min(1000, next - performance.now())));
    }
  })();
  return {
    samples,
    async stop() {
      stopping = true;
      await loop;
      return samples;
    },
  };
}

/** Checks until nothing is missed or the time is up; resolves with the last check and when it ran. */
async function checkAfterConvergence(
  cp: ControlPlane,
  churn: Churn,
  timeoutMs: number,
): Promise<{ missed: MissedEvent[]; seconds: number }> {
  const t0 = performance.now();
  for (;;) {
    const { servers, children } = await observeCluster(cp);
    const missed = missedEvents(churn.servers, servers, children);
    const seconds = (performance.now() - t0) / 1000;
    if (!missed.length || seconds * 1000 >= timeoutMs) return { missed, seconds };
    progress(
      `converging: ${missed.length} not yet as expected after ${seconds.toFixed(0)} s (${missed[0]!.server}: ${missed[0]!.what})`,
    );
    await sleep(5000);
  }
}

async function main(): Promise<number> {
  const s = readSettings(process.env);
  const loadAtStart = loadavg();
  progress(`settings ${JSON.stringify(s)}; loadavg ${loadAtStart}`);
  const prepared = await prepareImage(s.compiled);
  const image = { ...prepared, env: { ...prepared.env, ...s.env } };
  progress(
    `running ${image.script} with the image's environment ${JSON.stringify(image.env)} and Node flags ${image.nodeFlags.join(' ')}`,
  );
  const cp = await startControlPlane({ log: createLogger('soak', process.env.LOG_LEVEL ?? 'warn') });
  started.cp = cp;
  await installCrd(cp);
  await addNodes(cp, s.nodes);
  await preparePrerequisites(cp);
  const operator = await startSoakOperator({
    kubeconfig: cp.kubeconfig,
    namespace: SOAK_NAMESPACE,
    script: image.script,
    env: image.env,
    nodeFlags: image.nodeFlags,
  });
  started.operator = operator;
  await registerWebhooks(cp, operator.webhookPort, operator.caPem);
  // Admission is counted from here (after the probe's denials), the fill included.
  const admissionBefore = await apiServerCounters(cp);
  progress(`control plane, operator (pid ${operator.pid}) and webhooks up`);
  const proxy = await startSoakProxy(image);
  started.proxy = proxy;
  const load = startClientLoad(proxy.url, { callsPerSession: 3, pauseMs: 500 });
  started.load = load;
  progress(`proxy (pid ${proxy.pid}) up, client load started`);

  const churn = createChurn(cp, { target: s.live, intervalMs: s.opMs, seed: s.seed });
  await churn.fill(s.live, 2);
  progress(`${churn.live()} MCPServers created; churn begins for ${s.minutes} min`);

  const before = await apiServerCounters(cp);
  const opsBefore = churn.counts.create + churn.counts.update + churn.counts.delete;
  const t0 = performance.now();
  const sampler = startSampler(async () => {
    const counters = await apiServerCounters(cp);
    return {
      seconds: Math.round((performance.now() - t0) / 1000),
      operator: processMemory(operator.pid),
      operatorHeap: await operator.heap(),
      operatorCpuSeconds: cpuSeconds(operator.pid),
      proxyRssMiB: processMemory(proxy.pid).rssMiB,
      proxyHeapMiB: await proxy.heapMiB(),
      writes: counters.writes - before.writes,
      operations: churn.counts.create + churn.counts.update + churn.counts.delete - opsBefore,
      live: churn.live(),
    };
  }, s.sampleSeconds * 1000);
  process.stderr.write(`${SAMPLE_LEGEND}\n${SAMPLE_HEADER}\n`);
  await churn.run(t0 + s.minutes * 60_000);
  const samples = await sampler.stop();
  const churnMinutes = (performance.now() - t0) / 60_000;
  progress(`churn stopped after ${churnMinutes.toFixed(1)} min; waiting for convergence`);

  const { missed, seconds } = await checkAfterConvergence(cp, churn, s.convergeSeconds * 1000);
  await load.stop();
  const after = await apiServerCounters(cp);
  if (!operator.alive()) missed.push({ server: '(operator)', what: `exited: ${operator.lastLines()}` });
  const summary: SoakSummary = {
    minutes: churnMinutes,
    operations: { create: churn.counts.create, update: churn.counts.update, delete: churn.counts.delete },
    liveAtEnd: churn.live(),
    deletedTotal: churn.servers.filter((x) => x.deleted).length,
    missedEvents: missed.length,
    missed,
    convergedSeconds: seconds,
    // Our writes refused by admission, and mutating-webhook failures the API server let through.
    failedAdmissions: churn.counts.deniedByAdmission + (after.failOpen - admissionBefore.failOpen),
    failedWrites: churn.counts.deniedByAdmission + churn.counts.otherFailures,
    admittedWrites: churn.counts.create + churn.counts.update,
    validatingWebhookCalls: after.validations - admissionBefore.validations,
    webhookRejections: after.rejections - admissionBefore.rejections,
    proxy: load.counts,
    memory: trends(samples),
    writes: samples.at(-1)?.writes ?? 0,
    errors: [...churn.counts.errors, ...load.counts.errors],
  };
  const loadAtEnd = loadavg();
  process.stdout.write(
    [
      '',
      `Operator: ${image.script}, environment ${JSON.stringify(image.env)}`,
      SAMPLE_LEGEND,
      SAMPLE_HEADER,
      ...samples.map(sampleRow),
      '',
      summaryText(summary),
      `Load average at start: ${loadAtStart}; at end: ${loadAtEnd}`,
      JSON.stringify({
        settings: s,
        loadAtStart,
        loadAtEnd,
        summary: { ...summary, missed: missed.slice(0, 20) },
        samples,
      }),
      '',
    ].join('\n'),
  );
  return missed.length > 0 ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  process.stderr.write(`soak failed: ${(err as Error).stack ?? String(err)}\n`);
  if (started.operator) process.stderr.write(`operator's last lines:\n${started.operator.lastLines()}\n`);
} finally {
  await stopAll();
}
process.exit(code);
