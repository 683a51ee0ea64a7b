// What bench/controller needs from its control plane besides the controller: the API server's own
// request counters, room for thousands of pods (more fake nodes), and MCPServers created and listed
// over plain HTTPS with the admin certificate (no client library between the bench and the figures).
import { request as httpsRequest } from 'node:https';
import type { ControlPlane } from '../../controlplane/cluster.ts';
import { fakeNode } from '../../controlplane/kwok.ts';
import { httpGet, httpRequest, waitUntil } from '../../controlplane/wait.ts';

/** One apiserver_request_total sample: its labels and value. */
export interface RequestSample {
  labels: Record<string, string>;
  value: number;
}

export function parseRequestTotals(text: string): RequestSample[] {
  const samples: RequestSample[] = [];
  for (const line of text.split('\n')) {
    const match = /^apiserver_request_total\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    samples.push({ labels, value: Number(match[2]) });
  }
  return samples;
}

export async function requestTotals(cp: ControlPlane): Promise<RequestSample[]> {
  const res = await httpGet(`${cp.server}/metrics`, cp.adminTls, 30_000);
  if (res.status !== 200) throw new Error(`kube-apiserver /metrics answered ${res.status}`);
  return parseRequestTotals(res.body);
}

const sampleKey = (s: RequestSample): string => JSON.stringify(Object.entries(s.labels).sort());

/** after - before, per label set, dropping the unchanged ones. */
export function requestDelta(before: RequestSample[], after: RequestSample[]): RequestSample[] {
  const base = new Map(before.map((s) => [sampleKey(s), s.value]));
  return after
    .map((s) => ({ labels: s.labels, value: s.value - (base.get(sampleKey(s)) ?? 0) }))
    .filter((s) => s.value > 0);
}

export const WRITE_VERBS = [
  'APPLY',
  'PATCH',
  'POST',
  'PUT',
  'DELETE',
  'CREATE',
  'UPDATE',
  'DELETECOLLECTION',
];

/** The resources of an MCPServer's children. */
export const CHILD_RESOURCES: readonly string[] = [
  'statefulsets',
  'deployments',
  'services',
  'serviceaccounts',
  'roles',
  'rolebindings',
  'configmaps',
  'networkpolicies',
];

/**
 * Writes only the controller makes: server-side apply on a child resource (kube-controller-manager
 * applies too, but only to ClusterRoles and ServiceCIDRs), and any write to mcpservers/status. Events
 * are written by everyone, so they are counted from the controller's own metrics instead.
 */
