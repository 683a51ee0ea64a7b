// Services: `mcp-<name>-proxy` for clients, always; for sse and streamable-http also the StatefulSet's
// headless Service and `mcp-<name>`, which the proxy's target URL names. stdio has no port to expose.
//
// Only `mcp-<name>-proxy` takes a ClusterIP. `mcp-<name>` is headless, as ToolHive's proxy reaches its
// server through a headless Service: only the proxy uses it, a StatefulSet's one pod needs no virtual
// IP in front, and kube-apiserver allocates ClusterIPs one at a time (since 1.33 each is an IPAddress
// object created under one lock), the step that paced a thousand MCPServers (BENCHMARKS.md).
import { DEFAULT_SESSION_AFFINITY } from '../../schemas/defaults.ts';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { effectiveSpec } from '../spec.ts';
import { childMetadata, commonLabels, selectorLabels } from './labels.ts';
import { headlessServiceName, mcpServiceName, proxyServiceName } from './names.ts';
import type { ChildObject, Dict } from './types.ts';

const httpPort = (port: number): Dict => ({ name: 'http', port, targetPort: port, protocol: 'TCP' });

/**
 * ClientIP affinity by default, as ToolHive does: MCP sessions live in one proxy replica's memory, so a
 * client must keep reaching the same one. spec.sessionAffinity `None` turns it off.
 */
function sessionAffinity(server: MCPServer): string {
  return server.spec.sessionAffinity === 'None' ? 'None' : DEFAULT_SESSION_AFFINITY;
}

export function desiredProxyService(server: MCPServer): ChildObject {
  const overrides = server.spec.resourceOverrides?.proxyService;
  const metadata = childMetadata(server, proxyServiceName(server), {
    ...(overrides?.labels ?? {}),
    ...commonLabels(server),
  });
  if (overrides?.annotations && Object.keys(overrides.annotations).length) {
    metadata.annotations = { ...overrides.annotations };
  }
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      selector: selectorLabels(server, 'proxy'),
      ports: [httpPort(effectiveSpec(server).proxyPort)],
      sessionAffinity: sessionAffinity(server),
    },
  };
}

function mcpServerService(server: MCPServer, name: string): ChildObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(server, name, commonLabels(server)),
    spec: {
      clusterIP: 'None',
      selector: selectorLabels(server, 'mcp-server'),
      ports: [httpPort(effectiveSpec(server).mcpPort ?? 0)],
    },
  };
}

export function desiredServices(server: MCPServer): ChildObject[] {
  if (effectiveSpec(server).transport === 'stdio') return [desiredProxyService(server)];
  return [
    desiredProxyService(server),
    mcpServerService(server, headlessServiceName(server)),
    mcpServerService(server, mcpServiceName(server)),
  ];
}
