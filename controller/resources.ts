// Where each kind the controller touches lives in the API, so requests can be built without discovery.
import type { CompanionKind } from '../schemas/companion-refs.ts';
import type { ChildKind } from './desired/types.ts';

export type KnownKind =
  | ChildKind
  | CompanionKind
  | 'MCPServer'
  | 'MCPOIDCConfig'
  | 'MCPAuthzConfig'
  | 'Pod'
  | 'Secret'
  | 'Event'
  | 'Lease';

interface Resource {
  group: string;
  version: string;
  plural: string;
}

export const RESOURCES: Record<KnownKind, Resource> = {
  StatefulSet: { group: 'apps', version: 'v1', plural: 'statefulsets' },
  Deployment: { group: 'apps', version: 'v1', plural: 'deployments' },
  Service: { group: '', version: 'v1', plural: 'services' },
  ServiceAccount: { group: '', version: 'v1', plural: 'serviceaccounts' },
  ConfigMap: { group: '', version: 'v1', plural: 'configmaps' },
  Secret: { group: '', version: 'v1', plural: 'secrets' },
  Pod: { group: '', version: 'v1', plural: 'pods' },
  Event: { group: '', version: 'v1', plural: 'events' },
  Role: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles' },
  RoleBinding: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings' },
  NetworkPolicy: { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies' },
  Lease: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' },
  HTTPRoute: { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' },
  MCPServer: { group: 'toolhive.stacklok.dev', version: 'v1alpha1', plural: 'mcpservers' },
  // ToolHive's current version of both; a v1alpha1 object is served as v1beta1 too.
  MCPOIDCConfig: { group: 'toolhive.stacklok.dev', version: 'v1beta1', plural: 'mcpoidcconfigs' },
  MCPAuthzConfig: { group: 'toolhive.stacklok.dev', version: 'v1beta1', plural: 'mcpauthzconfigs' },
  // The companions (schemas/companion-refs.ts), served as v1alpha1 and v1beta1 like the two above.
  MCPToolConfig: { group: 'toolhive.stacklok.dev', version: 'v1beta1', plural: 'mcptoolconfigs' },
  MCPTelemetryConfig: { group: 'toolhive.stacklok.dev', version: 'v1beta1', plural: 'mcptelemetryconfigs' },
  MCPGroup: { group: 'toolhive.stacklok.dev', version: 'v1beta1', plural: 'mcpgroups' },
  MCPExternalAuthConfig: {
    group: 'toolhive.stacklok.dev',
    version: 'v1beta1',
    plural: 'mcpexternalauthconfigs',
  },
  MCPWebhookConfig: { group: 'toolhive.stacklok.dev', version: 'v1beta1', plural: 'mcpwebhookconfigs' },
};

/** /api/v1/... or /apis/group/version/..., namespaced when namespace is given. */
export function resourcePath(
  kind: KnownKind,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  const r = RESOURCES[kind];
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const item = name ? `/${encodeURIComponent(name)}` : '';
  return `${base}${ns}/${r.plural}${item}${subresource ? `/${subresource}` : ''}`;
}
