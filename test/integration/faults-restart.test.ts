// Crash safety (issue 7, faults): the controller, as its own process, is SIGKILLed while it is creating
// the children of 200 MCPServers (no chance to finish a reconcile or clean up), then started again.
// Level-triggered reconciles from the cluster's state must converge: every server Ready, each with
// exactly its children (none duplicated, none missing), every child owned by its server, nothing
// orphaned, and no second rollout (one ReplicaSet per Deployment, one ControllerRevision per
// StatefulSet: the new process built the same pod templates as the dead one).
import { expect } from 'chai';
import { stringify } from 'yaml';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import {
  CHILD_RESOURCES,
  ensureNamespace,
  installCrd,
  kindNames,
  kubectl,
  networkedChildren,
  type ListedObject,
} from './controller-fixtures.ts';
import { startControllerProcess, type ControllerProcess } from './controller-process.ts';
import { fakeNode } from '../../controlplane/kwok.ts';
import { eventually } from './harness.ts';

const ns = `faults-restart-${process.pid}`;
const COUNT = 200;
/** Killed once at least this many StatefulSets exist: mid-way, with most servers still to do. */
const KILL_AFTER = 20;
const names = Array.from({ length: COUNT }, (_, i) => `srv-${String(i).padStart(3, '0')}`);
// Each MCPServer runs two pods (its StatefulSet's and its proxy's) and a KWOK node takes 110, as a
// kubelet's default maxPods: the shared control plane's one node holds 55 servers. More fake nodes for
// the time of this test, as a real cluster of this size would have.
const EXTRA_NODES = Array.from(
  { length: Math.ceil((2 * COUNT) / 110) - 1 },
  (_, i) => `faults-restart-node-${i}`,
);

const manifests = names
  .map((name) =>
    stringify({
      apiVersion: 'toolhive.stacklok.dev/v1alpha1',
      kind: 'MCPServer',
      metadata: { name, namespace: ns },
      spec: {
        image: `ghcr.io/example/${name}:1`,
        transport: 'streamable-http',
        permissionProfile: { type: 'builtin', name: 'network' },
      },
    }),
  )
  .join('---\n');

async function list<T>(resources: string): Promise<T[]> {
  return (JSON.parse(await kubectl(['-n', ns, 'get', resources, '-o', 'json'])) as { items: T[] }).items;
}

const instanceOf = (o: ListedObject): string => o.metadata.labels?.['app.kubernetes.io/instance'] ?? '';

/** Objects of the child kinds that Kubernetes itself puts in every namespace. */
const isNamespaceDefault = (o: ListedObject): boolean =>
  (o.kind === 'ServiceAccount' && o.metadata.name === 'default') ||
  (o.kind === 'ConfigMap' && o.metadata.name === 'kube-root-ca.crt');

describe(`a controller killed mid-reconcile of ${COUNT} MCPServers and started again`, function () {
  this.timeout(420_000);
  const processes: ControllerProcess[] = [];
  let statefulSetsAtKill = 0;

  before(async () => {
    await installCrd();
    await ensureNamespace(ns);
    for (const node of EXTRA_NODES) await kubectl(['apply', '-f', '-'], JSON.stringify(fakeNode(node)));
    await kubectl(['create', '-f', '-'], manifests);
    const first = await startControllerProcess({ namespaces: [ns] });
    processes.push(first);
    statefulSetsAtKill = await eventually(
      'the first controller to have created some StatefulSets',
      async () => {
        const n = (await kubectl(['-n', ns, 'get', 'statefulsets', '-o', 'name']))
          .split('\n')
          .filter(Boolean).length;
        return n >= KILL_AFTER ? n : undefined;
      },
      60_000,
    );
    await first.kill('SIGKILL');
    processes.push(await startControllerProcess({ namespaces: [ns] }));
  });

  after(async () => {
    for (const p of processes) await p.kill('SIGTERM');
    await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
    // The pods still bound to them are deleted with the namespace (or by pod GC once the node is gone).
    await kubectl(['delete', 'node', ...EXTRA_NODES, '--ignore-not-found']);
  });

  it('was killed with some but not all StatefulSets created', () => {
    expect(statefulSetsAtKill).to.be.within(KILL_AFTER, COUNT - 1);
  });

  it(`brings all ${COUNT} MCPServers to Ready after the restart`, async () => {
    const ready = await eventually(
      `all ${COUNT} MCPServers Ready`,
      async () => {
        const servers = await list<MCPServer>('mcpservers');
        const ok = servers.filter((s) => s.status?.phase === 'Ready');
        if (ok.length === COUNT) return ok;
        // Thrown, not returned: a timeout then says how far it got.
        const phases = Map.groupBy(servers, (s) => s.status?.phase ?? 'none');
        throw new Error([...phases].map(([phase, l]) => `${phase}: ${l.length}`).join(', '));
      },
      240_000,
    );
    expect(ready.map((s) => s.metadata?.name).sort()).to.deep.equal(names);
  });

  it('leaves each MCPServer exactly its children, every one owned by it, and nothing unowned', async () => {
    const uids = new Map(
      (await list<MCPServer>('mcpservers')).map((s) => [s.metadata?.name, s.metadata?.uid]),
    );
    const objects = (await list<ListedObject>(CHILD_RESOURCES)).filter((o) => !isNamespaceDefault(o));
    const byInstance = Map.groupBy(objects, instanceOf);
    expect([...byInstance.keys()].sort()).to.deep.equal(names);
    for (const name of names) {
      const children = byInstance.get(name) ?? [];
      expect(kindNames(children), name).to.deep.equal(networkedChildren(name));
      for (const child of children) {
        const owners = child.metadata.ownerReferences?.map((r) => [r.kind, r.uid, r.controller]);
        expect(owners, `${child.kind}/${child.metadata.name}`).to.deep.equal([
          ['MCPServer', uids.get(name), true],
        ]);
      }
    }
  });

  it('rolled each workload out once: one ReplicaSet per Deployment, one revision per StatefulSet', async () => {
    const replicaSets = await list<ListedObject>('replicasets');
    const revisions = await list<ListedObject>('controllerrevisions');
    const count = (objects: ListedObject[]) => Map.groupBy(objects, instanceOf);
    for (const [what, objects] of [
      ['ReplicaSets', replicaSets],
      ['ControllerRevisions', revisions],
    ] as const) {
      const perServer = count(objects);
      expect([...perServer.keys()].sort(), what).to.deep.equal(names);
      const counts = new Set([...perServer.values()].map((l) => l.length));
      expect([...counts], `${what} per MCPServer`).to.deep.equal([1]);
    }
  });
});
