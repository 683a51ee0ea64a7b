// The admission policy, read from a ConfigMap (key policy.yaml) and kept current by a watch. The
// webhook asks current() on every review, so the policy applies from the next review after an edit,
// without a restart. What happens on each change is decided by policyAfterEvent(), a pure function:
// - a ConfigMap that parses replaces the policy;
// - one that does not parse (a typo in an edit) keeps the last good policy and logs every error: a
//   broken edit must not silently drop a restriction, nor start denying every MCPServer;
// - deleting the ConfigMap is deliberate and returns to the fallback policy (everything allowed).
// Parsing is injected (webhook/policy.ts's parsePolicy in production). The watch is lib/kube's informer
// (list, then watch from that resourceVersion, retrying until stopped) restricted by field selector to
// the one name, so the operator needs get/list/watch on ConfigMaps in that namespace only.
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { KubeClient } from '../lib/kube/client.ts';
import { Informer } from '../lib/kube/typed-calls.ts';
import type { Logger } from '../lib/log.ts';

export type PolicyParser<P> = (data: Record<string, string>) => { policy: P } | { errors: string[] };

export type ConfigMapEvent = { type: 'upsert'; configMap: V1ConfigMap } | { type: 'delete' };

/** The policy after a ConfigMap event, and the errors to log when it could not be used. */
export function policyAfterEvent<P>(
  last: P,
  event: ConfigMapEvent,
  parse: PolicyParser<P>,
  fallback: P,
): { policy: P; errors: string[] } {
  if (event.type === 'delete') return { policy: fallback, errors: [] };
  const parsed = parse(event.configMap.data ?? {});
  return 'policy' in parsed ? { policy: parsed.policy, errors: [] } : { policy: last, errors: parsed.errors };
}

/**
 * The part of an informer used here (lib/kube/typed-calls.ts's, which retries on its own until stopped);
 * unit tests pass a fake that emits events by hand.
 */
export interface ConfigMapInformer {
  on(verb: 'add' | 'update' | 'delete', cb: (configMap: V1ConfigMap) => void): void;
  /** Resolves after the first list. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface PolicySourceOptions<P> {
  informer: ConfigMapInformer;
  parse: PolicyParser<P>;
  /** The policy while no ConfigMap exists. */
  fallback: P;
  log: Logger;
}

export class PolicySource<P> {
  readonly #options: PolicySourceOptions<P>;
  #synced = false;
  #policy: P;

  constructor(options: PolicySourceOptions<P>) {
    this.#options = options;
    this.#policy = options.fallback;
    const { informer } = options;
    informer.on('add', (configMap) => this.#apply({ type: 'upsert', configMap }));
    informer.on('update', (configMap) => this.#apply({ type: 'upsert', configMap }));
    informer.on('delete', () => this.#apply({ type: 'delete' }));
  }

  /** Resolves after the first list: from then on current() reflects the ConfigMap. */
  async start(): Promise<void> {
    await this.#options.informer.start();
    this.#synced = true;
  }

  /** The policy to apply now; the fallback until start() resolved. */
  current(): P {
    return this.#policy;
  }

  /** True once the first list completed; for /readyz. */
  synced(): boolean {
    return this.#synced;
  }

  stop(): Promise<void> {
    return this.#options.informer.stop();
  }

  #apply(event: ConfigMapEvent): void {
    const { policy, errors } = policyAfterEvent(
      this.#policy,
      event,
      this.#options.parse,
      this.#options.fallback,
    );
    if (errors.length > 0) {
      this.#options.log.error({ errors }, 'Kept the last good admission policy; the ConfigMap has errors');
      return;
    }
    this.#policy = policy;
    this.#options.log.info({ event: event.type }, 'Loaded admission policy');
  }
}

/** An informer for the one ConfigMap namespace/name. */
export function configMapInformer(
  client: KubeClient,
  namespace: string,
  name: string,
  log: Logger,
): ConfigMapInformer {
  const fieldSelector = `metadata.name=${name}`;
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
  return new Informer<V1ConfigMap>(client, { path, fieldSelector }, log);
}
