// The admission policy as the controller needs it: its proxyClientNamespaces key
// (lib/proxy-clients.ts), which every proxy's ingress NetworkPolicy follows, and its exposure key
// (lib/exposure.ts), the Gateways exposed servers' HTTPRoutes attach to. One ListWatch on the one
// policy ConfigMap (--policy-configmap NS/NAME, the webhook's), restricted by field selector to its
// name, so RBAC can grant it by resourceNames and the cache holds that object only.
// Like the webhook's PolicySource: a ConfigMap whose key does not parse keeps the last good value (a
// typo must neither open every proxy nor shut them all), and is logged; a deleted ConfigMap means no
// policy, so the key is unset. onChange fires only when the value changes.
import type { Logger } from '../lib/log.ts';
import { exposureFromPolicyData, type ExposurePolicy } from '../lib/exposure.ts';
import { proxyClientsFromPolicyData } from '../lib/proxy-clients.ts';
import { cachedForm } from './cache-transform.ts';
import { isDict, type Dict } from './desired/types.ts';
import type { KubeClient } from '../lib/kube/client.ts';
import { ListWatch, type CacheEvent } from '../lib/kube/list-watch.ts';
import { resourcePath } from './resources.ts';

export type ProxyClientsValue = readonly string[] | undefined;

/** The value after an event on the policy ConfigMap, and the problem to log when it could not be read. */
export function proxyClientsAfter(
  last: ProxyClientsValue,
  event: CacheEvent,
  configMap: Dict,
): { value: ProxyClientsValue; problem?: string } {
  if (event === 'delete') return { value: undefined };
  const data = isDict(configMap.data) ? (configMap.data as Record<string, string>) : {};
  const parsed = proxyClientsFromPolicyData(data);
  return 'problem' in parsed ? { value: last, problem: parsed.problem } : { value: parsed.namespaces };
}

/** The exposure key after an event, like proxyClientsAfter: a key that does not parse keeps the last. */
export function exposureAfter(
  last: ExposurePolicy | undefined,
  event: CacheEvent,
  configMap: Dict,
): { value: ExposurePolicy | undefined; problem?: string } {
  if (event === 'delete') return { value: undefined };
  const parsed = exposureFromPolicyData(
    isDict(configMap.data) ? (configMap.data as Record<string, string>) : {},
  );
  return 'problems' in parsed
    ? { value: last, problem: parsed.problems.join('; ') }
    : { value: parsed.exposure };
}

const same = (a: ProxyClientsValue | ExposurePolicy, b: ProxyClientsValue | ExposurePolicy): boolean =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export class PolicyWatch {
  readonly #informer: ListWatch;
  readonly #log: Logger;
  readonly #listeners: (() => void)[] = [];
  #value: ProxyClientsValue = undefined;
  #exposure: ExposurePolicy | undefined;

  constructor(client: KubeClient, ref: { namespace: string; name: string }, log: Logger) {
    this.#log = log.child({ policyConfigMap: `${ref.namespace}/${ref.name}` });
    this.#informer = new ListWatch({
      client,
      path: resourcePath('ConfigMap', ref.namespace),
      fieldSelector: `metadata.name=${ref.name}`,
      transform: (o) => cachedForm('ConfigMap', o),
      onEvent: (event, object) => this.#onEvent(event, object),
      log: this.#log,
    });
  }

  #onEvent(event: CacheEvent, object: Dict): void {
    const exposure = exposureAfter(this.#exposure, event, object);
    if (exposure.problem)
      this.#log.error(
        { problem: exposure.problem },
        'Policy ConfigMap: exposure not readable, keeping the last good value',
      );
    if (!same(exposure.value, this.#exposure)) {
      this.#exposure = exposure.value;
      this.#log.info({ exposure: exposure.value ?? null }, 'Policy: exposure changed');
      for (const listener of this.#listeners) listener();
    }
    const next = proxyClientsAfter(this.#value, event, object);
    if (next.problem)
      this.#log.error(
        { problem: next.problem },
        'Policy ConfigMap: proxyClientNamespaces not readable, keeping the last good value',
      );
    if (same(next.value, this.#value)) return;
    this.#value = next.value;
    this.#log.info({ proxyClientNamespaces: next.value ?? null }, 'Policy: proxy client namespaces changed');
    for (const listener of this.#listeners) listener();
  }

  /** The namespaces (besides its own) whose pods may connect to a proxy; undefined: anyone's. */
  current(): ProxyClientsValue {
    return this.#value;
  }

  /** The Gateways exposed servers may attach to; undefined: none. */
  exposure(): ExposurePolicy | undefined {
    return this.#exposure;
  }

  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  start(): Promise<void> {
    return this.#informer.start();
  }

  stop(): Promise<void> {
    return this.#informer.stop();
  }
}
