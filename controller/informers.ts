// Informer caches: one client-node ListWatch per watched kind and namespace (or one cluster-wide when
// no namespaces are given). Children and pods are watched through the managed-by label, so the caches
// hold only what the operator made; Secrets and ConfigMaps are watched whole, because the ones an
// MCPServer references are the user's and carry no label of ours.
// Lists and watches return raw JSON (not client-node's model classes), so every cached object has the
// same shape whether it came from the list or a watch event (the typed list would turn timestamps
// into Date objects while watch events keep strings).
import {
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { Logger } from '../lib/log.ts';
import { MANAGED_SELECTOR } from './desired/labels.ts';
import { CHILD_KINDS, type Dict } from './desired/types.ts';
import type { KubeClient } from './kube-client.ts';
import { resourcePath, type KnownKind } from './resources.ts';

export type CacheEvent = 'add' | 'update' | 'delete';
export type CacheHandler = (kind: KnownKind, event: CacheEvent, object: Dict) => void;

const CHILD_SELECTOR = Object.fromEntries(CHILD_KINDS.map((k) => [k, MANAGED_SELECTOR])) as Record<
  string,
  string
>;

/** Every watched kind and its label selector (undefined: everything of that kind). */
export const WATCHED: ReadonlyArray<[KnownKind, string | undefined]> = [
  ['MCPServer', undefined],
  ...CHILD_KINDS.filter((k) => k !== 'ConfigMap').map((k): [KnownKind, string | undefined] => [
    k,
    CHILD_SELECTOR[k],
  ]),
  ['ConfigMap', undefined],
  ['Secret', undefined],
  ['Pod', MANAGED_SELECTOR],
];

const RESTART_DELAY_MS = 2_000;

interface Entry {
  kind: KnownKind;
  informer: ListWatch<KubernetesObject>;
  listed: boolean;
}

export class Caches {
  readonly #entries: Entry[] = [];
  readonly #handlers: CacheHandler[] = [];
  readonly #log: Logger;
  #stopped = false;

  /** namespaces: the ones to watch, or undefined for all. */
  constructor(kubeConfig: KubeConfig, client: KubeClient, namespaces: string[] | undefined, log: Logger) {
    this.#log = log;
    for (const namespace of namespaces ?? [undefined]) {
      for (const [kind, selector] of WATCHED)
        this.#entries.push(this.#entry(kubeConfig, client, kind, namespace, selector));
    }
  }

  #entry(
    kc: KubeConfig,
    client: KubeClient,
    kind: KnownKind,
    namespace: string | undefined,
    selector: string | undefined,
  ): Entry {
    const path = resourcePath(kind, namespace);
    const entry = { kind } as Entry;
    const list = async (): Promise<KubernetesListObject<KubernetesObject>> => {
      const result = await client.request<KubernetesListObject<KubernetesObject>>({
        method: 'GET',
        path,
        query: { labelSelector: selector },
      });
      entry.listed = true;
      return result;
    };
    entry.informer = new ListWatch(path, new Watch(kc), list, false, selector);
    for (const event of ['add', 'update', 'delete'] as const) {
      entry.informer.on(event, (obj) => this.#handlers.forEach((h) => h(kind, event, obj as Dict)));
    }
    entry.informer.on('error', (err) => this.#restartLater(entry, err));
    return entry;
  }

  /** client-node's informer stops on an error other than an expired resourceVersion; start it again. */
  #restartLater(entry: Entry, err: unknown): void {
    if (this.#stopped) return;
    this.#log.warn({ err, kind: entry.kind }, 'Watch failed, restarting');
    setTimeout(() => {
      if (!this.#stopped) entry.informer.start().catch((e: unknown) => this.#restartLater(entry, e));
    }, RESTART_DELAY_MS).unref();
  }

  onEvent(handler: CacheHandler): void {
    this.#handlers.push(handler);
  }

  /** Starts every informer and resolves once each has listed at least once (the caches are usable). */
  async start(timeoutMs = 60_000): Promise<void> {
    await Promise.all(this.#entries.map((e) => e.informer.start()));
    const deadline = Date.now() + timeoutMs;
    while (this.#entries.some((e) => !e.listed)) {
      if (Date.now() > deadline) {
        const missing = this.#entries.filter((e) => !e.listed).map((e) => e.kind);
        throw new Error(`caches did not sync: ${[...new Set(missing)].join(', ')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#entries.map((e) => e.informer.stop()));
  }

  get(kind: KnownKind, namespace: string, name: string): Dict | undefined {
    for (const e of this.#entries) {
      if (e.kind !== kind) continue;
      const found = e.informer.get(name, namespace);
      if (found) return found as Dict;
    }
    return undefined;
  }

  list(kind: KnownKind, namespace?: string): Dict[] {
    return this.#entries.filter((e) => e.kind === kind).flatMap((e) => e.informer.list(namespace) as Dict[]);
  }
}
