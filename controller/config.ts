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

/**
 * How often a server whose child's name is taken (adoption.ts) is reconciled again: the taker is often
 * outside the caches (they hold our labelled objects), so its deletion wakes nothing. Each look costs
 * a GET per taken or withheld child.
 */
export const CONFLICT_RECHECK_MS = 30_000;

export interface ControllerConfig {
  proxyImage: string;
  /** The cluster's DNS suffix, for status.url and the proxy's target URL. */
  clusterDomain: string;
  /**
   * Namespaces whose MCPServers are not reconciled at all (no children, no status): the chart passes
   * the ones its admission webhooks leave out (kube-system, kube-node-lease, its own), since an
   * MCPServer there was never validated.
   */
  ignoreNamespaces: readonly string[];
  /** See CONFLICT_RECHECK_MS. */
  conflictRecheckMs: number;
  /**
   * The issuer of the cluster's ServiceAccount tokens (service-account-issuer.ts); unset: discovered
   * from the API server at start.
   */
  serviceAccountIssuer?: string;
}

export function defaultControllerConfig(): ControllerConfig {
  return {
    proxyImage: DEFAULT_PROXY_IMAGE,
    clusterDomain: 'cluster.local',
    ignoreNamespaces: [],
    conflictRecheckMs: CONFLICT_RECHECK_MS,
  };
}

/** Whether MCPServers in `namespace` are left alone (ControllerConfig.ignoreNamespaces). */
export const isIgnoredNamespace = (cfg: ControllerConfig, namespace: string): boolean =>
  cfg.ignoreNamespaces.includes(namespace);
