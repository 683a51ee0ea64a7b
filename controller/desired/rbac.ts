// ServiceAccounts and the proxy's Role. ToolHive gives every proxy the rights to create StatefulSets
// and Services, because its proxy deploys the server; ours deploys nothing, so the least it needs is:
// for stdio, to read and attach to its own server pod (by name), and for sse and streamable-http,
// nothing at all, so those get no Role and no RoleBinding.
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { effectiveSpec } from '../spec.ts';
import { childMetadata, commonLabels } from './labels.ts';
import { firstPodName, namespaceOf, proxyRunnerName } from './names.ts';
import { mcpServiceAccount } from './statefulset.ts';
import type { ChildObject } from './types.ts';

function serviceAccount(server: MCPServer, name: string, extra: Record<string, unknown>): ChildObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: childMetadata(server, name, commonLabels(server)),
    ...extra,
  };
}

function proxyServiceAccount(server: MCPServer): ChildObject {
  const pullSecrets = server.spec.resourceOverrides?.proxyDeployment?.imagePullSecrets;
  return serviceAccount(
    server,
    proxyRunnerName(server),
    pullSecrets?.length ? { imagePullSecrets: structuredClone(pullSecrets) } : {},
  );
}

function proxyRole(server: MCPServer): ChildObject {
  const pod = [firstPodName(server)];
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: childMetadata(server, proxyRunnerName(server), commonLabels(server)),
    rules: [
      // get and watch (with a metadata.name field selector) to wait for the pod to run; list cannot be
      // limited by name, so it is not granted.
      { apiGroups: [''], resources: ['pods'], resourceNames: pod, verbs: ['get', 'watch'] },
      { apiGroups: [''], resources: ['pods/attach'], resourceNames: pod, verbs: ['create', 'get'] },
    ],
  };
}

function proxyRoleBinding(server: MCPServer): ChildObject {
  const name = proxyRunnerName(server);
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: childMetadata(server, name, commonLabels(server)),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: namespaceOf(server) }],
  };
}

export function desiredRbac(server: MCPServer): ChildObject[] {
  const objects = [proxyServiceAccount(server)];
  const mcpAccount = mcpServiceAccount(server);
  if (mcpAccount.ours)
    objects.push(serviceAccount(server, mcpAccount.name, { automountServiceAccountToken: false }));
  if (effectiveSpec(server).transport === 'stdio') objects.push(proxyRole(server), proxyRoleBinding(server));
  return objects;
}
