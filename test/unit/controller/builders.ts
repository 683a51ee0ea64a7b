// Test builders: mcpServer(name, ...mods) starts from a valid, stored-looking MCPServer (uid,
// generation) and each modifier changes one thing.
import type { MCPServer, MCPServerSpec } from '../../../schemas/generated/mcpserver.ts';
import { defaultControllerConfig, type ControllerConfig } from '../../../controller/config.ts';
import type { ServerFacts } from '../../../controller/desired/types.ts';

export type Modifier = (server: MCPServer) => void;

export function mcpServer(name: string, ...mods: Modifier[]): MCPServer {
  const server: MCPServer = {
    apiVersion: 'toolhive.stacklok.dev/v1alpha1',
    kind: 'MCPServer',
    metadata: { name, namespace: 'team-a', uid: `uid-${name}`, generation: 1 },
    spec: { image: 'ghcr.io/example/server:1.0' },
  };
  for (const mod of mods) mod(server);
  return server;
}

export const withSpec =
  (fields: Partial<MCPServerSpec>): Modifier =>
  (server) => {
    Object.assign(server.spec, fields);
  };

export const withMetadata =
  (fields: Record<string, unknown>): Modifier =>
  (server) => {
    Object.assign(server.metadata!, fields);
  };

export const config = (): ControllerConfig => ({
  ...defaultControllerConfig(),
  proxyImage: 'example.test/proxy:1',
});

export function facts(
  secrets: Record<string, Record<string, string>> = {},
  profileConfigMap?: Record<string, string>,
): ServerFacts {
  return { secrets: new Map(Object.entries(secrets)), ...(profileConfigMap ? { profileConfigMap } : {}) };
}
