// The seed examples through the controller, as a user would apply them: each in its namespace with
// what its comment says must exist (Secret github-token in production; PVC my-mcp-data-claim in
// data-processing, here bound to a hostPath PersistentVolume so its pod can be scheduled). Each gets
// exactly its children, its pods reach Running through KWOK, and it becomes Ready with its URL. A spec
// change then rolls both workloads. No admission webhook runs: the controller's own defaults apply.
import path from 'node:path';
import { expect } from 'chai';
import { defaultControllerConfig } from '../../controller/config.ts';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { Manager } from '../../controller/manager.ts';
import { silentLogger } from '../../lib/log.ts';
import {
  SEEDS,
  childrenOf,
  ensureNamespace,
  installCrd,
  kindNames,
  kubectl,
  networkedChildren,
  serverInPhase,
  stdioChildren,
} from './controller-fixtures.ts';
import { controlPlane, eventually } from './harness.ts';

interface Seed {
  file: string;
  namespace: string;
  name: string;
  children: string[];
  url: string;
}

const url = (name: string, namespace: string) =>
  `http://mcp-${name}-proxy.${namespace}.svc.cluster.local:8080/mcp`;

const SEED_CASES: Seed[] = [
  ['mcpserver-custom-pod.yaml', 'development', 'fetch', networkedChildren('fetch')],
  ['mcpserver-osv.yaml', 'my-namespace', 'osv', networkedChildren('osv')],
  ['mcpserver-with-secrets.yaml', 'production', 'github', stdioChildren('github')],
  ['mcpserver-with-volume.yaml', 'data-processing', 'filesystem', stdioChildren('filesystem')],
].map(([file, namespace, name, children]) => ({
  file: file as string,
  namespace: namespace as string,
  name: name as string,
  children: children as string[],
  url: url(name as string, namespace as string),
}));

// The PVC as admission.test.ts creates it (a PVC's spec is immutable, so both must agree), and a
// volume pre-bound to it: with no StorageClass, nothing else would ever bind it.
const VOLUME = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: my-mcp-data-claim, namespace: data-processing}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: my-mcp-data-volume}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /tmp/my-mcp-data}
  claimRef: {namespace: data-processing, name: my-mcp-data-claim}
`;

async function prepareSeedPrerequisites(): Promise<void> {
  for (const seed of SEED_CASES) await ensureNamespace(seed.namespace);
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'github-token', namespace: 'production' },
      stringData: { token: 't0k3n' },
    }),
  );
  await kubectl(['apply', '-f', '-'], VOLUME);
}

/** The pods labelled with the instance, as "phase ready" strings. */
async function podStates(namespace: string, instance: string): Promise<string[]> {
  const out = await kubectl([
    '-n',
    namespace,
    'get',
    'pods',
    '-l',
    `app.kubernetes.io/instance=${instance}`,
    '-o',
    'json',
  ]);
  const pods = JSON.parse(out) as {
    items: { status?: { phase?: string; conditions?: { type: string; status: string }[] } }[];
  };
  return pods.items.map((p) => {
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    return `${p.status?.phase} ${ready}`;
  });
}

describe('the seed examples through the controller', function () {
  this.timeout(120_000);
  let manager: Manager;

  before(async () => {
    await installCrd();
    await prepareSeedPrerequisites();
    manager = new Manager({
      access: await loadApiAccess(controlPlane().kubeconfig),
      config: { ...defaultControllerConfig(), proxyImage: 'example.invalid/mcp-operator:test' },
      log: silentLogger(),
      namespaces: SEED_CASES.map((s) => s.namespace),
      workers: 2,
    });
    await manager.start();
    for (const seed of SEED_CASES) await kubectl(['apply', '-f', path.join(SEEDS, seed.file)]);
  });

  after(async () => {
    await manager?.stop();
    for (const seed of SEED_CASES) {
      await kubectl([
        '-n',
        seed.namespace,
        'delete',
        'mcpserver',
        seed.name,
        '--ignore-not-found',
        '--wait=false',
      ]);
    }
  });

  for (const seed of SEED_CASES) {
    it(`makes ${seed.file} Ready at ${seed.url}, with exactly its children, each owned by it`, async () => {
      const server = await serverInPhase(seed.namespace, seed.name, 'Ready');
      expect(server.status?.url).to.equal(seed.url);
      const children = await childrenOf(seed.namespace, seed.name);
      expect(kindNames(children)).to.deep.equal(seed.children);
      for (const child of children) {
        expect(
          child.metadata.ownerReferences?.map((r) => [r.kind, r.uid, r.controller]),
          `${child.kind}/${child.metadata.name}`,
        ).to.deep.equal([['MCPServer', server.metadata?.uid, true]]);
      }
      expect(await podStates(seed.namespace, seed.name)).to.deep.equal(['Running True', 'Running True']);
    });
  }

  it('rolls both workloads when the spec changes: a new StatefulSet revision and a new ReplicaSet', async () => {
    const ns = 'my-namespace';
    const readSts = async () =>
      JSON.parse(await kubectl(['-n', ns, 'get', 'statefulset', 'osv', '-o', 'json'])) as {
        status?: { updateRevision?: string; currentRevision?: string };
      };
    const replicaSets = async () =>
      (
        JSON.parse(
          await kubectl([
            '-n',
            ns,
            'get',
            'replicasets',
            '-l',
            'app.kubernetes.io/instance=osv',
            '-o',
            'json',
          ]),
        ) as { items: { metadata: { name: string } }[] }
      ).items.map((r) => r.metadata.name);
    const before = { revision: (await readSts()).status?.updateRevision, replicaSets: await replicaSets() };
    expect(before.replicaSets).to.have.length(1);
    await kubectl([
      '-n',
      ns,
      'patch',
      'mcpserver',
      'osv',
      '--type=merge',
      '-p',
      JSON.stringify({
        spec: { image: 'ghcr.io/stackloklabs/osv-mcp/server:v2', resources: { limits: { cpu: '200m' } } },
      }),
    ]);
    const rolled = await eventually('the StatefulSet to roll to a new revision', async () => {
      const sts = await readSts();
      const { updateRevision, currentRevision } = sts.status ?? {};
      return updateRevision !== before.revision && currentRevision === updateRevision ? sts : undefined;
    });
    expect(rolled.status?.updateRevision).to.be.a('string');
    const after = await replicaSets();
    expect(after).to.have.length(2);
    expect(after).to.include(before.replicaSets[0]);
    const server = await serverInPhase(ns, 'osv', 'Ready');
    expect(server.status?.url).to.equal(url('osv', ns));
  });
});
