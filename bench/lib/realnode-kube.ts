// What bench/node.ts asks of its real-node cluster: objects read straight from the API server (polling
// with kubectl would start a process each time, on the two cores it measures), kubectl for what users
// run, port-forwards, and a fetch that reaches a Service's ClusterIP from this host by the Service's
// DNS name (kube-proxy routes it; the proxy accepts only its Service's names as Host).
// Polling and port-forward after test/node/harness.ts (copied: test/node/ is the node suite's own).
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, fetch as undiciFetch } from 'undici';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ControlPlane } from '../../controlplane/cluster.ts';
import { eventually as waitFor, freePort, httpGet, httpRequest } from '../../controlplane/wait.ts';

export interface Condition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

export interface PodObject {
  metadata: {
    name: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
  };
  status?: { phase?: string; podIP?: string; conditions?: Condition[] };
}

/** GET of an API path as cluster admin; undefined on 404. */
export async function apiGet<T>(cp: ControlPlane, path: string): Promise<T | undefined> {
  const res = await httpGet(`${cp.server}${path}`, cp.adminTls, 5000);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.body.slice(0, 200)}`);
  return JSON.parse(res.body) as T;
}

export async function kubectl(cp: ControlPlane, args: string[], input?: string): Promise<string> {
  const r = await cp.kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** controlplane/wait.ts's eventually, with the bench's defaults. */
export const eventually = <T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> => waitFor(what, probe, timeoutMs, intervalMs);

export const isReady = (pod: PodObject | undefined): boolean =>
  pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export async function pods(cp: ControlPlane, namespace: string, selector: string): Promise<PodObject[]> {
  const q = encodeURIComponent(selector);
  const list = await apiGet<{ items: PodObject[] }>(
    cp,
    `/api/v1/namespaces/${namespace}/pods?labelSelector=${q}`,
  );
  return list?.items ?? [];
}

export async function clusterIp(
  cp: ControlPlane,
  namespace: string,
  service: string,
): Promise<string | undefined> {
  const svc = await apiGet<{ spec: { clusterIP?: string } }>(
    cp,
    `/api/v1/namespaces/${namespace}/services/${service}`,
  );
  return svc?.spec.clusterIP || undefined;
}

/**
 * Deletes `what`, then its pods with a 1 s grace period until none is left (bounded), so the next trial
 * starts on a quiet node: server-everything, PID 1 in its container, ignores SIGTERM, and the garbage
 * collector would give each pod its 30 s; a StatefulSet not yet collected makes its pod again, hence the loop.
 */
export async function deleteAndWait(
  cp: ControlPlane,
  namespace: string,
  what: string[],
  selector: string,
): Promise<void> {
  await kubectl(cp, ['-n', namespace, 'delete', ...what, '--ignore-not-found', '--wait=false']);
  const url = `${cp.server}/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}`;
  const options = { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 1 };
  await eventually(
    `no pods ${selector} left`,
    async () => {
      if ((await pods(cp, namespace, selector)).length === 0) return true;
      await httpRequest('DELETE', url, cp.adminTls, options, 5000);
      return undefined;
    },
    90_000,
    1000,
  ).catch((err: Error) => process.stderr.write(`bench/node: ${err.message}; going on\n`));
}

/** A fetch for the SDK that sends `hostname` as Host and connects to `ip` (a ClusterIP) instead. */
export function fetchVia(hostname: string, ip: string): { fetch: FetchLike; close(): Promise<void> } {
  const agent = new Agent({
    connect: {
      lookup: (name, options, callback) => {
        if (name !== hostname) return callback(new Error(`unexpected host ${name}`), '', 4);
        if ((options as { all?: boolean }).all)
          (callback as (e: null, a: object[]) => void)(null, [{ address: ip, family: 4 }]);
        else callback(null, ip, 4);
      },
    },
  });
  const fetch = ((url: string | URL, init?: RequestInit) =>
    undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as FetchLike;
  return { fetch, close: () => agent.close() };
}

export interface PortForward {
  url: string;
  /** Resolves with kubectl's output when it exits (a port-forward ends when its pod goes). */
  exited: Promise<string>;
  stop(): void;
}

/** `kubectl port-forward <target> <local>:<remote>`, resolved once kubectl says it is forwarding. */
export async function portForward(
  cp: ControlPlane,
  namespace: string,
  target: string,
  remotePort: number,
): Promise<PortForward> {
  const localPort = await freePort();
  const child: ChildProcess = spawn(
    cp.binaries.kubectl,
    [`--kubeconfig=${cp.kubeconfig}`, '-n', namespace, 'port-forward', target, `${localPort}:${remotePort}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<string>((resolve) => child.on('exit', () => resolve(output)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`port-forward ${target}: no answer in 30 s: ${output}`));
    }, 30_000);
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (output.includes('Forwarding from')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`port-forward ${target} exited: ${output.trim()}`));
    });
  });
  return { url: `http://127.0.0.1:${localPort}`, exited, stop: () => child.kill('SIGTERM') };
}
