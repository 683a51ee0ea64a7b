// What the informer caches keep of each object, pure: only the fields the controller reads. At 1,000
// MCPServers the caches hold 9,000 children and 2,000 pods; kept whole, with managedFields (often
// larger than the object itself) and the workloads' pod templates, they were most of the heap.
// What is read, and where:
//   every kind      metadata without managedFields (names, uid, labels, annotations, owner references,
//                   generation, resourceVersion, deletionTimestamp): keys, ownership, apply's
//                   skip-unchanged check (cluster-io.ts)
//   MCPServer       everything else too: it is the input of reconcile()
//   Secret          name, namespace, uid and resourceVersion, nothing else: which MCPServers a change
//                   wakes, and whether the digests read at the last reconcile are current
//                   (secret-digests.ts). Not even labels or annotations: `kubectl apply` copies the
//                   whole Secret, values in plain text, into last-applied-configuration. The watch
//                   sends metadata only; this is the second line.
//   ConfigMap       data (a configmap permission profile, an authz ConfigMap, a legacy OIDC ConfigMap)
//   MCPOIDCConfig,  spec: what the proxy's auth and authz sections are made of (proxy-security.ts)
//   MCPAuthzConfig
//   companions      spec (tool, telemetry, outgoing auth, webhook configs: run config sections);
//                   an MCPGroup also its status (the group reconciler compares before writing)
//   StatefulSet,    spec.replicas and status (pod-health.ts workloadHealth)
//   Deployment
//   Pod             status.phase, status.reason and the containers' states (pod-health.ts)
//   HTTPRoute       status: whether the Gateway accepted it (desired/httproute.ts routeFinding)
// Other children (Services, ServiceAccounts, RBAC, NetworkPolicies): metadata only.
import { RESOURCES, type KnownKind } from './resources.ts';
import { isDict, type Dict } from './desired/types.ts';

function slimMetadata(metadata: unknown): Dict {
  if (!isDict(metadata)) return {};
  const { managedFields: _dropped, ...rest } = metadata;
  return rest;
}

const dict = (v: unknown): Dict => (isDict(v) ? v : {});

/** What is kept of a Secret's metadata: identity and version only (see the header). */
function secretMetadata(metadata: unknown): Dict {
  const { name, namespace, uid, resourceVersion } = dict(metadata);
  return { name, namespace, uid, resourceVersion };
}

function slimContainerStatuses(statuses: unknown): Dict[] | undefined {
  if (!Array.isArray(statuses)) return undefined;
  return statuses.filter(isDict).map((c) => ({ name: c.name, ready: c.ready, state: c.state }));
}

function slimPodStatus(status: unknown): Dict {
  const s = dict(status);
  const out: Dict = { phase: s.phase, reason: s.reason };
  const containers = slimContainerStatuses(s.containerStatuses);
  const inits = slimContainerStatuses(s.initContainerStatuses);
  if (containers) out.containerStatuses = containers;
  if (inits) out.initContainerStatuses = inits;
  return out;
}

/** apiVersion as the API serves it; the items of a list carry no apiVersion or kind of their own. */
const apiVersionOf = (kind: KnownKind): string => {
  const r = RESOURCES[kind];
  return r.group ? `${r.group}/${r.version}` : r.version;
};

/** The part of `object` (of `kind`) the caches keep, with apiVersion and kind always set. */
export function cachedForm(kind: KnownKind, object: Dict): Dict {
  const base: Dict = { apiVersion: apiVersionOf(kind), kind, metadata: slimMetadata(object.metadata) };
  switch (kind) {
    case 'MCPServer':
      return { ...object, ...base };
    case 'MCPOIDCConfig':
    case 'MCPAuthzConfig':
    case 'MCPToolConfig':
    case 'MCPTelemetryConfig':
    case 'MCPExternalAuthConfig':
    case 'MCPWebhookConfig':
      return { ...base, spec: object.spec };
    case 'MCPGroup':
      return { ...base, spec: object.spec, status: object.status };
    case 'Secret':
      return { ...base, metadata: secretMetadata(object.metadata) };
    case 'ConfigMap':
      return { ...base, data: object.data };
    case 'StatefulSet':
    case 'Deployment':
      return { ...base, spec: { replicas: dict(object.spec).replicas }, status: object.status };
    case 'Pod':
      return { ...base, status: slimPodStatus(object.status) };
    case 'HTTPRoute':
      return { ...base, status: object.status };
    default:
      return base;
  }
}
