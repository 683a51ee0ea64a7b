// The names of everything one MCPServer becomes, as ToolHive names them
// (stacklok/toolhive cmd/thv-operator/controllers and pkg/controllerutil), so scripts, dashboards and
// NetworkPolicies written for ToolHive find the same objects here.

export type Named = { metadata?: { name?: string; namespace?: string } };

export const nameOf = (server: Named): string => server.metadata?.name ?? '';
export const namespaceOf = (server: Named): string => server.metadata?.namespace ?? '';

/** The MCP server StatefulSet and the proxy Deployment share the MCPServer's name, as in ToolHive. */
export const workloadName = (server: Named): string => nameOf(server);
export const proxyDeploymentName = (server: Named): string => nameOf(server);

/** The Service clients use. */
export const proxyServiceName = (server: Named): string => `mcp-${nameOf(server)}-proxy`;
/** The StatefulSet's governing Service (sse and streamable-http only). */
export const headlessServiceName = (server: Named): string => `mcp-${nameOf(server)}-headless`;
/** The Service the proxy reaches the MCP server through (sse and streamable-http only). */
export const mcpServiceName = (server: Named): string => `mcp-${nameOf(server)}`;

export const runConfigName = (server: Named): string => `${nameOf(server)}-runconfig`;
/** ServiceAccount, Role and RoleBinding of the proxy. */
export const proxyRunnerName = (server: Named): string => `${nameOf(server)}-proxy-runner`;
/** The MCP server's ServiceAccount when spec.serviceAccount names none. */
export const mcpServiceAccountName = (server: Named): string => `${nameOf(server)}-sa`;
/**
 * Our own: ToolHive has no NetworkPolicy. Named for the permission profile, which it once carried alone;
 * it now always exists (proxy-only ingress), and keeps the name so upgrades neither orphan nor duplicate it.
 */
export const networkPolicyName = (server: Named): string => `${nameOf(server)}-permission-profile`;
/** Our own too: the proxy pods' NetworkPolicy (ingress on the proxy port, egress to what the proxy uses). */
export const proxyNetworkPolicyName = (server: Named): string => `${nameOf(server)}-proxy`;

/** The one pod of the stdio StatefulSet: the proxy attaches to it, and its Role names it. */
export const firstPodName = (server: Named): string => `${workloadName(server)}-0`;

export const MCP_CONTAINER = 'mcp';
export const PROXY_CONTAINER = 'proxy';
