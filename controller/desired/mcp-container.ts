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

/**
 * What ToolHive tells the server about its transport, with ToolHive's names and values: `MCP_TRANSPORT`
 * always; for sse and streamable-http also `MCP_PORT` and `FASTMCP_PORT` (the MCP port) and `MCP_HOST`.
 * In ToolHive (stacklok/toolhive) the proxy runner sets these in `runtime.Setup` (pkg/runtime/setup.go,
 * called from `Runner.Run` in pkg/runner/runner.go), after `SetTransportEnvironmentVariables`
 * (pkg/environment/environment.go, via `RunConfig.WithEnvironmentVariables` in pkg/runner/config.go) set
 * the first three. `MCP_HOST` is the RunConfig's `TargetHost`, which the operator never sets
 * (cmd/thv-operator/controllers/mcpserver_runconfig.go has no `WithTargetHost`), so in Kubernetes it is
 * empty: set but empty, so an image's own fallback such as 127.0.0.1 (unreachable from the proxy's pod)
 * does not apply. Unlike ToolHive, where these override the user's env, a same-named user variable wins.
 */
function transportEnv(server: MCPServer): Dict[] {
  const { transport, mcpPort } = effectiveSpec(server);
  const env: Dict[] = [{ name: 'MCP_TRANSPORT', value: transport }];
  if (transport === 'stdio') return env;
  const port = String(mcpPort);
  env.push(
    { name: 'MCP_PORT', value: port },
    { name: 'FASTMCP_PORT', value: port },
    { name: 'MCP_HOST', value: '' },
  );
  return env;
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
  // Precedence: spec.env and spec.secrets over the pod template's env, both over the transport variables.
  // Those come first, so the user's env can refer to them as $(MCP_PORT).
  base.env = mergeByName(transportEnv(server), mergeByName(base.env, specEnv(server)));
  const mounts = mergeByName(base.volumeMounts, specVolumeMounts(server));
  if (mounts.length) base.volumeMounts = mounts;
  const transport = transportFields(server);
  if (transport.ports) base.ports = mergeByName(base.ports, transport.ports as Dict[]);
  if (transport.stdin) base.stdin = true;
  return base;
}