export function controllerWrites(delta: RequestSample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { labels, value } of delta) {
    const ours =
      (labels.verb === 'APPLY' && CHILD_RESOURCES.includes(labels.resource ?? '')) ||
      (labels.resource === 'mcpservers' && labels.subresource === 'status');
    if (!ours || !WRITE_VERBS.includes(labels.verb ?? '')) continue;
    const what = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''}`;
    out[what] = (out[what] ?? 0) + value;
  }
  return out;
}

/** Adds fake nodes kwok-bench-<i> until `pods` more pods fit, and waits for them to be Ready. */
export async function addFakeNodes(cp: ControlPlane, pods: number): Promise<string[]> {
  const names = Array.from({ length: Math.ceil(pods / 100) }, (_, i) => `kwok-bench-${i}`);
  for (const name of names) {
    const res = await httpRequest('POST', `${cp.server}/api/v1/nodes`, cp.adminTls, fakeNode(name), 10_000);
    if (res.status !== 201 && res.status !== 409) throw new Error(`creating node ${name}: ${res.status}`);
  }
  await waitUntil(
    async () => {
      const res = await httpGet(`${cp.server}/api/v1/nodes`, cp.adminTls, 10_000);
      const nodes = JSON.parse(res.body) as {
        items: { status?: { conditions?: { type: string; status: string }[] } }[];
      };
      const ready = nodes.items.filter((n) =>
        n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      return ready.length > names.length;
    },
    { what: 'the bench nodes to be Ready', timeoutMs: 120_000, intervalMs: 500 },
  );
  return names;
}

/** POSTs every body to `path`, `concurrency` at a time; resolves once all are created. */
export async function createAll(
  cp: ControlPlane,
  path: string,
  bodies: unknown[],
  concurrency = 32,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const res = await httpRequest('POST', `${cp.server}${path}`, cp.adminTls, body, 60_000);
      if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${res.body.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

interface Timed {
  metadata?: { creationTimestamp?: string };
  status?: { conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
}

const conditionTime = (o: Timed, type: string): number | undefined => {
  const c = o.status?.conditions?.find((x) => x.type === type && x.status === 'True');
  return c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : undefined;
};

/** Seconds after t0 (epoch ms) by which half and all of `times` had happened (1-s resolution). */
function halfAndAll(times: (number | undefined)[], t0: number): string {
  const sorted = times.filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  if (!sorted.length) return '-';
  const at = (q: number) => ((sorted[Math.ceil(q * sorted.length) - 1]! - t0) / 1000).toFixed(0);
  return `${at(0.5)} / ${at(1)} s`;
}

/**
 * Where the time to Ready went, from the objects' own timestamps: when the workloads were created
 * (by the controller), the pods created (kube-controller-manager), scheduled (kube-scheduler) and
 * Ready (KWOK), and the MCPServers' Ready condition set (the controller again).
 */
export async function timeline(
  cp: ControlPlane,
  namespace: string,
  t0: number,
): Promise<Record<string, string>> {
  const list = async (path: string) =>
    (JSON.parse((await httpGet(`${cp.server}${path}`, cp.adminTls, 60_000)).body) as { items: Timed[] })
      .items;
  const ns = `/namespaces/${namespace}`;
  const deployments = await list(`/apis/apps/v1${ns}/deployments`);
  const pods = await list(`/api/v1${ns}/pods`);
  const servers = await list(`/apis/toolhive.stacklok.dev/v1alpha1${ns}/mcpservers`);
  const created = (o: Timed) =>
    o.metadata?.creationTimestamp ? Date.parse(o.metadata.creationTimestamp) : undefined;
  return {
    'Deployments created': halfAndAll(deployments.map(created), t0),
    'Pods created': halfAndAll(pods.map(created), t0),
    'Pods scheduled': halfAndAll(
      pods.map((p) => conditionTime(p, 'PodScheduled')),
      t0,
    ),
    'Pods Ready': halfAndAll(
      pods.map((p) => conditionTime(p, 'Ready')),
      t0,
    ),
    'MCPServers Ready': halfAndAll(
      servers.map((s) => conditionTime(s, 'Ready')),
      t0,
    ),
  };
}

/**
 * Resolves with the seconds after t0 (performance.now()) at which `count` items of the collection at
 * `path` satisfied `ok`, watching it: one stream of changes instead of listing 1,000 MCPServers with
 * their status every second, which cost the API server (the bound on the time being measured) about
 * 5 MB of JSON a second. A watch the server ends is started again from the last resourceVersion seen.
 * `progress` hears every change of the number.
 */
export async function watchUntilCount(
  cp: ControlPlane,
  path: string,
  want: { count: number; ok: (item: unknown) => boolean },
  t0: number,
  progress: (n: number, seconds: number) => void,
): Promise<number> {
  const satisfied = new Set<string>();
  let resourceVersion = '';
  for (;;) {
    const done = await watchOnce(`${cp.server}${path}`, cp.adminTls, resourceVersion, (event) => {
      if (event.type === 'ERROR') {
        resourceVersion = ''; // expired: start again from the current state
        return false;
      }
      const name = event.object.metadata?.name ?? '';
      resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
      const before = satisfied.size;
      if (event.type !== 'DELETED' && want.ok(event.object)) satisfied.add(name);
      else satisfied.delete(name);
      if (satisfied.size === before) return false;
      progress(satisfied.size, (performance.now() - t0) / 1000);
      return satisfied.size >= want.count;
    });
    if (done) return (performance.now() - t0) / 1000;
  }
}

interface WatchEvent {
  type: string;
  object: { metadata?: { name?: string; resourceVersion?: string } };
}

/** One watch request; resolves true once `onEvent` returns true, false when the server ends it. */
function watchOnce(
  collection: string,
  tls: ControlPlane['adminTls'],
  resourceVersion: string,
  onEvent: (event: WatchEvent) => boolean,
): Promise<boolean> {
  const url = new URL(
    `${collection}?watch=true${resourceVersion ? `&resourceVersion=${resourceVersion}` : ''}`,
  );
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ...tls, method: 'GET' }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`watch ${url.pathname}: ${res.statusCode}`));
      let partial = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines.filter(Boolean)) {
          if (onEvent(JSON.parse(line) as WatchEvent)) {
            req.destroy();
            return resolve(true);
          }
        }
      });
      res.on('end', () => resolve(false));
    });
    req.on('error', reject);
    req.end();
  });
}
