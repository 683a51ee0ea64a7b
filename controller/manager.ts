// Wires the controller: informer caches -> work queue (one key per MCPServer) -> workers running
// reconcile(). With leader election, nothing is watched or reconciled until this replica leads, and
// losing the Lease stops the manager (the CLI then exits, and the pod restarts as a candidate).
import { EXPOSE_ANNOTATION } from '../lib/exposure.ts';
import { hostname } from 'node:os';
import type { Logger } from '../lib/log.ts';
import type { ApiAccess } from '../lib/kube/access.ts';
import { ApiServerWatch } from './api-server-watch.ts';
import type { MCPServer } from '../schemas/generated/mcpserver.ts';
import { ClusterIO } from './cluster-io.ts';
import { isIgnoredNamespace, type ControllerConfig } from './config.ts';
import { LABEL_INSTANCE, LABEL_MANAGED_BY, MANAGED_BY } from './desired/labels.ts';
import { isDict, str, type Dict } from './desired/types.ts';
import { GroupStatusReconciler } from './groups/reconciler.ts';
import { Caches, REFERENCED_KINDS, referencedBy, type CacheEvent, type ReferencedKind } from './informers.ts';
import { keyString, type ObjectKey } from './io.ts';
import { KubeClient } from '../lib/kube/client.ts';
import { LeaderElector } from './leader.ts';
import { PolicyWatch } from './policy-watch.ts';
import { serviceAccountIssuer } from './service-account-issuer.ts';
import { createControllerMetrics, type ControllerMetrics } from './metrics.ts';
import { WorkQueue } from './queue.ts';
import type { Verifier } from './verify/verifier.ts';
import { clientsWithOperator, createVerifier, dialModeOf, type VerifyOptions } from './verify/wiring.ts';
import { reconcile } from './reconcile.ts';
import type { KnownKind } from './resources.ts';
import { effectiveSpec } from './spec.ts';

export interface ManagerOptions {
  /** The API server and credentials (api-access.ts loadApiAccess). */
  access: ApiAccess;
  config: ControllerConfig;
  log: Logger;
  /** Namespaces to watch; undefined watches all. */
  namespaces?: string[];
  workers?: number;
  leaderElection?: { namespace: string; name?: string; identity?: string };
  /**
   * The operator's namespace, where the rollout key Secret is (rollout-key.ts); default: the leader
   * election's namespace, else `default`.
   */
  rolloutKeyNamespace?: string;
  metrics?: ControllerMetrics;
  /** Every MCPServer is reconciled at least this often, events or not (controller-runtime: 10 h). */
  resyncMs?: number;
  /** The admission policy ConfigMap, whose proxyClientNamespaces the proxies' ingress follows. */
  policyConfigMap?: { namespace: string; name: string };
  /** The MCP handshake checks through each proxy (controller/verify/); default: none. */
  verify?: VerifyOptions;
}

const meta = (o: Dict): Dict => (isDict(o.metadata) ? o.metadata : {});

/** Whether the server authenticates its callers (its proxy may then reach the API server's JWKS). */
const hasAuth = (server: MCPServer): boolean =>
  server.spec.oidcConfigRef !== undefined || server.spec.oidcConfig !== undefined;

