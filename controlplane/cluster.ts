// A local Kubernetes control plane, in the spirit of controller-runtime's envtest but fuller: etcd,
// kube-apiserver (RBAC and admission webhooks on), kube-controller-manager, kube-scheduler and KWOK with
// one fake node, so Deployments make Pods that get scheduled and reach Running. Everything runs as
// local processes on 127.0.0.1 with free ports, under <cache>/clusters/<name>/.
//
// Not here: building binaries (binaries.ts), process bookkeeping (processes.ts), flags (flags.ts).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from '../lib/log.ts';
import { ensureBinaries } from './binaries.ts';
import * as flags from './flags.ts';
import { fakeNode } from './kwok.ts';
import { allocatePorts, filesIn, writeMaterial } from './material.ts';
import { createControlPlanePki } from './pki.ts';
import type { RealNodePlan } from '../realnode/plan.ts';
import {
  isAlive,
  readPids,
  runToCompletion,
  spawnLogged,
  stopGroups,
  type StartedProcess,
} from './processes.ts';
import type { BinaryPaths } from './versions.ts';
import { cacheDir, repoRoot } from './versions.ts';
import { httpGet, httpRequest, type TlsClient, waitUntil } from './wait.ts';

export const FAKE_NODE_NAME = 'kwok-node-0';

export interface ControlPlaneOptions {
  log: Logger;
  /** Folder name under <cache>/clusters; defaults to a fresh unique name. */
  name?: string;
  /**
   * The process whose death ends the cluster (a watchdog polls it). Defaults to this process;
   * `null` keeps the cluster running after this process exits (`mcp-operator dev up`).
   */
  ownerPid?: number | null;
  /**
   * `kwok` (default): one fake node, for scale. `real`: a real node on this machine (kubelet,
   * containerd, kube-proxy, CoreDNS, metrics-server, a NetworkPolicy enforcer; realnode/), one per
   * machine and root only; the API server then binds the node IP instead of loopback.
   */
  node?: 'kwok' | 'real';
}

export interface ControlPlaneState {
  name: string;
  stateDir: string;
  server: string;
  kubeconfig: string;
  ports: flags.Ports;
  node: 'kwok' | 'real';
  startedAt: string;
}

