// Transport and ports. ToolHive runs the proxy and the MCP server in separate pods (the proxy Deployment,
// the MCP server StatefulSet behind `mcp-<name>-headless`), so proxyPort and mcpPort may be equal: they
// never share a network namespace. What can go wrong: a legacy field contradicting its replacement, and an
// `mcp` container that declares ports but not the one the proxy will dial. Replicas: scale-out.ts.
import { DEFAULT_MCP_PORT } from '../../schemas/defaults.ts';
import { FieldPath, invalid, type FieldError } from '../field.ts';
import { mcpContainer } from './pod-template.ts';
import { dictsOf, int, specOf, type Dict } from './shape.ts';

/** ToolHive's GetMcpPort: mcpPort, else the deprecated targetPort, else the default. */
export const effectiveMcpPort = (spec: Dict): number =>
  int(spec.mcpPort) ?? int(spec.targetPort) ?? DEFAULT_MCP_PORT;

const isHttpTransport = (spec: Dict): boolean =>
  spec.transport === 'sse' || spec.transport === 'streamable-http';

function checkLegacyPair(spec: Dict, legacy: string, current: string, path: FieldPath): FieldError[] {
  const old = int(spec[legacy]);
  const now = int(spec[current]);
  if (old === undefined || now === undefined || old === now) return [];
  const detail = `must equal spec.${current} (${now}) when both are set; ${legacy} is deprecated, remove it`;
  return [invalid(path.child(legacy), old, detail)];
}

function checkMcpContainerPort(server: unknown, spec: Dict, path: FieldPath): FieldError[] {
  const found = mcpContainer(server);
  if (!isHttpTransport(spec) || !found) return [];
  const [container, index] = found;
  const ports = dictsOf(container.ports).map(([p]) => int(p.containerPort));
  const declared = ports.filter((p): p is number => p !== undefined);
  const mcpPort = effectiveMcpPort(spec);
  if (declared.length === 0 || declared.includes(mcpPort)) return [];
  const portsPath = path.child('podTemplateSpec', 'spec', 'containers').index(index).child('ports');
  const detail = `must include containerPort ${mcpPort} (spec.mcpPort), the port the proxy connects to`;
  return [invalid(portsPath, declared, detail)];
}

export function checkTransportAndPorts(
  server: unknown,
  path: FieldPath = FieldPath.of('spec'),
): FieldError[] {
  const spec = specOf(server);
  return [
    ...checkLegacyPair(spec, 'port', 'proxyPort', path),
    ...checkLegacyPair(spec, 'targetPort', 'mcpPort', path),
    ...checkMcpContainerPort(server, spec, path),
  ];
}
