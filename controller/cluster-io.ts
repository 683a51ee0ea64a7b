// ReconcileIO against a real cluster: reads from the informer caches, writes through KubeClient.
// It also keeps the controller from writing when nothing changed: it remembers, per child, a hash of
// the body it last applied and the resourceVersion the API server answered with. While the cached
// object still has that resourceVersion and the body is the same, no request is made at all. Any
// change by anyone (a scale, a `kubectl rollout restart`) changes the resourceVersion, and the apply
// goes out again; server-side apply then changes only fields we own, and a body equal to what is
// stored changes nothing, not even the resourceVersion.
// One exception: a change to status alone. kube-controller-manager updates a Deployment's or a
// StatefulSet's status several times while it rolls out, and re-applying after each would double the
// controller's writes for nothing. So for objects with a metadata.generation (which moves on every spec
// change), the same generation, uid, labels, annotations and owner references as after our apply
// mean nothing we own can have changed, whatever the resourceVersion says.
// Children are never adopted (adoption.ts): apply writes only to an object this MCPServer controls,
// or creates one that does not exist. Whose an object is comes from the caches, which hold every
// ConfigMap but only the labelled objects of the other kinds. So a child neither cached nor applied by
// this process is looked up once (a GET served from the API server's watch cache: findConflicts), and
// created with a resourceVersion no object has (CREATE_ONLY_VERSION): kube-apiserver v1.37 creates an
// object that does not exist whatever resourceVersion the apply carries, and answers 409 Conflict when
// one does, so a name taken between the look-up and the create is never written over. The cost: one
// GET per child on creation only; none in steady state, where the caches hold every child.
import type { Logger } from '../lib/log.ts';
import {
  appliedFrom,
  applyBody,
  CREATE_ONLY_VERSION,
  isClusterIPChange,
  mayHaveDrifted,
  meta,
  sha256,
  type Applied,
} from './applied.ts';
import type { MCPServer, MCPServerStatus } from '../schemas/generated/mcpserver.ts';
import { conflictWith, isOurs, type ChildConflict } from './adoption.ts';
import { FIELD_MANAGER, type ControllerConfig } from './config.ts';
import type { ExposurePolicy } from '../lib/exposure.ts';
import { routeName } from './desired/httproute.ts';
import { proxyDeploymentName, workloadName } from './desired/names.ts';
import { redisPasswordRef } from './desired/scale-out.ts';
import {
  str,
  type ApiServerAddresses,
  type ChildKind,
  type ChildObject,
  type Dict,
  type ServerFacts,
} from './desired/types.ts';
import { eventObject } from './events.ts';
import { authFacts } from './auth-facts.ts';
import { WATCHED, type Caches } from './informers.ts';
import {
  ApiError,
  ChildConflictError,
  type ApplyResult,
  type ChildRef,
  type NotableEvent,
  type ObjectKey,
  type ReconcileIO,
} from './io.ts';
import type { KubeClient } from '../lib/kube/client.ts';
import { resourcePath, type KnownKind } from './resources.ts';
import { lazyRolloutKey } from './rollout-key.ts';
import { SecretDigests, type KeyDigests } from './secret-digests.ts';
import type { Verifier } from './verify/verifier.ts';

const refKey = (kind: string, namespace: string, name: string): string => `${kind}/${namespace}/${name}`;

/** How the API server refuses a create-only apply to an object that exists. */
const isConflict = (err: unknown): err is ApiError => err instanceof ApiError && err.code === 409;

/** Kinds the caches hold whole: a child of such a kind that is not cached does not exist. */
const WHOLLY_CACHED: ReadonlySet<string> = new Set(WATCHED.filter(([, sel]) => !sel).map(([kind]) => kind));

export class ClusterIO implements ReconcileIO {
  readonly config: ControllerConfig;
  readonly log: Logger;
  readonly #caches: Caches;
  readonly #client: KubeClient;
  readonly #applied = new Map<string, Applied>();
  readonly #secretDigests: SecretDigests;
  readonly #apiServer: () => ApiServerAddresses | undefined;
  readonly #clusterIssuer: () => string | undefined;
  readonly #proxyClients: () => readonly string[] | undefined;
  readonly #exposure: () => ExposurePolicy | undefined;
  #eventSeq = 0;
  readonly verification: ReconcileIO['verification'];