export interface ControlPlane extends ControlPlaneState {
  binaries: BinaryPaths;
  /** TLS material for talking to the API server as cluster admin. */
  adminTls: Required<TlsClient>;
  /** Runs kubectl against this cluster; resolves with its output and exit code, never rejects on exit code. */
  kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /**
   * Stops kube-apiserver alone (its process group, as stop() does), waits downtimeMs, and starts it again
   * with the same flags, port and etcd; resolves once /readyz answers. For fault tests: every client
   * (the controller's informers, KCM, KWOK) sees the API server go away and come back.
   */
  restartApiserver(options?: { downtimeMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export function clustersDir(): string {
  return path.join(cacheDir(), 'clusters');
}

function startWatchdog(ownerPid: number, stateDir: string): void {
  const child = spawn(
    'bash',
    [path.join(repoRoot, 'controlplane', 'watchdog.sh'), String(ownerPid), stateDir],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  child.unref();
}

async function step<T>(log: Logger, what: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await fn();
  log.info({ step: what, ms: Math.round(performance.now() - start) }, `Started ${what}`);
  return result;
}

export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const { log } = opts;
  const t0 = performance.now();
  const binaries = await ensureBinaries(log);
  const name = opts.name ?? `cp-${process.pid}-${randomBytes(3).toString('hex')}`;
  const stateDir = path.join(clustersDir(), name);
  if (existsSync(stateDir)) {
    if (readPids(stateDir).some((p) => isAlive(p.pid)))
      throw new Error(`control plane "${name}" is already running (${stateDir})`);
    rmSync(stateDir, { recursive: true, force: true });
  }
  mkdirSync(stateDir, { recursive: true });
  if (opts.ownerPid === null) writeFileSync(path.join(stateDir, 'keep'), '');
  else startWatchdog(opts.ownerPid ?? process.pid, stateDir);

  const nodeKind = opts.node ?? 'kwok';
  let realNode: RealNodePlan | undefined;
  if (nodeKind === 'real') {
    try {
      // Loaded only for a real node: it brings the image builder and the node's configuration.
      const { prepareRealNode } = await import('../realnode/plan.ts');
      realNode = await step(log, 'real node host network', () => prepareRealNode(log, stateDir));
    } catch (err) {
      await stopControlPlaneAt(stateDir);
      throw err;
    }
  }
  const ports = await allocatePorts();
  const server = `https://${realNode?.host ?? '127.0.0.1'}:${ports.apiserver}`;
  const files = filesIn(stateDir);
  const pki = createControlPlanePki({ apiserverIps: realNode?.apiserverIps ?? [] });
  const kwokStages = readFileSync(binaries.kwokStages, 'utf8');
  writeMaterial(stateDir, { files, pki, server, contextName: `mcp-operator-${name}`, kwokStages });
  const adminTls = { ca: pki.ca.certPem, cert: pki.admin.certPem, key: pki.admin.keyPem };
  const env = { ...process.env, HOME: stateDir }; // KWOK would otherwise auto-load ~/.kwok/kwok.yaml

  const started: StartedProcess[] = [];
  const stop = async (): Promise<void> => {
    await stopControlPlaneAt(stateDir, log); // also tells the watchdog to leave
  };
  let apiserver: StartedProcess | undefined;
  const startApiserver = async (): Promise<void> => {
    const p = spawnLogged(stateDir, {
      name: 'kube-apiserver',
      command: binaries.kubeApiserver,
      args: (realNode?.apiserverArgs ?? ((a: string[]) => a))(flags.apiserverArgs(ports, files)),
      env,
    });
    started.push(p);
    apiserver = p;
    await waitUntil(async () => (await httpGet(`${server}/readyz`, adminTls)).status === 200, {
      what: 'kube-apiserver',
      timeoutMs: 90_000,
      exited: p.exited,
      intervalMs: 200,
    });
  };
  try {
    await step(log, 'etcd', async () => {
      const p = spawnLogged(stateDir, {
        name: 'etcd',
        command: binaries.etcd,
        args: flags.etcdArgs(ports, files),
        env,
      });
      started.push(p);
      await waitUntil(
        async () => (await httpGet(`http://127.0.0.1:${ports.etcdClient}/health`)).status === 200,
        { what: 'etcd', timeoutMs: 30_000, exited: p.exited },
      );
    });
    await step(log, 'kube-apiserver', startApiserver);
    const kubectl = (args: string[], input?: string) =>
      runToCompletion(binaries.kubectl, [`--kubeconfig=${files.adminKubeconfig}`, ...args], input);
    const what = realNode ? 'the real node' : 'kwok and the fake node';
    await step(log, `kube-controller-manager, kube-scheduler, ${what}`, async () => {
      const kcmArgs = flags.controllerManagerArgs(ports, files);
      const others: [string, string, string[]][] = [
        [
          'kube-controller-manager',
          binaries.kubeControllerManager,
          realNode?.controllerManagerArgs(kcmArgs) ?? kcmArgs,
        ],
        ['kube-scheduler', binaries.kubeScheduler, flags.schedulerArgs(ports, files)],
      ];
      if (!realNode) others.push(['kwok', binaries.kwok, flags.kwokArgs(ports, files)]);
      const procs = others.map(([n, command, args]) =>
        spawnLogged(stateDir, { name: n, command, args, env }),
      );
      started.push(...procs);
      await Promise.all([
        waitForHealthz('kube-controller-manager', ports.controllerManager, procs[0]!.exited),
        waitForHealthz('kube-scheduler', ports.scheduler, procs[1]!.exited),
        realNode
          ? realNode.start({
              log,
              stateDir,
              server,
              ca: pki.ca,
              contextName: `mcp-operator-${name}`,
              kubectl,
            })
          : createNodeAndWaitReady(server, adminTls, procs[2]!.exited),
      ]);
    });
  } catch (err) {
    log.error(
      { err, stateDir, logs: started.map((p) => p.logFile) },
      'Control plane failed to start; stopping what started',
    );
    await stop();
    throw err;
  }
  const state: ControlPlaneState = {
    name,
    stateDir,
    server,
    kubeconfig: files.adminKubeconfig,
    ports,
    node: nodeKind,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(path.join(stateDir, 'state.json'), JSON.stringify(state, null, 2));
  log.info(
    { cluster: name, kubeconfig: state.kubeconfig, ms: Math.round(performance.now() - t0) },
    'Control plane is ready',
  );
  return {
    ...state,
    binaries,
    adminTls,
    stop,
    async restartApiserver({ downtimeMs = 0 } = {}) {
      if (apiserver) await stopGroups([apiserver.pid]);
      log.info({ downtimeMs }, 'Stopped kube-apiserver');
      await new Promise((r) => setTimeout(r, downtimeMs));
      await step(log, 'kube-apiserver again', startApiserver);
    },
    kubectl: (args, input) =>
      runToCompletion(binaries.kubectl, [`--kubeconfig=${files.adminKubeconfig}`, ...args], input),
  };
}

// KCM and the scheduler serve /healthz with a self-signed certificate made at start-up; on loopback we
// only ask whether they are up, so their certificate is not verified.
function waitForHealthz(what: string, port: number, exited: Promise<string>): Promise<void> {
  return waitUntil(
    async () => (await httpGet(`https://127.0.0.1:${port}/healthz`, 'insecure')).status === 200,
    {
      what,
      timeoutMs: 60_000,
      exited,
      intervalMs: 200,
    },
  );
}

async function createNodeAndWaitReady(
  server: string,
  tls: Required<TlsClient>,
  kwokExited: Promise<string>,
): Promise<void> {
  await waitUntil(
    async () => {
      const res = await httpRequest('POST', `${server}/api/v1/nodes`, tls, fakeNode(FAKE_NODE_NAME));
      return res.status === 201 || res.status === 409;
    },
    { what: 'fake node creation', timeoutMs: 30_000 },
  );
  await waitUntil(
    async () => {
      const res = await httpGet(`${server}/api/v1/nodes/${FAKE_NODE_NAME}`, tls);
      const node = JSON.parse(res.body) as { status?: { conditions?: { type: string; status: string }[] } };
      return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    },
    { what: 'kwok (fake node Ready)', timeoutMs: 60_000, exited: kwokExited, intervalMs: 200 },
  );
}

/** Reads a cluster's state.json; undefined when it never finished starting or is gone. */
export function readControlPlaneState(stateDir: string): ControlPlaneState | undefined {
  const file = path.join(stateDir, 'state.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ControlPlaneState;
}

/** Ends every process a cluster started and removes its folder; works after a crash too. */
export async function stopControlPlaneAt(stateDir: string, log?: Logger): Promise<number> {
  const pids = readPids(stateDir).map((p) => p.pid);
  await stopGroups(pids);
  if (existsSync(path.join(stateDir, 'node')))
    await (await import('../realnode/plan.ts')).tearDownRealNode(stateDir, log);
  rmSync(stateDir, { recursive: true, force: true });
  return pids.length;
}

export interface ControlPlaneSummary {
  name: string;
  stateDir: string;
  running: { name: string; pid: number }[];
  stopped: { name: string; pid: number }[];
  state?: ControlPlaneState;
}

export function describeControlPlane(stateDir: string): ControlPlaneSummary {
  const pids = readPids(stateDir);
  return {
    name: path.basename(stateDir),
    stateDir,
    running: pids.filter((p) => isAlive(p.pid)),
    stopped: pids.filter((p) => !isAlive(p.pid)),
    state: readControlPlaneState(stateDir),
  };
}
