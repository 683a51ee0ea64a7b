// The Pod Security level each namespace enforces (its `pod-security.kubernetes.io/enforce` label), kept
// current by a watch, so that admission judges an MCPServer's pod by the stricter of the policy's
// podSecurityLevel and the namespace's own: a pod the namespace would refuse is refused at
// `kubectl apply`, not found later in a StatefulSet's events.
// Only namespaces that carry the label are listed and watched (a label selector), so the cache is as
// small as the set of labelled namespaces and a review reads it without a request. Until the first list
// completes the webhook is not ready. A value that is not a level counts as `restricted`, failing closed
// (Pod Security admission itself refuses pods in such a namespace).
import type { V1Namespace } from '@kubernetes/client-node';
import type { KubeClient } from '../lib/kube/client.ts';
import { Informer } from '../lib/kube/typed-calls.ts';
import type { Logger } from '../lib/log.ts';
import { POD_SECURITY_LEVELS, type PodSecurityLevel } from './policy.ts';

export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/** The level a label value names; anything else is `restricted`. */
export function enforceLevel(value: string): PodSecurityLevel {
  return POD_SECURITY_LEVELS.includes(value as PodSecurityLevel) ? (value as PodSecurityLevel) : 'restricted';
}

/**
 * The part of an informer used here (lib/kube/typed-calls.ts's, which retries on its own until stopped);
 * unit tests pass a fake.
 */
export interface NamespaceInformer {
  on(verb: 'add' | 'update' | 'delete', cb: (namespace: V1Namespace) => void): void;
  /** Resolves after the first list. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export class NamespaceLevels {
  readonly #levels = new Map<string, PodSecurityLevel>();
  readonly #informer: NamespaceInformer;
  #synced = false;

  constructor(informer: NamespaceInformer) {
    informer.on('add', (ns) => this.#set(ns));
    informer.on('update', (ns) => this.#set(ns));
    informer.on('delete', (ns) => this.#levels.delete(ns.metadata?.name ?? ''));
    this.#informer = informer;
  }

  async start(): Promise<void> {
    await this.#informer.start();
    this.#synced = true;
  }

  /** True once the first list completed; for /readyz. */
  synced(): boolean {
    return this.#synced;
  }

  /** The namespace's enforced level, or undefined when it has no label. */
  levelOf(namespace: string): PodSecurityLevel | undefined {
    return this.#levels.get(namespace);
  }

  stop(): Promise<void> {
    return this.#informer.stop();
  }

  #set(namespace: V1Namespace): void {
    const name = namespace.metadata?.name;
    if (!name) return;
    const value = namespace.metadata?.labels?.[ENFORCE_LABEL];
    if (value === undefined) this.#levels.delete(name);
    else this.#levels.set(name, enforceLevel(value));
  }
}

/** An informer for the namespaces that carry the enforce label; each keeps only its name and labels. */
export function namespaceInformer(client: KubeClient, log: Logger): NamespaceInformer {
  const transform = (ns: Record<string, unknown>) => {
    const { name, labels } = (ns.metadata ?? {}) as { name?: string; labels?: Record<string, string> };
    return { metadata: { name, labels } };
  };
  const source = { path: '/api/v1/namespaces', labelSelector: ENFORCE_LABEL, transform };
  return new Informer<V1Namespace>(client, source, log);
}
