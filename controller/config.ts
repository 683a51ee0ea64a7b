// What the controller is configured with, as opposed to what each MCPServer asks for. One place for the
// defaults the Helm chart overrides, so a release bumps one constant.

/**
 * The proxy image the chart sets (`proxy.image`). The operator and the proxy are the same program
 * (`mcp-operator proxy`), so the default is the operator's own image at the same version: a proxy never
 * runs a configuration format newer or older than the controller that wrote it.
 */
export const DEFAULT_PROXY_IMAGE = 'ghcr.io/mcp-operator/mcp-operator:0.1.0';

/** Server-side apply field manager: every field we send is owned by this name, and only by it. */
export const FIELD_MANAGER = 'mcp-operator';

export interface ControllerConfig {
  proxyImage: string;
  /** The cluster's DNS suffix, for status.url and the proxy's target URL. */
  clusterDomain: string;
}

export function defaultControllerConfig(): ControllerConfig {
  return { proxyImage: DEFAULT_PROXY_IMAGE, clusterDomain: 'cluster.local' };
}
