// What bench/soak needs from its control plane: plain HTTPS calls as cluster admin (merge patches
// included), room for the pods (extra KWOK nodes), the namespace with what the seed shapes reference,
// the webhook configurations pointing at the operator on loopback, the cluster's state read back for
// the missed-event check, and the API server's own counters (writes, webhook admissions).
import { request as httpsRequest } from 'node:https';
import { stringify } from 'yaml';
import type { ControlPlane } from '../../controlplane/cluster.ts';
import { fakeNode } from '../../controlplane/kwok.ts';
import { waitUntil } from '../../controlplane/wait.ts';
import { sumSamples } from '../../lib/prometheus-text.ts';
import {
  desiredMutatingWebhookConfiguration,
  desiredValidatingWebhookConfiguration,
} from '../../webhook/configuration.ts';
import type { ObservedChild, ObservedServer } from './soak-analysis.ts';

export const SOAK_NAMESPACE = 'soak';
export const MCPSERVERS = `/apis/toolhive.stacklok.dev/v1alpha1/namespaces/${SOAK_NAMESPACE}/mcpservers`;
const INSTANCE_LABEL = 'app.kubernetes.io/instance';

export interface ApiAnswer {
  status: number;
  body: string;
}

/** One request to the API server as admin; JSON body, or a merge patch for PATCH. Never rejects on status. */
export function api(cp: ControlPlane, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (body !== undefined)
      headers['content-type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
    const req = httpsRequest(
      new URL(`${cp.server}${path}`),
      { ...cp.adminTls, method, headers, timeout: 60_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function apiOk(cp: ControlPlane, method: string, path: string, body?: unknown): Promise<string> {
  const res = await api(cp, method, path, body);
  if (res.status >= 300 && res.status !== 409)
    throw new Error(`${method} ${path}: ${res.status} ${res.body.slice(0, 300)}`);
  return res.body;
}

async function kubectlOk(cp: ControlPlane, args: string[], input?: string): Promise<void> {
  const r = await cp.kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
}

export async function installCrd(cp: ControlPlane): Promise<void> {
  await kubectlOk(cp, [
    'apply',
    '--server-side',
    '-f',
    'manifests/crd/toolhive.stacklok.dev_mcpservers.yaml',
  ]);
  await kubectlOk(cp, ['wait', '--for=condition=Established', 'crd/mcpservers.toolhive.stacklok.dev']);
}

/** Adds `count` fake nodes (110 pods each) and waits until every node is Ready. */
export async function addNodes(cp: ControlPlane, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await apiOk(cp, 'POST', '/api/v1/nodes', fakeNode(`kwok-soak-${i}`));
  await waitUntil(
    async () => {
      const nodes = JSON.parse((await api(cp, 'GET', '/api/v1/nodes')).body) as {
        items: { status?: { conditions?: { type: string; status: string }[] } }[];
      };
      const ready = nodes.items.filter((n) =>
        n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      return ready.length > count;
    },
    { what: 'the soak nodes to be Ready', timeoutMs: 120_000, intervalMs: 500 },
  );
}

/**
 * The namespace and what the seed shapes reference: Secret github-token (with-secrets) and PVC
 * my-mcp-data-claim pre-bound to a hostPath volume (with-volume), as controller-seeds.test.ts makes them.
 */
export async function preparePrerequisites(cp: ControlPlane): Promise<void> {
  const ns = SOAK_NAMESPACE;
  await apiOk(cp, 'POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  await apiOk(cp, 'POST', `/api/v1/namespaces/${ns}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'github-token' },
    stringData: { token: 't0k3n' },
  });
  await apiOk(cp, 'POST', `/api/v1/namespaces/${ns}/persistentvolumeclaims`, {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'my-mcp-data-claim' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  });
  await apiOk(cp, 'POST', '/api/v1/persistentvolumes', {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'soak-mcp-data' },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      hostPath: { path: '/tmp/soak-mcp-data' },
      claimRef: { namespace: ns, name: 'my-mcp-data-claim' },
    },
  });
  await waitUntil(
    async () => (await api(cp, 'GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`)).status === 200,
    {
      what: `ServiceAccount default in ${ns}`,
      timeoutMs: 60_000,
      intervalMs: 250,
    },
  );
}

/** The production webhook configurations, pointed at the operator's loopback port with its local CA. */
export async function registerWebhooks(cp: ControlPlane, port: number, caPem: string): Promise<void> {
  const options = {
    name: 'mcp-operator',
    operatorNamespace: 'mcp-operator-system',
    target: { kind: 'url' as const, port },
    caBundlePem: caPem,
  };
  const objects = [
    desiredValidatingWebhookConfiguration(options),
    desiredMutatingWebhookConfiguration(options),
  ];
  await kubectlOk(
    cp,
    ['apply', '--server-side', '--force-conflicts', '-f', '-'],
    objects.map((o) => stringify(o)).join('---\n'),
  );
  // The API server picks configurations up asynchronously: wait until the validating webhook denies
  // a server whose Secret does not exist (only our webhook checks that).
  const probe = {
    apiVersion: 'toolhive.stacklok.dev/v1alpha1',
    kind: 'MCPServer',
    metadata: { name: 'soak-admission-probe' },
    spec: {
      image: 'example.invalid/probe',
      transport: 'stdio',
      secrets: [{ name: 'soak-no-such-secret', key: 'k', targetEnvName: 'K' }],
    },
  };
  await waitUntil(
    async () => {
      const res = await api(cp, 'POST', `${MCPSERVERS}?dryRun=All`, probe);
      return res.status >= 400 && res.body.includes('admission webhook');
    },
    { what: 'the validating webhook to deny a bad MCPServer', timeoutMs: 60_000, intervalMs: 250 },
  );
}

interface ListedItem {
  metadata: {
    name: string;
    uid: string;
    generation?: number;
    labels?: Record<string, string>;
    ownerReferences?: { uid: string }[];
  };
  status?: { observedGeneration?: number };
  spec?: {
    template?: { spec?: { containers?: { name: string; env?: { name: string; value?: string }[] }[] } };
  };
}

const CHILD_LISTS: [kind: string, path: string][] = [
  ['StatefulSet', '/apis/apps/v1'],
  ['Deployment', '/apis/apps/v1'],
  ['Service', '/api/v1'],
  ['ServiceAccount', '/api/v1'],
  ['Role', '/apis/rbac.authorization.k8s.io/v1'],
  ['RoleBinding', '/apis/rbac.authorization.k8s.io/v1'],
  ['ConfigMap', '/api/v1'],
  ['NetworkPolicy', '/apis/networking.k8s.io/v1'],
];

async function list(cp: ControlPlane, path: string): Promise<ListedItem[]> {
  return (JSON.parse(await apiOk(cp, 'GET', path)) as { items: ListedItem[] }).items;
}

const soakRev = (item: ListedItem): string | undefined =>
  item.spec?.template?.spec?.containers
    ?.find((c) => c.name === 'mcp')
    ?.env?.find((e) => e.name === 'SOAK_REV')?.value;

/** The MCPServers and every child-kind object carrying the instance label, in the soak namespace. */
export async function observeCluster(
  cp: ControlPlane,
): Promise<{ servers: ObservedServer[]; children: ObservedChild[] }> {
  const servers = (await list(cp, MCPSERVERS)).map((s) => ({
    name: s.metadata.name,
    uid: s.metadata.uid,
    generation: s.metadata.generation ?? 0,
    observedGeneration: s.status?.observedGeneration,
  }));
  const children: ObservedChild[] = [];
  for (const [kind, group] of CHILD_LISTS) {
    const resource = `${kind.toLowerCase()}s`.replace('policys', 'policies');
    const path = `${group}/namespaces/${SOAK_NAMESPACE}/${resource}?labelSelector=${encodeURIComponent(INSTANCE_LABEL)}`;
    for (const item of await list(cp, path)) {
      children.push({
        kind,
        name: item.metadata.name,
        instance: item.metadata.labels?.[INSTANCE_LABEL] ?? '',
        ownerUids: (item.metadata.ownerReferences ?? []).map((o) => o.uid),
        ...(kind === 'StatefulSet' ? { rev: soakRev(item) } : {}),
      });
    }
  }
  return { servers, children };
}

export interface ApiServerCounters {
  /** Every write the API server served (all clients, all resources). */
  writes: number;
  /** Calls the API server made to our validating webhook. */
  validations: number;
  /** Of those, denials. */
  rejections: number;
  /** Calls to a webhook that failed and were let through (failurePolicy Ignore: the mutating one). */
  failOpen: number;
}

const WRITE_VERB = /verb="(POST|PUT|PATCH|DELETE|APPLY|CREATE|UPDATE|DELETECOLLECTION)"/;

export async function apiServerCounters(cp: ControlPlane): Promise<ApiServerCounters> {
  const text = (await api(cp, 'GET', '/metrics')).body;
  const validating = (l: string) => l.includes('name="validate.mcpserver.toolhive.stacklok.dev"');
  return {
    writes: sumSamples(text, 'apiserver_request_total', (l) => WRITE_VERB.test(l)),
    validations: sumSamples(text, 'apiserver_admission_webhook_admission_duration_seconds_count', validating),
    rejections: sumSamples(
      text,
      'apiserver_admission_webhook_admission_duration_seconds_count',
      (l) => validating(l) && l.includes('rejected="true"'),
    ),
    failOpen: sumSamples(text, 'apiserver_admission_webhook_fail_open_count'),
  };
}
