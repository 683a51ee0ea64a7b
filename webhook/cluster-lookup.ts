// ClusterLookup (webhook/facts.ts) against the API server. Only the *names* of a Secret's keys leave
// this module: the values are dropped right where the API answer arrives, so no Secret value can reach
// a log line, an error message or an admission response. ConfigMap data is returned whole (it is not
// secret and the permission-profile rules read it).
//
// One GET per referenced object, no cache. Admission runs when a person or a pipeline writes an
// MCPServer, a few times a minute at most, and each review references a handful of objects; a GET is
// milliseconds. A cache would need a watch on every Secret in the cluster (memory, and RBAC to list
// them all) or a TTL, and a TTL that remembers "not found" would wrongly deny an MCPServer applied
// right after its Secret, the most common order in a manifest. So there is nothing to sync before
// readiness either.
import type { V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { isNotFound } from '../lib/api-status.ts';
import { loadApiAccess } from '../lib/kube/access.ts';
import { KubeClient } from '../lib/kube/client.ts';
import { coreCalls, customObjectCalls } from '../lib/kube/typed-calls.ts';
import { pluralOf } from './config-kinds.ts';
import type { ClusterLookup } from './facts.ts';
import type { Dict } from './rules/shape.ts';

/** The two reads we need; CoreV1Api satisfies it, and unit tests pass a fake. */
export interface SecretAndConfigMapReader {
  readNamespacedSecret(p: { name: string; namespace: string }): Promise<V1Secret>;
  readNamespacedConfigMap(p: { name: string; namespace: string }): Promise<V1ConfigMap>;
}

/** The read of an MCPOIDCConfig or MCPAuthzConfig; CustomObjectsApi satisfies it. */
export interface CustomObjectReader {
  getNamespacedCustomObject(p: {
    group: string;
    version: string;
    namespace: string;
    plural: string;
    name: string;
  }): Promise<unknown>;
}

/**
 * getAuthConfig by GET (one per reference, no cache, for the reasons above): the config's spec, `{}` when
 * it has none, undefined when absent. A cluster without the CRD answers 404 too: the reference is then
 * reported as not found, which is what it is.
 */
export function authConfigLookupFrom(
  reader: CustomObjectReader,
): Required<Pick<ClusterLookup, 'getAuthConfig'>> {
  return {
    async getAuthConfig(kind, namespace, name) {
      const found = await undefinedIfNotFound(
        reader.getNamespacedCustomObject({
          group: 'toolhive.stacklok.dev',
          version: 'v1beta1',
          namespace,
          plural: pluralOf(kind),
          name,
        }),
      );
      if (found === undefined) return undefined;
      const spec = (found as { spec?: unknown }).spec;
      return typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? (spec as Dict) : {};
    },
  };
}

/** A lookup using the given kubeconfig file, or the default ($KUBECONFIG, ~/.kube/config, in-cluster). */
export async function createClusterLookup(kubeconfigPath?: string): Promise<ClusterLookup> {
  const client = new KubeClient(await loadApiAccess(kubeconfigPath));
  return { ...clusterLookupFrom(coreCalls(client)), ...authConfigLookupFrom(customObjectCalls(client)) };
}

export function clusterLookupFrom(reader: SecretAndConfigMapReader): ClusterLookup {
  return {
    async getSecretKeys(namespace, name) {
      const secret = await undefinedIfNotFound(reader.readNamespacedSecret({ name, namespace }));
      if (!secret) return undefined;
      // stringData is write-only and never returned, but a fake or an old server might; keys only either way.
      return [
        ...new Set([...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})]),
      ].sort();
    },
    async getConfigMapData(namespace, name) {
      const configMap = await undefinedIfNotFound(reader.readNamespacedConfigMap({ name, namespace }));
      if (!configMap) return undefined;
      return { ...(configMap.data ?? {}) };
    },
  };
}

async function undefinedIfNotFound<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    // The client's error carries the response body (a Status) and request details, never the Secret:
    // a Secret only comes back on success. Re-thrown for the review to answer as Errored.
    throw err;
  }
}
