// The admission routes, named as kubebuilder names them (`/<operation>-<group with dashes>-<version>-<kind>`),
// shared by webhook/server.ts (which serves them) and webhook/configuration.ts (which points the API
// server at them). The configurations use the v1alpha1 path for both API versions: one route sees
// every MCPServer whatever version it was written in. The v1beta1 paths are served too, so manifests
// generated for a v1beta1 webhook (the way kubebuilder would name it) also work.
import { CONFIG_KINDS } from './config-kinds.ts';

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

// The kinds MCPServers name (MCPOIDCConfig, MCPAuthzConfig, the companions): one handler for all
// (webhook/config-review.ts), one path per kind and version.
export const validateConfigPath = (kind: string, version = 'v1alpha1'): string =>
  `/validate-toolhive-stacklok-dev-${version}-${kind.toLowerCase()}`;

export const VALIDATE_OIDC_CONFIG_PATH = validateConfigPath('MCPOIDCConfig');
export const VALIDATE_AUTHZ_CONFIG_PATH = validateConfigPath('MCPAuthzConfig');

export const VALIDATE_CONFIG_PATHS: readonly string[] = CONFIG_KINDS.flatMap((kind) => [
  validateConfigPath(kind),
  validateConfigPath(kind, 'v1beta1'),
]);
