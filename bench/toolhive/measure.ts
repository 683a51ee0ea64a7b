// One operator, one size, one fresh control plane: bench/controller.ts's cluster steps (KWOK nodes, 32
// concurrent creations, a watch until Ready, apiserver_request_total before and after) around an operator
// process whose RSS and CPU are read from /proc.
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane, type ControlPlane } from '../../controlplane/cluster.ts';
import type { Logger } from '../../lib/log.ts';
import {
  addFakeNodes,
  createAll,
  requestDelta,
  requestTotals,
  watchUntilCount,
} from '../lib/controller-cluster.ts';
import { cpuSeconds, processMemory } from '../lib/soak-memory.ts';
import { classifyWrites, GROUP_VERSION_PATH, isReady, type Manifest, type Writes } from './workload.ts';

export interface Subject {
  name: string;
  /** Installs the subject's CRDs on the fresh cluster. */
  install(cp: ControlPlane): Promise<void>;
  /** Starts the operator watching `namespace`; resolves once it is up (caches synced, or close to it). */
  start(cp: ControlPlane, namespace: string): Promise<{ pid: number; stop(): Promise<void> }>;
}

export interface Result {
  subject: string;
  count: number;
  createSeconds: number;
  /** Seconds after creation began until half / all were Ready. */
  halfReadySeconds: number;
  readySeconds: number;
  /** Writes from creation until 2 s after the last Ready. */
  writes: Writes;
  /** Writes in the steady window after that. */
  steady: Writes;
  steadySeconds: number;
  rssMiB: { idle: number; ready: number; steady: number };
  /** User + system CPU seconds of the operator process: from start to idle, to Ready, in the steady window. */
  cpuSeconds: { start: number; toReady: number; steady: number };
}

const NAMESPACE = 'bench';

async function createNamespace(cp: ControlPlane, name: string): Promise<void> {
  const body = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
  await createAll(cp, '/api/v1/namespaces', [body], 1);
}

export async function measure(
  subject: Subject,
  bodies: (namespace: string) => Manifest[],
  o: { steadyMs: number; log: Logger; onStarted?: (stop: () => Promise<void>) => void },
): Promise<Result> {
  const cp = await startControlPlane({ log: o.log });
  let operator: { pid: number; stop(): Promise<void> } | undefined;
  try {
    await subject.install(cp);
    const servers = bodies(NAMESPACE);
    const count = servers.length;
    await addFakeNodes(cp, 2 * count); // two pods per MCPServer at most (ours: proxy and server)
    await createNamespace(cp, NAMESPACE);
    operator = await subject.start(cp, NAMESPACE);
    const started = operator;
    o.onStarted?.(() => started.stop());
    await sleep(5000); // caches synced, start-up lists over: the idle figures
    const pid = operator.pid;
    const cpu0 = cpuSeconds(pid);
    const rssIdle = processMemory(pid).rssMiB;
    const before = await requestTotals(cp);
    const t0 = performance.now();
    let halfReadySeconds = NaN;
    const allReady = watchUntilCount(
      cp,
      `${GROUP_VERSION_PATH}/namespaces/${NAMESPACE}/mcpservers`,
      { count, ok: isReady },
      t0,
      (ready, seconds) => {
        if (ready >= count / 2 && Number.isNaN(halfReadySeconds)) halfReadySeconds = seconds;
        o.log.info({ subject: subject.name, ready, count, seconds: seconds.toFixed(1) }, 'Ready so far');
      },
    );
    await createAll(cp, `${GROUP_VERSION_PATH}/namespaces/${NAMESPACE}/mcpservers`, servers);
    const createSeconds = (performance.now() - t0) / 1000;
    const readySeconds = await allReady;
    await sleep(2000); // the last status writes after the last Ready
    const atReady = await requestTotals(cp);
    const cpuReady = cpuSeconds(pid);
    const rssReady = processMemory(pid).rssMiB;
    const steadyT0 = performance.now();
    await sleep(o.steadyMs);
    const after = await requestTotals(cp);
    const steadySeconds = (performance.now() - steadyT0) / 1000;
    return {
      subject: subject.name,
      count,
      createSeconds,
      halfReadySeconds,
      readySeconds,
      writes: classifyWrites(requestDelta(before, atReady), count),
      steady: classifyWrites(requestDelta(atReady, after)),
      steadySeconds,
      rssMiB: { idle: rssIdle, ready: rssReady, steady: processMemory(pid).rssMiB },
      cpuSeconds: { start: cpu0, toReady: cpuReady - cpu0, steady: cpuSeconds(pid) - cpuReady },
    };
  } finally {
    await operator?.stop();
    await cp.stop();
  }
}
