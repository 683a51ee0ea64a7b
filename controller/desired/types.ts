// What the desired-state builders return: apply bodies, plain JSON with only the fields we own. Not
// client-node's model classes: their serializer drops fields it does not know, so a field a user put
// in podTemplateSpec for a newer Kubernetes would be accepted and silently not applied.
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import type { ExposurePolicy } from '../../lib/exposure.ts';
import type { OwnerReference } from './labels.ts';

import { isDict, str, type Dict } from '../../lib/dict.ts';

export { isDict, str, type Dict };

export interface ChildMetadata {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences: OwnerReference[];
}

/** One object to server-side apply. Never carries status, managedFields or resourceVersion. */
export interface ChildObject {
  apiVersion: string;
  kind: ChildKind;
  metadata: ChildMetadata;
  [field: string]: unknown;
}

/** Every kind the controller makes; prune looks for leftovers of exactly these. */
export const CHILD_KINDS = [
  'StatefulSet',
  'Deployment',
  'Service',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ConfigMap',
  'NetworkPolicy',
  // Only where the Gateway API's CRDs are installed and a server asks to be exposed (httproute.ts).
  'HTTPRoute',
] as const;
export type ChildKind = (typeof CHILD_KINDS)[number];

/** What the builders need from the cluster besides the MCPServer, read once by the reconciler. */
export interface ServerFacts {
  /**
   * Each Secret named in spec.secrets and spec.sessionStorage.passwordRef: per key, a digest of its value
   * (HMAC-SHA256 under the operator's rollout key, controller/secret-digests.ts), never the value;
   * undefined when it does not exist.
   */
  secrets: Map<string, Record<string, string> | undefined>;
  /** The data of the ConfigMap a `configmap` permission profile names; undefined when it does not exist. */
  profileConfigMap?: Record<string, string> | undefined;
  /** Where pods reach the API server (controller/api-server-watch.ts); undefined when not known. */
  apiServer?: ApiServerAddresses | undefined;
  /** The MCPOIDCConfig spec.oidcConfigRef names, as cached; undefined when it does not exist. */
  oidcConfig?: Dict | undefined;
  /** The MCPAuthzConfig spec.authzConfigRef names, as cached; undefined when it does not exist. */
  authzConfig?: Dict | undefined;
  /**
   * The data of the ConfigMaps the authentication and authorization fields name (a legacy OIDC
   * ConfigMap, an authz ConfigMap), by name; undefined when one does not exist.
   */
  authConfigMaps?: Map<string, Record<string, string> | undefined>;
  /**
   * The key names of the Secrets and ConfigMaps the proxy's authentication mounts (oidc-files.ts), by
   * `<kind>/<name>`; undefined when one does not exist. Never a value.
   */
  oidcFileKeys?: ReadonlyMap<string, readonly string[] | undefined>;
  /** The issuer of the cluster's ServiceAccount tokens (cluster-io.ts); undefined: not known. */
  clusterIssuer?: string | undefined;
  /**
   * The admission policy's proxyClientNamespaces (lib/proxy-clients.ts): the namespaces besides its
   * own whose pods may connect to a proxy; undefined: anyone may.
   */
  proxyClients?: readonly string[] | undefined;
  /**
   * The companions the server names (schemas/companion-refs.ts: toolConfigRef, telemetryConfigRef,
   * groupRef, externalAuthConfigRef, webhookConfigRef), as cached (apiVersion, kind, metadata, spec), by
   * `<Kind>/<name>`; undefined when one does not exist. Absent when it names none.
   */
  companions?: ReadonlyMap<string, Dict | undefined>;
  /** The admission policy's `exposure` key (lib/exposure.ts); undefined: no Gateway offered. */
  exposure?: ExposurePolicy | undefined;
  /** Whether the Gateway API's HTTPRoute is served; false: its CRD is not installed. */
  gatewayApi?: boolean;
  /** The server's HTTPRoute as cached (with the Gateway's status), when it has one. */
  route?: Dict | undefined;
}

/**
 * The `kubernetes` Service in `default` as pods reach it: its ClusterIPs and ports (what a pod dials),
 * and its endpoints' addresses and ports (where kube-proxy sends it). Sorted, so policies built from it
 * are stable.
 */
export interface ApiServerAddresses {
  serviceIPs: string[];
  servicePorts: number[];
  endpointIPs: string[];
  endpointPorts: number[];
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** A finding of a builder that status reports as a condition. */
export interface Finding {
  status: ConditionStatus;
  reason: string;
  message: string;
}

export type Builder<T> = (server: MCPServer, facts: ServerFacts) => T;

export const dictsIn = (v: unknown): Dict[] => (Array.isArray(v) ? v.filter(isDict) : []);
