// Informer caches: one ListWatch (lib/kube/list-watch.ts) per watched kind and namespace (or one cluster-wide
// when no namespaces are given). Children and pods are watched through the managed-by label, so the
// caches hold only what the operator made; Secrets and ConfigMaps are watched unfiltered, because the
// ones an MCPServer references are the user's and carry no label of ours. Secrets are watched as
// metadata only (lib/kube/list-watch.ts metadataOnly): their data never reaches the controller through a watch,
// and the few an MCPServer references are read when it is reconciled (secret-digests.ts), their values
// dropped at once. Objects are kept in their cached form (cache-transform.ts).
// Indexes answer the controller's questions without scanning (each scan was per reconcile or per event,
// so quadratic in MCPServers): children by the uid of their controller owner (prune's "what do I own"),
// pods by namespace and instance label (status's "my pods"), and MCPServers by the Secrets and
// ConfigMap they reference (which servers a Secret or ConfigMap event wakes), and by the MCPOIDCConfig,
// MCPAuthzConfig and ConfigMaps their authentication and authorization name. The two config kinds are
// the users' (no label of ours), watched whole in the namespaces watched: they are few and small.
// MCPOIDCConfigs are indexed by the Secret and CA ConfigMap an inline one names (oidcConfigsNaming),
// so that one appearing or changing wakes the servers that name the config (manager.ts).
import type { Logger } from '../lib/log.ts';
import { cachedForm } from './cache-transform.ts';
import { LABEL_INSTANCE, MANAGED_SELECTOR } from './desired/labels.ts';
import { configFiles, oidcFiles, type OidcFile } from './desired/oidc-files.ts';
import { COMPANION_KINDS, companionRefs, type CompanionKind } from '../schemas/companion-refs.ts';
import { CHILD_KINDS, dictsIn, isDict, str, type Dict } from './desired/types.ts';
import type { KubeClient } from '../lib/kube/client.ts';
import { ListWatch, objectKey, type CacheEvent } from '../lib/kube/list-watch.ts';
import { resourcePath, type KnownKind } from './resources.ts';

export type { CacheEvent } from '../lib/kube/list-watch.ts';
export type CacheHandler = (kind: KnownKind, event: CacheEvent, object: Dict) => void;

/** Every watched kind and its label selector (undefined: everything of that kind). */
export const WATCHED: ReadonlyArray<[KnownKind, string | undefined]> = [
  ['MCPServer', undefined],
  ...CHILD_KINDS.filter((k) => k !== 'ConfigMap').map((k): [KnownKind, string | undefined] => [
    k,
    MANAGED_SELECTOR,
  ]),
  ['ConfigMap', undefined],
  ['Secret', undefined],
  ['Pod', MANAGED_SELECTOR],
  ['MCPOIDCConfig', undefined],
  ['MCPAuthzConfig', undefined],
  ...COMPANION_KINDS.map((k): [KnownKind, string | undefined] => [k, undefined]),
];

/** Kinds whose CRDs may be missing (list-watch.ts optional): the controller runs without them. */
export const OPTIONAL: ReadonlySet<KnownKind> = new Set([
  'MCPOIDCConfig',
  'MCPAuthzConfig',
  ...COMPANION_KINDS,
  'HTTPRoute',
]);

/** Kinds watched as metadata only: the controller holds no Secret data (issue 14). */
export const METADATA_ONLY: ReadonlySet<KnownKind> = new Set(['Secret']);

const CHILD_KIND_SET: ReadonlySet<string> = new Set(CHILD_KINDS);
const meta = (o: Dict): Dict => (isDict(o.metadata) ? o.metadata : {});

/** The uid of the object's controller owner reference, if any. */
export function controllerUid(object: Dict): string | undefined {
  const ref = dictsIn(meta(object).ownerReferences).find((r) => r.controller === true);
  return ref ? str(ref.uid) || undefined : undefined;
}

/** namespace/instance-label of a pod, if labelled. */
export function podInstance(pod: Dict): string | undefined {
  const labels = meta(pod).labels;
  const instance = isDict(labels) ? str(labels[LABEL_INSTANCE]) : '';
  return instance ? `${str(meta(pod).namespace)}/${instance}` : undefined;
}

