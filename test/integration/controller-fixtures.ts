// What the controller-*.test.ts files share: the CRD installed once, kubectl that must succeed, an
// MCPServer read back, and the children of one MCPServer listed the way a user would (by label).
import path from 'node:path';
import { expect } from 'chai';
import { repoRoot } from '../../controlplane/versions.ts';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { controlPlane, eventually } from './harness.ts';

export { CRD, installCrd } from './harness.ts';
export const SEEDS = path.join(repoRoot, 'test/fixtures/seed-examples');

/** Every kind the controller creates for an MCPServer, as kubectl names them. */
export const CHILD_RESOURCES =
  'statefulsets,deployments,services,serviceaccounts,roles,rolebindings,configmaps,networkpolicies';

export interface ListedObject {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
  };
}

/** Runs kubectl against the shared control plane and fails the test with its stderr if it fails. */
export async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await controlPlane().kubectl(args, input);
  expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).to.equal(0);
  return r.stdout;
}

/** Creates the namespace if missing (other test files may have made it) and waits for its ServiceAccount. */
export async function ensureNamespace(namespace: string): Promise<void> {
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }),
  );
  await eventually(`ServiceAccount default in ${namespace}`, async () => {
    const r = await controlPlane().kubectl(['-n', namespace, 'get', 'serviceaccount', 'default']);
    return r.code === 0 ? true : undefined;
  });
}

export async function getServer(namespace: string, name: string): Promise<MCPServer> {
  return JSON.parse(await kubectl(['-n', namespace, 'get', 'mcpserver', name, '-o', 'json'])) as MCPServer;
}

/** Resolves with the MCPServer once its status has `phase` for its current generation. */
export function serverInPhase(
  namespace: string,
  name: string,
  phase: string,
  timeoutMs = 60_000,
): Promise<MCPServer> {
  return eventually(
    `MCPServer ${namespace}/${name} to be ${phase}`,
    async () => {
      const s = await getServer(namespace, name);
      return s.status?.phase === phase && s.status.observedGeneration === s.metadata?.generation
        ? s
        : undefined;
    },
    timeoutMs,
  );
}

/** The objects of the controller's kinds labelled app.kubernetes.io/instance=<instance>. */
export async function childrenOf(namespace: string, instance: string): Promise<ListedObject[]> {
  const out = await kubectl([
    '-n',
    namespace,
    'get',
    CHILD_RESOURCES,
    '-l',
    `app.kubernetes.io/instance=${instance}`,
    '-o',
    'json',
  ]);
  return (JSON.parse(out) as { items: ListedObject[] }).items;
}

/** "Kind/name" of each object, sorted, for whole-list comparisons. */
export const kindNames = (objects: readonly ListedObject[]): string[] =>
  objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();

/** The children a streamable-http or sse MCPServer gets (the NetworkPolicy with or without a profile). */
export function networkedChildren(name: string): string[] {
  return [
    `ConfigMap/${name}-runconfig`,
    `Deployment/${name}`,
    `NetworkPolicy/${name}-permission-profile`,
    `NetworkPolicy/${name}-proxy`,
    `Service/mcp-${name}`,
    `Service/mcp-${name}-headless`,
    `Service/mcp-${name}-proxy`,
    `ServiceAccount/${name}-proxy-runner`,
    `ServiceAccount/${name}-sa`,
    `StatefulSet/${name}`,
  ].sort();
}

/** The children a stdio MCPServer gets (the proxy attaches: a Role; the NetworkPolicy admits nothing). */
export function stdioChildren(name: string): string[] {
  return [
    `ConfigMap/${name}-runconfig`,
    `Deployment/${name}`,
    `NetworkPolicy/${name}-permission-profile`,
    `NetworkPolicy/${name}-proxy`,
    `Role/${name}-proxy-runner`,
    `RoleBinding/${name}-proxy-runner`,
    `Service/mcp-${name}-proxy`,
    `ServiceAccount/${name}-proxy-runner`,
    `ServiceAccount/${name}-sa`,
    `StatefulSet/${name}`,
  ].sort();
}
