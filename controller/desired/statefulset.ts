// The MCP server workload: a StatefulSet the operator owns and applies itself. In ToolHive the proxy
// creates it at start-up, so several proxy replicas race to apply it and nothing owns it when the
// MCPServer goes; here it is an ordinary owned child.
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { childMetadata, componentLabels, selectorLabels } from './labels.ts';
import { mcpContainer, mergeByName, specVolumes } from './mcp-container.ts';
import { headlessServiceName, MCP_CONTAINER, mcpServiceAccountName, workloadName } from './names.ts';
import { withRestrictedDefaults } from '../../lib/restricted-pod-defaults.ts';
import { SECRETS_CHECKSUM_ANNOTATION, secretsChecksum } from './secrets-hash.ts';
import { backendReplicas } from './scale-out.ts';
import { dictsIn, isDict, type ChildObject, type Dict, type ServerFacts } from './types.ts';

/** The ServiceAccount the MCP server runs as, and whether the operator makes it. */
export function mcpServiceAccount(server: MCPServer): { name: string; ours: boolean } {
  if (server.spec.serviceAccount) return { name: server.spec.serviceAccount, ours: false };
  const fromTemplate = userPodSpec(server).serviceAccountName;
  if (typeof fromTemplate === 'string' && fromTemplate) return { name: fromTemplate, ours: false };
  return { name: mcpServiceAccountName(server), ours: true };
}

function userTemplate(server: MCPServer): Dict {
  return isDict(server.spec.podTemplateSpec) ? structuredClone(server.spec.podTemplateSpec) : {};
}

function userPodSpec(server: MCPServer): Dict {
  const spec = userTemplate(server).spec;
  return isDict(spec) ? spec : {};
}

function podSpec(server: MCPServer): Dict {
  const user = userPodSpec(server);
  const containers = dictsIn(user.containers);
  const mcp = mcpContainer(
    server,
    containers.find((c) => c.name === MCP_CONTAINER),
  );
  const spec: Dict = {
    ...user,
    containers: [mcp, ...containers.filter((c) => c.name !== MCP_CONTAINER)],
    serviceAccountName: mcpServiceAccount(server).name,
  };
  // The MCP server has no business with the Kubernetes API: no token unless the user asks for one.
  if (spec.automountServiceAccountToken === undefined) spec.automountServiceAccountToken = false;
  const volumes = mergeByName(user.volumes, specVolumes(server));
  if (volumes.length) spec.volumes = volumes;
  return withRestrictedDefaults(spec);
}

function podMetadata(server: MCPServer, facts: ServerFacts): Dict {
  const user = userTemplate(server).metadata;
  const userMeta = isDict(user) ? user : {};
  const labels = {
    ...(isDict(userMeta.labels) ? userMeta.labels : {}),
    ...componentLabels(server, 'mcp-server'),
  };
  const annotations: Dict = isDict(userMeta.annotations) ? { ...userMeta.annotations } : {};
  const checksum = secretsChecksum(server, facts);
  if (checksum) annotations[SECRETS_CHECKSUM_ANNOTATION] = checksum;
  return Object.keys(annotations).length ? { labels, annotations } : { labels };
}

export function desiredStatefulSet(server: MCPServer, facts: ServerFacts): ChildObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: childMetadata(server, workloadName(server), componentLabels(server, 'mcp-server')),
    spec: {
      // spec.backendReplicas for sse and streamable-http; one pod for stdio (a single stdin to attach
      // to); none while stopped (scale-out.ts).
      replicas: backendReplicas(server),
      // Always the headless name, even for stdio where that Service does not exist: serviceName is
      // immutable, and a transport change must stay an update rather than a delete and re-create.
      serviceName: headlessServiceName(server),
      // Parallel, not the default OrderedReady: with OrderedReady a pod that never becomes Ready (a
      // crash loop, a bad image) blocks the rolling update, so the spec change that fixes it is never
      // rolled out until someone deletes the pod by hand (kubernetes/kubernetes#67250). The pods are
      // peers (the proxy spreads sessions over them), so ordering buys nothing. Immutable after
      // creation, like serviceName.
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selectorLabels(server, 'mcp-server') },
      template: { metadata: podMetadata(server, facts), spec: podSpec(server) },
    },
  };
}