/** The names of the ConfigMaps an MCPServer's authentication and authorization read (not CA bundles: mounted). */
export function authConfigMapNames(spec: Dict): string[] {
  const names: string[] = [];
  const oidc = isDict(spec.oidcConfig) ? spec.oidcConfig : {};
  if (!isDict(spec.oidcConfigRef) && oidc.type === 'configMap' && isDict(oidc.configMap))
    names.push(str(oidc.configMap.name));
  const authz = isDict(spec.authzConfig) ? spec.authzConfig : {};
  if (!isDict(spec.authzConfigRef) && (authz.type ?? 'configMap') === 'configMap' && isDict(authz.configMap))
    names.push(str(authz.configMap.name));
  return [...new Set(names.filter(Boolean))];
}

/** The Secrets, ConfigMaps, MCPOIDCConfig and MCPAuthzConfig an MCPServer reads, as namespace/kind/name. */
export function referencedBy(server: Dict): string[] {
  const namespace = str(meta(server).namespace);
  const spec = isDict(server.spec) ? server.spec : {};
  const secrets = Array.isArray(spec.secrets) ? spec.secrets.filter(isDict) : [];
  const refs = secrets.map((s) => `${namespace}/Secret/${str(s.name)}`);
  const storage = isDict(spec.sessionStorage) ? spec.sessionStorage : {};
  const password = isDict(storage.passwordRef) ? str(storage.passwordRef.name) : '';
  if (storage.provider === 'redis' && password) refs.push(`${namespace}/Secret/${password}`);
  const profile = isDict(spec.permissionProfile) ? spec.permissionProfile : {};
  if (profile.type === 'configmap') refs.push(`${namespace}/ConfigMap/${str(profile.name)}`);
  for (const name of authConfigMapNames(spec)) refs.push(`${namespace}/ConfigMap/${name}`);
  for (const file of oidcFiles(spec, undefined)) refs.push(`${namespace}/${file.kind}/${file.name}`);
  if (isDict(spec.oidcConfigRef)) refs.push(`${namespace}/MCPOIDCConfig/${str(spec.oidcConfigRef.name)}`);
  if (isDict(spec.authzConfigRef)) refs.push(`${namespace}/MCPAuthzConfig/${str(spec.authzConfigRef.name)}`);
  for (const { kind, name } of companionRefs(server)) refs.push(`${namespace}/${kind}/${name}`);
  return refs;
}

/** The kinds an MCPServer reads that a change of wakes it for. */
export type ReferencedKind = 'Secret' | 'ConfigMap' | 'MCPOIDCConfig' | 'MCPAuthzConfig' | CompanionKind;
export const REFERENCED_KINDS: ReadonlySet<string> = new Set<ReferencedKind>([
  'Secret',
  'ConfigMap',
  'MCPOIDCConfig',
  'MCPAuthzConfig',
  ...COMPANION_KINDS,
]);

/** Objects grouped by computed values (none, one or several per object), kept current as they change. */
export class Index {
  readonly #byValue = new Map<string, Map<string, Dict>>();
  readonly #valuesOf = new Map<string, string[]>();
  readonly #valuesFn: (object: Dict) => string[];

  constructor(valuesFn: (object: Dict) => string[]) {
    this.#valuesFn = valuesFn;
  }

