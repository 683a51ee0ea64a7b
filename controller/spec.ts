// The spec as the controller reads it: the mutating webhook's defaults applied again, defensively.
// The webhook runs with failurePolicy Ignore, so an MCPServer created while it was down arrives with
// no transport or ports; the controller must still build the same children as if it had run.
//
// Re-derived here rather than imported: controller/ must not import webhook/, and webhook/defaults.ts
// also does policy defaulting and warnings this side does not need. Only the values follow ToolHive
// (transport stdio; proxyMode streamable-http; proxyPort and mcpPort 8080; the legacy `port` is the
// proxy port and `targetPort` the MCP port). Unlike the webhook, this never writes the spec back.
import {
  DEFAULT_MCP_PORT,
  DEFAULT_PROXY_MODE,
  DEFAULT_PROXY_PORT,
  DEFAULT_TRANSPORT,
  type ProxyMode,
  type Transport,
} from '../schemas/defaults.ts';
import type { MCPServer, MCPServerSpec } from '../schemas/generated/mcpserver.ts';

export type { ProxyMode, Transport };

export interface EffectiveSpec {
  transport: Transport;
  /** How clients talk to the proxy: proxyMode for stdio, the transport itself otherwise. */
  proxyMode: ProxyMode;
  proxyPort: number;
  /** The port the MCP server listens on; undefined for stdio, which has none. */
  mcpPort: number | undefined;
  spec: MCPServerSpec;
}

const validPort = (p: unknown): number | undefined =>
  Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535 ? (p as number) : undefined;

export function effectiveSpec(server: MCPServer): EffectiveSpec {
  const spec = server.spec;
  const transport: Transport = spec.transport ?? DEFAULT_TRANSPORT;
  const proxyMode: ProxyMode = transport === 'stdio' ? (spec.proxyMode ?? DEFAULT_PROXY_MODE) : transport;
  const proxyPort = validPort(spec.proxyPort) ?? validPort(spec.port) ?? DEFAULT_PROXY_PORT;
  const mcpPort =
    transport === 'stdio'
      ? undefined
      : (validPort(spec.mcpPort) ?? validPort(spec.targetPort) ?? DEFAULT_MCP_PORT);
  return { transport, proxyMode, proxyPort, mcpPort, spec };
}

export function isStopped(server: MCPServer): boolean {
  return server.spec.replicas === 0;
}
