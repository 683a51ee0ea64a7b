// An MCPGroup's status: the MCPServers of its namespace whose spec.groupRef names it, and how many
// (ToolHive's MCPGroupStatus: phase, servers, serverCount, condition MCPServersChecked). Pure: the
// servers come from the informer cache (reconciler.ts), so listing cannot fail and the phase is Ready;
// Pending is only what a group shows before the controller first saw it. ToolHive's MCPRemoteProxies
// and MCPServerEntries are not served here: their lists stay empty and their counts 0.
import type { MCPGroup, MCPGroupStatus } from '../../schemas/generated/mcpgroup.ts';
import { isDict, str, type Dict } from '../desired/types.ts';

export const SERVERS_CHECKED = 'MCPServersChecked';
export const LISTED = 'ListMCPServersCheckSucceeded';

type Condition = NonNullable<MCPGroupStatus['conditions']>[number];

const meta = (o: Dict): Dict => (isDict(o.metadata) ? o.metadata : {});
const groupNameOf = (server: Dict): string => {
  const spec = isDict(server.spec) ? server.spec : {};
  return isDict(spec.groupRef) ? str(spec.groupRef.name) : '';
};

/** The names of the servers (of any namespace, filtered here) whose groupRef names the group, sorted. */
export function serversNaming(group: MCPGroup, servers: readonly Dict[]): string[] {
  const namespace = group.metadata?.namespace ?? '';
  const name = group.metadata?.name ?? '';
  return servers
    .filter((s) => str(meta(s).namespace) === namespace && groupNameOf(s) === name)
    .map((s) => str(meta(s).name))
    .sort();
}

export function desiredGroupStatus(group: MCPGroup, servers: readonly Dict[], now: Date): MCPGroupStatus {
  const names = serversNaming(group, servers);
  const generation = group.metadata?.generation;
  const previous = group.status?.conditions?.find((c) => c.type === SERVERS_CHECKED);
  const condition: Condition = {
    type: SERVERS_CHECKED,
    status: 'True',
    reason: LISTED,
    message: `${names.length} MCPServer${names.length === 1 ? '' : 's'} name this group`,
    lastTransitionTime: previous?.status === 'True' ? previous.lastTransitionTime : now.toISOString(),
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
  return {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    phase: 'Ready',
    servers: names,
    serverCount: names.length,
    remoteProxies: [],
    remoteProxyCount: 0,
    entries: [],
    entryCount: 0,
    conditions: [condition],
  };
}

// Key order is not meaning: the API server hands objects back with their keys sorted.
const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : isDict(value)
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, canonical(value[k])]),
        )
      : value;

/** Whether writing `desired` would change what `current` says (so an unchanged group costs no write). */
export function groupStatusDiffers(current: MCPGroupStatus | undefined, desired: MCPGroupStatus): boolean {
  return JSON.stringify(canonical(current ?? {})) !== JSON.stringify(canonical(desired));
}
