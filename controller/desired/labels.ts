// Labels and owner references. ToolHive's labelsForMCPServer gives every child `app: mcpserver`,
// `app.kubernetes.io/name: mcpserver`, `app.kubernetes.io/instance`, `toolhive: "true"` and
// `toolhive-name`; we add `app.kubernetes.io/managed-by` (what our informers select on, so they never
// cache anything we did not make) and `app.kubernetes.io/component`, because the proxy and the MCP
// server pods share every other label and their Services must select one or the other.
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { nameOf } from './names.ts';
import type { ChildMetadata } from './types.ts';

export const MANAGED_BY = 'mcp-operator';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_TOOLHIVE_NAME = 'toolhive-name';

export type Component = 'mcp-server' | 'proxy';

/** Selects what the operator made; informers of children use it. */
export const MANAGED_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;

export function commonLabels(server: MCPServer): Record<string, string> {
  const name = nameOf(server);
  return {
    app: 'mcpserver',
    'app.kubernetes.io/name': 'mcpserver',
    [LABEL_INSTANCE]: name,
    [LABEL_MANAGED_BY]: MANAGED_BY,
    toolhive: 'true',
    [LABEL_TOOLHIVE_NAME]: name,
  };
}

/**
 * Pod selector of one component. Selectors are immutable on StatefulSets and Deployments, so they hold
 * only labels that never change for the life of the MCPServer.
 */
export function selectorLabels(server: MCPServer, component: Component): Record<string, string> {
  return { [LABEL_INSTANCE]: nameOf(server), [LABEL_COMPONENT]: component, toolhive: 'true' };
}

export function componentLabels(server: MCPServer, component: Component): Record<string, string> {
  return { ...commonLabels(server), [LABEL_COMPONENT]: component };
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

/** Every child carries this: deleting the MCPServer deletes it through garbage collection. */
export function controllerRef(server: MCPServer): OwnerReference {
  return {
    apiVersion: server.apiVersion ?? 'toolhive.stacklok.dev/v1alpha1',
    kind: server.kind ?? 'MCPServer',
    name: nameOf(server),
    uid: String(server.metadata?.uid ?? ''),
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** metadata for a child: name, namespace, labels and the owner reference. */
export function childMetadata(
  server: MCPServer,
  name: string,
  labels: Record<string, string>,
): ChildMetadata {
  return {
    name,
    namespace: server.metadata?.namespace ?? '',
    labels,
    ownerReferences: [controllerRef(server)],
  };
}