  constructor(deps: {
    config: ControllerConfig;
    log: Logger;
    caches: Caches;
    client: KubeClient;
    /** Where pods reach the API server (api-server-watch.ts), for the stdio proxies' NetworkPolicies. */
    apiServer?: () => ApiServerAddresses | undefined;
    /** Where the rollout key Secret is (rollout-key.ts): the operator's namespace. */
    rolloutKeyNamespace?: string;
    /** The issuer of the cluster's ServiceAccount tokens (service-account-issuer.ts). */
    clusterIssuer?: () => string | undefined;
    /** The policy's proxyClientNamespaces (policy-watch.ts). */
    proxyClients?: () => readonly string[] | undefined;
    /** The policy's exposure key (policy-watch.ts). */
    exposure?: () => ExposurePolicy | undefined;
    /** The MCP handshake checks (controller/verify/verifier.ts); unset: none. */
    verifier?: Pick<Verifier, 'verification'>;
  }) {
    this.verification = deps.verifier && ((server, input) => deps.verifier!.verification(server, input));
    this.config = deps.config;
    this.log = deps.log;
    this.#caches = deps.caches;
    this.#client = deps.client;
    const rolloutKey = lazyRolloutKey(deps.client, deps.rolloutKeyNamespace ?? 'default');
    this.#secretDigests = new SecretDigests({ client: deps.client, rolloutKey });
    this.#apiServer = deps.apiServer ?? (() => undefined);
    this.#clusterIssuer = deps.clusterIssuer ?? (() => deps.config.serviceAccountIssuer);
    this.#proxyClients = deps.proxyClients ?? (() => undefined);
    this.#exposure = deps.exposure ?? (() => undefined);
  }

  now(): Date {
    return new Date();
  }

  getServer(key: ObjectKey): MCPServer | undefined {
    return this.#caches.get('MCPServer', key.namespace, key.name) as MCPServer | undefined;
  }

