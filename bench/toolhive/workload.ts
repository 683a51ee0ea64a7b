// The workload bench/toolhive.ts applies to both operators, and how it reads the API server's counters.
// Pure: no I/O here (the example's text is read by the caller).
import { parse } from 'yaml';
import { WRITE_VERBS, type RequestSample } from '../lib/controller-cluster.ts';

export const GROUP_VERSION_PATH = '/apis/toolhive.stacklok.dev/v1beta1';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  spec: unknown;
}

/**
 * `count` copies of ToolHive's own example (examples/operator/mcp-servers/mcpserver_yardstick_*.yaml),
 * named yardstick-0000... in `namespace`: the same bodies for both operators.
 */
export function yardstickServers(exampleYaml: string, namespace: string, count: number): Manifest[] {
  const example = parse(exampleYaml) as Partial<Manifest>;
  if (example.kind !== 'MCPServer' || !example.spec) throw new Error('the example is not an MCPServer');
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: example.apiVersion ?? 'toolhive.stacklok.dev/v1beta1',
    kind: 'MCPServer',
    metadata: { name: `yardstick-${String(i).padStart(4, '0')}`, namespace },
    spec: example.spec,
  }));
}

/** Ready by both operators' own word: status.phase (what each means by it is in bench/toolhive.ts). */
export const isReady = (item: unknown): boolean =>
  (item as { status?: { phase?: string } }).status?.phase === 'Ready';

/**
 * Resources only an MCP operator writes in this cluster: the MCPServers themselves (finalizers), their
 * status, and the children either operator makes. kube-controller-manager, the scheduler and KWOK write
 * ReplicaSets, Pods, bindings, the status of workloads, EndpointSlices, Leases and Nodes: none of these.
 */
export const OPERATOR_RESOURCES: readonly string[] = [
  'mcpservers',
  'mcpservers/status',
  'deployments',
  'statefulsets',
  'services',
  'serviceaccounts',
  'roles',
  'rolebindings',
  'configmaps',
  'secrets',
  'networkpolicies',
  'poddisruptionbudgets',
  'horizontalpodautoscalers',
];

const resourceOf = (l: Record<string, string>): string =>
  `${l.resource ?? ''}${l.subresource ? `/${l.subresource}` : ''}`;

export interface Writes {
  /** Mutating requests on OPERATOR_RESOURCES, by "VERB resource", the bench's own creations taken out. */
  operator: Record<string, number>;
  /** Events created or patched, by anyone (both operators record some; so do the cluster's controllers). */
  events: number;
  /** Every mutating request the API server counted, the bench's own creations taken out. */
  all: number;
  /** Of `operator`, those the API server refused (code 4xx or 5xx: 409 Conflict on a stale update, mostly). */
  refused: number;
}

/**
 * The writes in a delta of apiserver_request_total (requestDelta), less the `created` MCPServer
 * POSTs the bench made itself.
 */
export function classifyWrites(delta: RequestSample[], created = 0): Writes {
  const operator: Record<string, number> = {};
  let events = 0;
  let refused = 0;
  let all = -created;
  for (const { labels, value } of delta) {
    if (!WRITE_VERBS.includes(labels.verb ?? '')) continue;
    all += value;
    const resource = resourceOf(labels);
    if (resource === 'events') events += value;
    if (!OPERATOR_RESOURCES.includes(resource)) continue;
    const key = `${labels.verb} ${resource}`;
    operator[key] = (operator[key] ?? 0) + value;
    if (Number(labels.code ?? 0) >= 400) refused += value;
  }
  if (created) {
    const left = (operator['POST mcpservers'] ?? 0) - created;
    if (left > 0) operator['POST mcpservers'] = left;
    else delete operator['POST mcpservers'];
  }
  return { operator, events, all, refused };
}

export const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