function parseKey(key: string): ObjectKey {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * Whether the server reads `name` of `kind`: a Secret of spec.secrets, a configmap permission profile,
 * the MCPOIDCConfig, MCPAuthzConfig or ConfigMaps its authentication and authorization name.
 */
function references(server: MCPServer, kind: KnownKind, name: string): boolean {
  const namespace = server.metadata?.namespace ?? '';
  return referencedBy(server as unknown as Dict).includes(`${namespace}/${kind}/${name}`);
}

/** The MCPServers an event about `object` of `kind` concerns: its owner by label, or its readers. */
export function keysFor(kind: KnownKind, object: Dict, servers: readonly MCPServer[]): string[] {
  const namespace = str(meta(object).namespace);
  const name = str(meta(object).name);
  if (kind === 'MCPServer') return [keyString({ namespace, name })];
  const keys = new Set<string>();
  const rawLabels = meta(object).labels;
  const labels: Dict = isDict(rawLabels) ? rawLabels : {};
  const owner = labels[LABEL_MANAGED_BY] === MANAGED_BY ? str(labels[LABEL_INSTANCE]) : '';
  if (owner) keys.add(keyString({ namespace, name: owner }));
  for (const server of servers) {
    if (server.metadata?.namespace === namespace && references(server, kind, name)) {
      keys.add(keyString({ namespace, name: server.metadata.name ?? '' }));
    }
  }
  return [...keys];
}

export class Manager {
  readonly client: KubeClient;
  readonly metrics: ControllerMetrics;
  readonly #o: ManagerOptions;
  readonly #queue: WorkQueue;
  readonly #caches: Caches;
  readonly #apiServer: ApiServerWatch;
  readonly #io: ClusterIO;
  readonly #elector: LeaderElector | undefined;
  readonly #policy: PolicyWatch | undefined;
  readonly #verifier: Verifier | undefined;
  /** MCPGroups' status (groups/): woken by the same cache events, its own queue and worker. */
  readonly #groups: GroupStatusReconciler;
  #issuer: string | undefined;
  #workers: Promise<void>[] = [];
  #resync: NodeJS.Timeout | undefined;
  #stopping: Promise<void> | undefined;
  /** MCPServers in ignored namespaces seen so far, so that each is logged once. */
  readonly #ignored = new Set<string>();
  #resolveDone: (reason: string) => void = () => undefined;
  /** Resolves with why the manager stopped: 'stopped', or 'lost leadership'. */
  readonly done: Promise<string>;

  constructor(options: ManagerOptions) {
    this.#o = options;
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
    this.metrics = options.metrics ?? createControllerMetrics({ processMetrics: false });
    this.client = new KubeClient(options.access);
    this.client.onRequest((verb, _path, code) => this.metrics.countRequest(verb, code));
    this.#queue = new WorkQueue({ onDepth: (n) => this.metrics.setDepth(n) });
    this.#caches = new Caches(this.client, options.namespaces, options.log);
    this.#apiServer = new ApiServerWatch(this.client, options.log);
    this.#policy = options.policyConfigMap
      ? new PolicyWatch(this.client, options.policyConfigMap, options.log)
      : undefined;
    // The namespace the checks come from, when they dial the proxy Services (controller/verify/wiring.ts).
    const operatorNamespace = options.rolloutKeyNamespace ?? options.leaderElection?.namespace;
    const verifierNamespace = dialModeOf(options.verify) === 'service' ? operatorNamespace : undefined;
    this.#verifier = createVerifier({
      access: options.access,
      config: options.config,
      log: options.log,
      enqueue: (key) => this.enqueue(key),
      options: options.verify,
    });
    this.#io = new ClusterIO({
      verifier: this.#verifier,
      config: options.config,
      log: options.log,
      caches: this.#caches,
      client: this.client,
      apiServer: () => this.#apiServer.current(),
      rolloutKeyNamespace: options.rolloutKeyNamespace ?? options.leaderElection?.namespace,
      clusterIssuer: () => this.#issuer,
      proxyClients: () => clientsWithOperator(this.#policy?.current(), verifierNamespace),
      exposure: () => this.#policy?.exposure(),
    });
    // Only the stdio proxies' NetworkPolicies name the API server's addresses.
    this.#apiServer.onChange(() =>
      this.#enqueueAll((s) => effectiveSpec(s).transport === 'stdio' || hasAuth(s)),
    );
    this.#policy?.onChange(() => this.#enqueueAll());
    // The Gateway API's CRDs installed or removed: the servers that ask to be exposed.
    this.#caches.onServedChange((kind) => {
      if (kind === 'HTTPRoute')
        this.#enqueueAll((s) => s.metadata?.annotations?.[EXPOSE_ANNOTATION] !== undefined);
    });
    this.#groups = new GroupStatusReconciler({ caches: this.#caches, client: this.client, log: options.log });
    this.#caches.onEvent((kind, event, object) => this.#onCacheEvent(kind, event, object));
    this.#caches.onEvent((kind, event, object) => this.#groups.onEvent(kind, event, object));
    const le = options.leaderElection;
    this.#elector = le
      ? new LeaderElector({
          client: this.client,
          namespace: le.namespace,
          name: le.name ?? 'mcp-operator-controller',
          identity: le.identity ?? `${hostname()}_${process.pid}`,
          log: options.log,
        })
      : undefined;
  }

  #onCacheEvent(kind: KnownKind, event: CacheEvent, object: Dict): void {
    if (event === 'delete' && kind !== 'MCPServer') {
      this.#io.forget(kind, str(meta(object).namespace), str(meta(object).name));
    }
    if (event === 'delete' && kind === 'MCPServer') {
      this.#verifier?.forget(
        keyString({ namespace: str(meta(object).namespace), name: str(meta(object).name) }),
      );
      this.#ignored.delete(
        keyString({ namespace: str(meta(object).namespace), name: str(meta(object).name) }),
      );
    }
    const servers = REFERENCED_KINDS.has(kind)
      ? (this.#caches.referencing(
          kind as ReferencedKind,
          str(meta(object).namespace),
          str(meta(object).name),
        ) as unknown as MCPServer[])
      : [];
    for (const key of keysFor(kind, object, servers)) this.enqueue(key);
    if (kind === 'Secret' || kind === 'ConfigMap') this.#wakeOidcConfigReaders(kind, object);
  }

  /** A Secret or ConfigMap an inline MCPOIDCConfig names: the servers that name that config. */
  #wakeOidcConfigReaders(kind: 'Secret' | 'ConfigMap', object: Dict): void {
    const namespace = str(meta(object).namespace);
    for (const config of this.#caches.oidcConfigsNaming(kind, namespace, str(meta(object).name))) {
      const readers = this.#caches.referencing('MCPOIDCConfig', namespace, str(meta(config).name));
      for (const key of keysFor('MCPOIDCConfig', config, readers as unknown as MCPServer[]))
        this.enqueue(key);
    }
  }

  #servers(): MCPServer[] {
    return this.#caches.list('MCPServer') as unknown as MCPServer[];
  }

  enqueue(key: string): void {
    if (isIgnoredNamespace(this.#o.config, parseKey(key).namespace)) {
      if (!this.#ignored.has(key)) {
        this.#ignored.add(key);
        this.#o.log.info(
          { mcpserver: key, reason: 'its namespace is in --ignore-namespaces' },
          'Not reconciling MCPServer: the chart ignores the namespaces its webhooks leave out (never validated)',
        );
      }
      return;
    }
    this.metrics.countAdd();
    this.#queue.add(key);
  }

  /** Resolves once this replica leads (if electing), the caches are synced and workers run. */
  async start(): Promise<void> {
    if (this.#elector && !(await this.#elector.acquire())) return;
    void this.#elector?.keepRenewing(() => void this.stop('lost leadership'));
    const issuer = serviceAccountIssuer(this.client, this.#o.config.serviceAccountIssuer, this.#o.log);
    await Promise.all([this.#caches.start(), this.#apiServer.start(), this.#policy?.start()]);
    this.#issuer = await issuer;
    const workers = this.#o.workers ?? 4;
    this.#workers = Array.from({ length: workers }, () => this.#work());
    this.#groups.start();
    this.#resync = setInterval(() => this.#enqueueAll(), this.#o.resyncMs ?? 10 * 60_000);
    this.#resync.unref();
    this.#o.log.info({ workers, namespaces: this.#o.namespaces ?? 'all' }, 'Started MCPServer controller');
  }

  #enqueueAll(which: (server: MCPServer) => boolean = () => true): void {
    for (const server of this.#servers().filter(which)) {
      this.enqueue(
        keyString({ namespace: server.metadata?.namespace ?? '', name: server.metadata?.name ?? '' }),
      );
    }
  }

  async #work(): Promise<void> {
    for (let key = await this.#queue.get(); key !== undefined; key = await this.#queue.get()) {
      await this.#reconcileOne(key);
    }
  }

  async #reconcileOne(key: string): Promise<void> {
    const started = performance.now();
    const log = this.#o.log.child({ mcpserver: key });
    let result: 'success' | 'error' | 'requeue_after' = 'success';
    try {
      const outcome = await reconcile(parseKey(key), this.#io);
      this.#queue.forget(key);
      if (outcome.requeueAfterMs) {
        result = 'requeue_after';
        this.#queue.addAfter(key, outcome.requeueAfterMs);
      }
    } catch (err) {
      result = 'error';
      const delayMs = this.#queue.addRateLimited(key);
      this.metrics.countRetry();
      log.warn({ err, delayMs }, 'Reconcile failed, retrying');
    } finally {
      this.metrics.observeReconcile(result, (performance.now() - started) / 1000);
      this.#queue.done(key);
    }
  }

  stop(reason = 'stopped'): Promise<void> {
    this.#stopping ??= (async () => {
      clearInterval(this.#resync);
      this.#verifier?.stop();
      this.#queue.shutDown();
      await Promise.all([...this.#workers, this.#groups.stop()]);
      await Promise.all([this.#caches.stop(), this.#apiServer.stop(), this.#policy?.stop()]);
      await this.#elector?.stop();
      this.client.close();
      this.#o.log.info({ reason }, 'Stopped MCPServer controller');
      this.#resolveDone(reason);
    })();
    return this.#stopping;
  }
}
