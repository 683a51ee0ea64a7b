// The container named `mcp` inside the user's pod template: the user's container is the base (their
// resources, probes, mounts stay), and the fields the MCPServer spec owns are set over it.
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { effectiveSpec } from '../spec.ts';
import { MCP_CONTAINER } from './names.ts';
import { dictsIn, type Dict } from './types.ts';

/** Entries of `extra` replace same-named entries of `base`; the rest keep their order. */
export function mergeByName(base: unknown, extra: Dict[]): Dict[] {
  const names = new Set(extra.map((e) => e.name));
  return [...dictsIn(base).filter((e) => !names.has(e.name)), ...extra];
}

function specEnv(server: MCPServer): Dict[] {
  const plain = (server.spec.env ?? []).map((e) => ({ name: e.name, value: e.value }));
  const fromSecrets = (server.spec.secrets ?? []).map((s) => ({
    name: s.targetEnvName ?? s.key,
    valueFrom: { secretKeyRef: { name: s.name, key: s.key } },
  }));
  return [...plain, ...fromSecrets];
}

function specVolumeMounts(server: MCPServer): Dict[] {
  return (server.spec.volumes ?? []).map((v) => ({
    name: v.name,
    mountPath: v.mountPath,
    ...(v.readOnly ? { readOnly: true } : {}),
  }));
}

/** spec.volumes as pod volumes (host paths, as in ToolHive). */
export function specVolumes(server: MCPServer): Dict[] {
  return (server.spec.volumes ?? []).map((v) => ({ name: v.name, hostPath: { path: v.hostPath } }));
}

function transportFields(server: MCPServer): Dict {
  const { transport, mcpPort } = effectiveSpec(server);
  // stdio: the proxy attaches to the container's stdin, so it must be open; stdinOnce stays false so a
  // restarted proxy can attach again.
  if (transport === 'stdio') return { stdin: true };
  return { ports: [{ name: 'http', containerPort: mcpPort, protocol: 'TCP' }] };
}

/** The `mcp` container: the user's, with image, args, env, mounts and transport fields from the spec. */
export function mcpContainer(server: MCPServer, userContainer: Dict | undefined): Dict {
  const base: Dict = { ...(userContainer ?? {}), name: MCP_CONTAINER, image: server.spec.image };
  if (server.spec.args?.length) base.args = [...server.spec.args];
  const env = mergeByName(base.env, specEnv(server));
  if (env.length) base.env = env;
  const mounts = mergeByName(base.volumeMounts, specVolumeMounts(server));
  if (mounts.length) base.volumeMounts = mounts;
  const transport = transportFields(server);
  if (transport.ports) base.ports = mergeByName(base.ports, transport.ports as Dict[]);
  if (transport.stdin) base.stdin = true;
  return base;
}
