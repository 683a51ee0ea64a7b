// The admission routes, named as kubebuilder names them (`/<operation>-<group with dashes>-<version>-<kind>`),
// shared by webhook/server.ts (which serves them) and webhook/configuration.ts (which points the API
// server at them). The configurations use the v1alpha1 path for both API versions: one route sees
// every MCPServer whatever version it was written in. The v1beta1 paths are served too, so manifests
// generated for a v1beta1 webhook (the way kubebuilder would name it) also work.
export const VALIDATE_PATH = '/validate-toolhive-stacklok-dev-v1alpha1-mcpserver';
export const MUTATE_PATH = '/mutate-toolhive-stacklok-dev-v1alpha1-mcpserver';

export const VALIDATE_PATHS: readonly string[] = [
  VALIDATE_PATH,
  '/validate-toolhive-stacklok-dev-v1beta1-mcpserver',
];
export const MUTATE_PATHS: readonly string[] = [
  MUTATE_PATH,
  '/mutate-toolhive-stacklok-dev-v1beta1-mcpserver',
];

// MCPOIDCConfig and MCPAuthzConfig: one handler for both (webhook/config-review.ts), one path per kind.
export const VALIDATE_OIDC_CONFIG_PATH = '/validate-toolhive-stacklok-dev-v1alpha1-mcpoidcconfig';
export const VALIDATE_AUTHZ_CONFIG_PATH = '/validate-toolhive-stacklok-dev-v1alpha1-mcpauthzconfig';

export const VALIDATE_CONFIG_PATHS: readonly string[] = [
  VALIDATE_OIDC_CONFIG_PATH,
  VALIDATE_AUTHZ_CONFIG_PATH,
  '/validate-toolhive-stacklok-dev-v1beta1-mcpoidcconfig',
  '/validate-toolhive-stacklok-dev-v1beta1-mcpauthzconfig',
];