  /** Referenced Secrets as key digests read now (the cache has their metadata only); the rest cached. */
  async getFacts(server: MCPServer): Promise<ServerFacts> {
    const namespace = server.metadata?.namespace ?? '';
    const dataOf = (kind: KnownKind, name: string) => {
      const found = this.#caches.get(kind, namespace, name);
      return found ? ((found.data ?? {}) as Record<string, string>) : undefined;
    };
    const password = redisPasswordRef(server);
    const refs = [...(server.spec.secrets ?? []), ...(password ? [password] : [])];
    const names = [...new Set(refs.map((s) => s.name))];
    const secrets = new Map(
      await Promise.all(names.map(async (name) => [name, await this.#secretKeys(namespace, name)] as const)),
    );
    const profile = server.spec.permissionProfile;
    const facts: ServerFacts = {
      secrets,
      apiServer: this.#apiServer(),
      ...(await authFacts(server, this.#caches, {
        clusterIssuer: this.#clusterIssuer(),
        proxyClients: this.#proxyClients(),
        secretKeys: (ns, name) => this.#secretKeys(ns, name),
      })),
    };
    if (profile?.type === 'configmap') facts.profileConfigMap = dataOf('ConfigMap', profile.name);
    facts.exposure = this.#exposure();
    facts.gatewayApi = this.#caches.served('HTTPRoute');
    const route = this.#caches.get('HTTPRoute', namespace, routeName(server));
    if (this.#ownedBy(server, route)) facts.route = route;
    return facts;
  }

  /** A Secret's key digests (secret-digests.ts); undefined when the cache has no such Secret. */
  #secretKeys(namespace: string, name: string): Promise<KeyDigests | undefined> {
    const cached = this.#caches.get('Secret', namespace, name);
    if (!cached) return Promise.resolve(undefined);
    return this.#secretDigests.of(namespace, name, str(meta(cached).resourceVersion));
  }

  #ownedBy(server: MCPServer, object: Dict | undefined): boolean {
    const refs = meta(object).ownerReferences;
    return (
      Array.isArray(refs) && refs.some((r: Dict) => r.controller === true && r.uid === server.metadata?.uid)
    );
  }

  listOwned(server: MCPServer): ChildRef[] {
    const uid = server.metadata?.uid;
    if (!uid) return [];
    return this.#caches.ownedBy(uid).map((o) => ({
      kind: o.kind as ChildKind,
      namespace: String(meta(o).namespace),
      name: String(meta(o).name),
    }));
  }

  async findConflicts(objects: readonly ChildObject[]): Promise<ChildConflict[]> {
    const found = await Promise.all(objects.map((o) => this.#conflictOf(o)));
    return found.filter((c): c is ChildConflict => c !== undefined);
  }

  /** From the cache; from the API server only for a child of a kind cached by label, unknown to apply. */
  async #conflictOf(object: ChildObject): Promise<ChildConflict | undefined> {
    const { name, namespace } = object.metadata;
    const cached = this.#caches.get(object.kind, namespace, name);
    if (cached) return conflictWith(object, cached);
    const key = refKey(object.kind, namespace, name);
    if (this.#applied.has(key) || WHOLLY_CACHED.has(object.kind)) return undefined;
    const live = await this.#read(object.kind, namespace, name, '0');
    // Ours without our label: apply() then updates it instead of creating it.
    if (live && isOurs(object, live)) this.#applied.set(key, appliedFrom('', {}, live));
    return conflictWith(object, live);
  }

  /** The object as the API server has it (resourceVersion 0: from its watch cache); undefined if none. */
  #read(kind: KnownKind, namespace: string, name: string, resourceVersion?: string) {
    const path = resourcePath(kind, namespace, name);
    return this.#client.request<Dict>({ method: 'GET', path, query: { resourceVersion } }).catch((err) => {
      if (err instanceof ApiError && err.code === 404) return undefined;
      throw err;
    });
  }

  async apply(object: ChildObject): Promise<ApplyResult> {
    const { name, namespace } = object.metadata;
    const key = refKey(object.kind, namespace, name);
    const body = applyBody(object);
    const hash = sha256(body);
    const live = this.#caches.get(object.kind, namespace, name);
    const taken = conflictWith(object, live);
    if (taken) throw new ChildConflictError(taken);
    const last = this.#applied.get(key);
    if (live && last && last.hash === hash && !mayHaveDrifted(live, body, last)) return 'unchanged';
    // Neither cached nor applied before: create it, and only if it does not exist (see the header).
    const createOnly = !live && !last;
    let answer: Dict;
    try {
      answer = await this.#patch(object, body, createOnly);
    } catch (err) {
      if (createOnly && isConflict(err)) return this.#existsAfterAll(object, err);
      answer = await this.#recreateService(object, body, err);
    }
    const applied = appliedFrom(hash, body, answer);
    this.#applied.set(key, applied);
    if (!live && last?.uid !== applied.uid) return 'created';
    return live && meta(live).resourceVersion === applied.resourceVersion ? 'unchanged' : 'configured';
  }

  /** A Service whose clusterIP the apply cannot change (isClusterIPChange) is deleted and applied again. */
  async #recreateService(object: ChildObject, body: Dict, err: unknown): Promise<Dict> {
    if (!isClusterIPChange(object.kind, err)) throw err;
    const { name, namespace } = object.metadata;
    this.log.info({ namespace, name, kind: object.kind }, 'Recreating Service: its clusterIP cannot change');
    await this.delete({ kind: object.kind, namespace, name });
    return this.#patch(object, body, false);
  }

  #patch(object: ChildObject, body: Dict, createOnly: boolean): Promise<Dict> {
    const { name, namespace } = object.metadata;
    return this.#client.request<Dict>({
      method: 'PATCH',
      path: resourcePath(object.kind, namespace, name),
      query: { fieldManager: FIELD_MANAGER, force: 'true' },
      contentType: 'application/apply-patch+yaml',
      body: createOnly
        ? { ...body, metadata: { ...meta(body), resourceVersion: CREATE_ONLY_VERSION } }
        : body,
    });
  }

  /** A create-only apply met an object: applied to as any of ours if it is ours, else left alone. */
  async #existsAfterAll(object: ChildObject, err: ApiError): Promise<ApplyResult> {
    const { name, namespace } = object.metadata;
    const now = await this.#read(object.kind, namespace, name);
    const conflict = conflictWith(object, now);
    if (conflict) throw new ChildConflictError(conflict);
    if (!now) throw err; // gone again meanwhile: the retry sees what is there then
    this.#applied.set(refKey(object.kind, namespace, name), appliedFrom('', {}, now));
    return this.apply(object);
  }

  /** Drops what apply() remembers of an object that is gone. */
  forget(kind: string, namespace: string, name: string): void {
    this.#applied.delete(refKey(kind, namespace, name));
    if (kind === 'Secret') this.#secretDigests.forget(namespace, name);
  }

  async delete(ref: ChildRef): Promise<void> {
    try {
      await this.#client.request({
        method: 'DELETE',
        path: resourcePath(ref.kind, ref.namespace, ref.name),
        query: { propagationPolicy: 'Background' },
      });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
    this.forget(ref.kind, ref.namespace, ref.name);
  }

  observe(server: MCPServer): { statefulSet: Dict | undefined; deployment: Dict | undefined; pods: Dict[] } {
    const namespace = server.metadata?.namespace ?? '';
    const owned = (o: Dict | undefined) => (this.#ownedBy(server, o) ? o : undefined);
    const name = server.metadata?.name;
    return {
      statefulSet: owned(this.#caches.get('StatefulSet', namespace, workloadName(server))),
      deployment: owned(this.#caches.get('Deployment', namespace, proxyDeploymentName(server))),
      pods: name ? this.#caches.podsOf(namespace, name) : [],
    };
  }

  async writeStatus(server: MCPServer, status: MCPServerStatus): Promise<void> {
    await this.#client.request({
      method: 'PATCH',
      path: resourcePath('MCPServer', server.metadata?.namespace, server.metadata?.name, 'status'),
      contentType: 'application/merge-patch+json',
      body: { status },
    });
  }

  async recordEvent(server: MCPServer, event: NotableEvent): Promise<void> {
    const now = this.now();
    const eventName = `${server.metadata?.name}.${now.getTime().toString(16)}${(this.#eventSeq++).toString(16)}`;
    try {
      await this.#client.request({
        method: 'POST',
        path: resourcePath('Event', server.metadata?.namespace),
        body: eventObject(server, event, { now, eventName, component: FIELD_MANAGER }),
      });
    } catch (err) {
      this.log.warn({ err, reason: event.reason }, 'Failed to record event');
    }
  }
}