  update(event: CacheEvent, object: Dict): void {
    const key = `${str(object.kind)}/${objectKey(object)}`;
    for (const previous of this.#valuesOf.get(key) ?? []) {
      const group = this.#byValue.get(previous);
      group?.delete(key);
      if (group?.size === 0) this.#byValue.delete(previous);
    }
    this.#valuesOf.delete(key);
    const values = event === 'delete' ? [] : [...new Set(this.#valuesFn(object))];
    if (!values.length) return;
    this.#valuesOf.set(key, values);
    for (const value of values) {
      let group = this.#byValue.get(value);
      if (!group) this.#byValue.set(value, (group = new Map<string, Dict>()));
      group.set(key, object);
    }
  }

  get(value: string): Dict[] {
    return [...(this.#byValue.get(value)?.values() ?? [])];
  }
}

const asList = (value: string | undefined): string[] => (value === undefined ? [] : [value]);

interface Entry {
  kind: KnownKind;
  informer: ListWatch;
}

export class Caches {
  readonly #entries: Entry[] = [];
  readonly #handlers: CacheHandler[] = [];
  readonly #servedHandlers: ((kind: KnownKind, served: boolean) => void)[] = [];
  readonly #byOwner = new Index((o) => asList(controllerUid(o)));
  readonly #podsByInstance = new Index((o) => asList(podInstance(o)));
  readonly #serversByReference = new Index(referencedBy);
  readonly #oidcConfigsByFile = new Index((o) =>
    configFiles(o).map((f) => `${str(meta(o).namespace)}/${f.kind}/${f.name}`),
  );

  /** namespaces: the ones to watch, or undefined for all. */
  constructor(client: KubeClient, namespaces: string[] | undefined, log: Logger) {
    for (const namespace of namespaces ?? [undefined]) {
      for (const [kind, labelSelector] of WATCHED) {
        const informer = new ListWatch({
          client,
          path: resourcePath(kind, namespace),
          labelSelector,
          metadataOnly: METADATA_ONLY.has(kind),
          optional: OPTIONAL.has(kind),
          transform: (o) => cachedForm(kind, o),
          onEvent: (event, object) => this.#onEvent(kind, event, object),
          onServedChange: (served) => this.#servedHandlers.forEach((h) => h(kind, served)),
          log: log.child({ kind }),
        });
        this.#entries.push({ kind, informer });
      }
    }
  }

  #onEvent(kind: KnownKind, event: CacheEvent, object: Dict): void {
    if (CHILD_KIND_SET.has(kind)) this.#byOwner.update(event, object);
    if (kind === 'Pod') this.#podsByInstance.update(event, object);
    if (kind === 'MCPServer') this.#serversByReference.update(event, object);
    if (kind === 'MCPOIDCConfig') this.#oidcConfigsByFile.update(event, object);
    for (const handler of this.#handlers) handler(kind, event, object);
  }

  onEvent(handler: CacheHandler): void {
    this.#handlers.push(handler);
  }

  /** Called when an optional kind's CRD is found installed or missing (list-watch.ts optional). */
  onServedChange(handler: (kind: KnownKind, served: boolean) => void): void {
    this.#servedHandlers.push(handler);
  }

  /** Whether an optional kind is served (its CRD installed); false once every informer of it found none. */
  served(kind: KnownKind): boolean {
    return this.#entries.some((e) => e.kind === kind && e.informer.served() !== false);
  }

  /** Starts every informer and resolves once each has listed once (the caches are usable). */
  async start(timeoutMs = 60_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('caches did not sync')), timeoutMs);
    });
    try {
      await Promise.race([Promise.all(this.#entries.map((e) => e.informer.start())), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.#entries.map((e) => e.informer.stop()));
  }

  get(kind: KnownKind, namespace: string, name: string): Dict | undefined {
    for (const e of this.#entries) {
      if (e.kind !== kind) continue;
      const found = e.informer.get(namespace, name);
      if (found) return found;
    }
    return undefined;
  }

  list(kind: KnownKind, namespace?: string): Dict[] {
    const out: Dict[] = [];
    for (const e of this.#entries) {
      if (e.kind !== kind) continue;
      for (const o of e.informer.values())
        if (namespace === undefined || meta(o).namespace === namespace) out.push(o);
    }
    return out;
  }

  /** Children (of CHILD_KINDS) whose controller owner reference has this uid. */
  ownedBy(uid: string): Dict[] {
    return this.#byOwner.get(uid);
  }

  /** MCPServers whose spec names this Secret, ConfigMap, MCPOIDCConfig or MCPAuthzConfig. */
  referencing(kind: ReferencedKind, namespace: string, name: string): Dict[] {
    return this.#serversByReference.get(`${namespace}/${kind}/${name}`);
  }

  /** Inline MCPOIDCConfigs whose clientSecretRef or caBundleRef names this Secret or ConfigMap. */
  oidcConfigsNaming(kind: OidcFile['kind'], namespace: string, name: string): Dict[] {
    return this.#oidcConfigsByFile.get(`${namespace}/${kind}/${name}`);
  }

  /** Pods labelled app.kubernetes.io/instance=<instance> in the namespace. */
  podsOf(namespace: string, instance: string): Dict[] {
    return this.#podsByInstance.get(`${namespace}/${instance}`);
  }
}
