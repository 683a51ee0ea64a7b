// Where pods reach the API server, kept current: the `kubernetes` Service in `default` (its ClusterIPs
// and ports, what a client in a pod dials) and its EndpointSlice of the same name, which kube-apiserver
// itself keeps (the addresses and ports kube-proxy sends that to). The stdio proxies' NetworkPolicies
// allow egress to both (controller/desired/proxy-networkpolicy.ts says why both), and the manager
// reconciles the stdio servers when they change: a control plane's addresses move (a managed cluster's
// shared control plane, a replaced master), and a policy built once at start would cut the proxies off.
// Each object is one ListWatch narrowed to its name by a field selector, so RBAC can grant list and
// watch on these two objects alone (resourceNames).
import { isIP } from 'node:net';
import type { Logger } from '../lib/log.ts';
import { dictsIn, isDict, type ApiServerAddresses, type Dict } from './desired/types.ts';
import type { KubeClient } from '../lib/kube/client.ts';
import { ListWatch } from '../lib/kube/list-watch.ts';

export const API_SERVICE_PATH = '/api/v1/namespaces/default/services';
export const API_SLICE_PATH = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';
const NAME = 'kubernetes';

const sortedUnique = <T extends string | number>(values: T[]): T[] =>
  [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const tcpPorts = (ports: unknown, field: string): number[] =>
  dictsIn(ports)
    .filter((p) => p.protocol === undefined || p.protocol === 'TCP')
    .map((p) => p[field])
    .filter((p): p is number => Number.isInteger(p));
const addresses = (values: unknown[]): string[] =>
  values.filter((v): v is string => typeof v === 'string' && isIP(v) !== 0);

/**
 * The addresses of the `kubernetes` Service and its EndpointSlice (pure). Every endpoint counts, ready or
 * not: all are the API server's, and a policy that follows readiness would flap during its rollouts.
 */
export function apiServerAddresses(
  service: Dict | undefined,
  slice: Dict | undefined,
): ApiServerAddresses | undefined {
  if (!service && !slice) return undefined;
  const spec = isDict(service?.spec) ? service.spec : {};
  const clusterIPs = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [spec.clusterIP];
  const endpoints = dictsIn(slice?.endpoints).flatMap((e) =>
    Array.isArray(e.addresses) ? (e.addresses as unknown[]) : [],
  );
  return {
    serviceIPs: sortedUnique(addresses(clusterIPs as unknown[])),
    servicePorts: sortedUnique(tcpPorts(spec.ports, 'port')),
    endpointIPs: sortedUnique(addresses(endpoints)),
    endpointPorts: sortedUnique(tcpPorts(slice?.ports, 'port')),
  };
}

const slim = (o: Dict): Dict => ({
  metadata: o.metadata,
  spec: o.spec,
  endpoints: o.endpoints,
  ports: o.ports,
});

export class ApiServerWatch {
  readonly #service: ListWatch;
  readonly #slice: ListWatch;
  readonly #log: Logger;
  readonly #handlers: Array<() => void> = [];
  #current: ApiServerAddresses | undefined;

  constructor(client: KubeClient, log: Logger) {
    this.#log = log.child({ watch: 'api-server-addresses' });
    const watch = (path: string) =>
      new ListWatch({
        client,
        path,
        fieldSelector: `metadata.name=${NAME}`,
        transform: slim,
        onEvent: () => this.#changed(),
        log: this.#log,
      });
    this.#service = watch(API_SERVICE_PATH);
    this.#slice = watch(API_SLICE_PATH);
  }

  /** The addresses now; undefined before the first list, or when neither object exists. */
  current(): ApiServerAddresses | undefined {
    return this.#current;
  }

  onChange(handler: () => void): void {
    this.#handlers.push(handler);
  }

  #changed(): void {
    const next = apiServerAddresses(this.#service.get('default', NAME), this.#slice.get('default', NAME));
    if (JSON.stringify(next) === JSON.stringify(this.#current)) return;
    this.#current = next;
    this.#log.info({ apiServer: next }, 'API server addresses changed');
    for (const handler of this.#handlers) handler();
  }

  /** Starts both watches; resolves once both have listed (rejects after timeoutMs, as the caches do). */
  async start(timeoutMs = 60_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the API server addresses could not be read')), timeoutMs);
    });
    try {
      await Promise.race([Promise.all([this.#service.start(), this.#slice.start()]), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([this.#service.stop(), this.#slice.stop()]);
  }
}
