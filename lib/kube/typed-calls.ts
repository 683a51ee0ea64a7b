// The few typed calls the admission webhook and its certificate store make, on this repository's JSON
// client (client.ts) instead of @kubernetes/client-node, with client-node's shapes (object parameters,
// its V1 types as types only): the narrow interfaces in webhook/ and certs/ and the unit tests' fakes
// stay as they were. Importing client-node cost the operator about 24 MiB of live heap (28.5 MiB used
// after GC against Node's 4.3; RSS 107 MiB against 45: bench/startup-memory.ts) for these calls and two
// informers.
// Errors are ApiError with the HTTP code, which lib/api-status.ts reads as it reads client-node's.
import type {
  V1ConfigMap,
  V1LocalSubjectAccessReview,
  V1MutatingWebhookConfiguration,
  V1Secret,
  V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import type { Logger } from '../log.ts';
import type { Dict } from '../dict.ts';
import type { KubeClient } from './client.ts';
import { ListWatch, type CacheEvent } from './list-watch.ts';

const seg = encodeURIComponent;
const namespaced = (namespace: string, plural: string, name?: string): string =>
  `/api/v1/namespaces/${seg(namespace)}/${plural}${name === undefined ? '' : `/${seg(name)}`}`;

type Named = { name: string; namespace: string };

/** Secrets and ConfigMaps, as client-node's CoreV1Api names the calls. */
export function coreCalls(client: KubeClient) {
  return {
    readNamespacedSecret: ({ name, namespace }: Named) =>
      client.request<V1Secret>({ method: 'GET', path: namespaced(namespace, 'secrets', name) }),
    createNamespacedSecret: ({ namespace, body }: { namespace: string; body: V1Secret }) =>
      client.request<V1Secret>({ method: 'POST', path: namespaced(namespace, 'secrets'), body }),
    replaceNamespacedSecret: ({ name, namespace, body }: Named & { body: V1Secret }) =>
      client.request<V1Secret>({ method: 'PUT', path: namespaced(namespace, 'secrets', name), body }),
    readNamespacedConfigMap: ({ name, namespace }: Named) =>
      client.request<V1ConfigMap>({ method: 'GET', path: namespaced(namespace, 'configmaps', name) }),
  };
}

/** One namespaced custom object, as CustomObjectsApi's getNamespacedCustomObject. */
export function customObjectCalls(client: KubeClient) {
  return {
    getNamespacedCustomObject: (p: Named & { group: string; version: string; plural: string }) =>
      client.request<unknown>({
        method: 'GET',
        path: `/apis/${seg(p.group)}/${seg(p.version)}/namespaces/${seg(p.namespace)}/${seg(p.plural)}/${seg(p.name)}`,
      }),
  };
}

/** LocalSubjectAccessReview, as AuthorizationV1Api's createNamespacedLocalSubjectAccessReview. */
export function authorizationCalls(client: KubeClient) {
  return {
    createNamespacedLocalSubjectAccessReview: ({ namespace, body }: { namespace: string; body: unknown }) =>
      client.request<V1LocalSubjectAccessReview>({
        method: 'POST',
        path: `/apis/authorization.k8s.io/v1/namespaces/${seg(namespace)}/localsubjectaccessreviews`,
        body,
      }),
  };
}

const registration = (plural: string, name: string): string =>
  `/apis/admissionregistration.k8s.io/v1/${plural}/${seg(name)}`;
/** client-node sends a patch body as a JSON Patch unless told otherwise; so does this. */
const JSON_PATCH = 'application/json-patch+json';

/** Webhook configurations, read and JSON-patched, as AdmissionregistrationV1Api's calls. */
export function webhookConfigurationCalls(client: KubeClient) {
  const read =
    <T>(plural: string) =>
    ({ name }: { name: string }) =>
      client.request<T>({ method: 'GET', path: registration(plural, name) });
  const patch =
    <T>(plural: string) =>
    ({ name, body }: { name: string; body: unknown }) =>
      client.request<T>({ method: 'PATCH', path: registration(plural, name), body, contentType: JSON_PATCH });
  return {
    readValidatingWebhookConfiguration: read<V1ValidatingWebhookConfiguration>(
      'validatingwebhookconfigurations',
    ),
    patchValidatingWebhookConfiguration: patch<V1ValidatingWebhookConfiguration>(
      'validatingwebhookconfigurations',
    ),
    readMutatingWebhookConfiguration: read<V1MutatingWebhookConfiguration>('mutatingwebhookconfigurations'),
    patchMutatingWebhookConfiguration: patch<V1MutatingWebhookConfiguration>('mutatingwebhookconfigurations'),
  };
}

export interface InformerSource {
  /** The collection's path, e.g. /api/v1/namespaces. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** What of each object is kept (all of it when absent). */
  transform?: (object: Dict) => Dict;
}

/**
 * An informer with client-node's surface (on add, update, delete; start resolves after the first list)
 * on list-watch.ts, which retries on its own (backing off up to 30 s) until stopped: unlike client-node's,
 * it never stops on an error, so nobody has to start it again.
 */
export class Informer<T> {
  readonly #source: InformerSource;
  readonly #client: KubeClient;
  readonly #log: Logger;
  readonly #handlers: Record<CacheEvent, ((object: T) => void)[]> = { add: [], update: [], delete: [] };
  #watch: ListWatch | undefined;

  constructor(client: KubeClient, source: InformerSource, log: Logger) {
    this.#client = client;
    this.#source = source;
    this.#log = log;
  }

  on(verb: CacheEvent, callback: (object: T) => void): void {
    this.#handlers[verb].push(callback);
  }

  start(): Promise<void> {
    const { path, labelSelector, fieldSelector, transform } = this.#source;
    this.#watch = new ListWatch({
      client: this.#client,
      path,
      ...(labelSelector ? { labelSelector } : {}),
      ...(fieldSelector ? { fieldSelector } : {}),
      transform: transform ?? ((object) => object),
      onEvent: (event, object) => {
        for (const callback of this.#handlers[event]) callback(object as T);
      },
      log: this.#log,
    });
    return this.#watch.start();
  }

  async stop(): Promise<void> {
    await this.#watch?.stop();
  }
}
