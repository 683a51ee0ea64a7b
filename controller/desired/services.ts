// Services: `mcp-<name>-proxy` for clients, always; for sse and streamable-http also the StatefulSet's
// headless Service and `mcp-<name>`, which the proxy's target URL names. stdio has no port to expose.
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
  return server.spec.sessionAffinity === 'None' ? 'None' : 'ClientIP';
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

function mcpServerService(server: MCPServer, name: string, headless: boolean): ChildObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(server, name, commonLabels(server)),
    spec: {
      ...(headless ? { clusterIP: 'None' } : {}),
      selector: selectorLabels(server, 'mcp-server'),
      ports: [httpPort(effectiveSpec(server).mcpPort ?? 0)],
    },
  };
}

export function desiredServices(server: MCPServer): ChildObject[] {
  if (effectiveSpec(server).transport === 'stdio') return [desiredProxyService(server)];
  return [
    desiredProxyService(server),
    mcpServerService(server, headlessServiceName(server), true),
    mcpServerService(server, mcpServiceName(server), false),
  ];
}
