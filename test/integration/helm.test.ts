// End to end, as a platform team installs the operator: `helm install` of the chart in this working tree
// on a control plane of its own, then the seed examples applied as a user would, the seed guide's
// commands, a bad manifest denied, `helm upgrade` with changed values, and `helm uninstall`.
// KWOK runs no containers, so the operator pod's container runs on this machine as the pod would run it
// (test/integration/pod-stand-in.ts): the Deployment's own args and env, the chart's ServiceAccount and
// RBAC, and the pod network routed here, so the API server calls the webhook through the chart's Service
// at the pod's IP over TLS with the self-managed CA.
import path from 'node:path';
import { expect } from 'chai';
import { type ControlPlane, startControlPlane } from '../../controlplane/cluster.ts';
import { STAND_IN_LOGS_NAMESPACE, standInLogFile } from '../../controlplane/kwok.ts';
import { runToCompletion } from '../../controlplane/processes.ts';
import { repoRoot } from '../../controlplane/versions.ts';
import { freePort } from '../../controlplane/wait.ts';
import { createLogger } from '../../lib/log.ts';
import { eventually } from './harness.ts';
import { routePodNetworkHere, runDeploymentLocally, type StandIn } from './pod-stand-in.ts';

const CHART = path.join(repoRoot, 'manifests/charts/mcp-operator');
const SEEDS = path.join(repoRoot, 'test/fixtures/seed-examples');
const BAD_SAMPLE = path.join(repoRoot, 'manifests/samples/mcpserver-bad.yaml');
const RELEASE = 'mcp-operator';
const NS = STAND_IN_LOGS_NAMESPACE; // mcp-operator-system: KWOK serves its pods' logs from the stand-in
const POD_CIDR = '10.244.0.0/16'; // KWOK's --cidr (controlplane/flags.ts)

const SEED_CASES = [
  { file: 'mcpserver-custom-pod.yaml', namespace: 'development', name: 'fetch' },
  { file: 'mcpserver-osv.yaml', namespace: 'my-namespace', name: 'osv' },
  { file: 'mcpserver-with-secrets.yaml', namespace: 'production', name: 'github' },
  { file: 'mcpserver-with-volume.yaml', namespace: 'data-processing', name: 'filesystem' },
];

// What the seeds' comments say must exist first. The PVC is pre-bound to a volume: with no StorageClass
// nothing else would bind it, and its pod could not be scheduled.
const PREREQUISITES = `apiVersion: v1
kind: Namespace
metadata: {name: development}
---
apiVersion: v1
kind: Namespace
metadata: {name: my-namespace}
---
apiVersion: v1
kind: Namespace
metadata: {name: production}
---
apiVersion: v1
kind: Namespace
metadata: {name: data-processing}
---
apiVersion: v1
kind: Namespace
metadata: {name: demo}
---
apiVersion: v1
kind: Secret
metadata: {name: github-token, namespace: production}
stringData: {token: t0k3n}
---
apiVersion: v1
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

describe('helm install, use, upgrade and uninstall (e2e)', function () {
  this.timeout(180_000);
  const log = createLogger('helm-e2e', process.env.LOG_LEVEL ?? 'warn');
  let cp: ControlPlane;
  let undoRoute: (() => Promise<void>) | undefined;
  let standIn: StandIn | undefined;
  let webhookPort: number;
  let metricsPort: number;

  const kubectl = (args: string[], input?: string) => cp.kubectl(args, input);
  async function mustKubectl(args: string[], input?: string): Promise<string> {
    const r = await kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout;
  }
  async function helm(args: string[]): Promise<string> {
    const r = await runToCompletion(cp.binaries.helm, [`--kubeconfig=${cp.kubeconfig}`, ...args]);
    if (r.code !== 0) throw new Error(`helm ${args.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout;
  }
  async function startOperator(): Promise<void> {
    standIn = await runDeploymentLocally(cp, NS, RELEASE, standInLogFile(cp.stateDir));
  }
  async function stopOperator(): Promise<void> {
    await standIn?.stop();
    standIn = undefined;
  }
  /** Waits until the API server calls the webhook through the chart's Service (a dry run is denied). */
  async function waitForAdmission(): Promise<void> {
    await eventually(
      'the validating webhook to answer through the Service',
      async () => {
        const r = await kubectl(['apply', '--dry-run=server', '-f', BAD_SAMPLE]);
        // "Not found" for the Secret can only come from the webhook (the CRD schema cannot look it up).
        if (r.code !== 0 && r.stderr.includes('spec.secrets[0].name: Not found')) return true;
        throw new Error(r.stderr.trim() || 'the bad sample was accepted');
      },
      60_000,
    );
  }
  const phaseOf = async (namespace: string, name: string) =>
    (await kubectl(['-n', namespace, 'get', 'mcpserver', name, '-o', 'jsonpath={.status.phase}'])).stdout;

  before(async function () {
    this.timeout(300_000);
    const route = await routePodNetworkHere(POD_CIDR);
    if ('problem' in route) throw new Error(`cannot route the pod network to this host: ${route.problem}`);
    undoRoute = () => route.undo();
    cp = await startControlPlane({ log, name: `helm-e2e-${process.pid}` });
    [webhookPort, metricsPort] = [await freePort(), await freePort()];
    await helm([
      'install',
      RELEASE,
      CHART,
      '--namespace',
      NS,
      '--create-namespace',
      '--set',
      `webhook.port=${webhookPort}`,
      '--set',
      `operator.metricsPort=${metricsPort}`,
      '--wait',
      '--timeout=120s',
    ]);
    await startOperator();
    await mustKubectl(['apply', '-f', '-'], PREREQUISITES);
    await waitForAdmission();
  });

  after(async function () {
    this.timeout(60_000);
    if (this.currentTest?.state === 'failed' && standIn) {
      process.stderr.write(`operator log (last 4 kB):\n${standIn.output().slice(-4000)}\n`);
    }
    await stopOperator();
    await cp?.stop();
    await undoRoute?.();
  });

  it('installs a Deployment of two replicas, Available, with a PodDisruptionBudget', async () => {
    const deployment = JSON.parse(
      await mustKubectl(['-n', NS, 'get', 'deployment', RELEASE, '-o', 'json']),
    ) as {
      spec: { replicas: number };
      status: { availableReplicas?: number };
    };
    expect(deployment.spec.replicas).to.equal(2);
    expect(deployment.status.availableReplicas).to.equal(2);
    const pdb = await mustKubectl(['-n', NS, 'get', 'pdb', RELEASE, '-o', 'jsonpath={.spec.minAvailable}']);
    expect(pdb).to.equal('1');
  });

  it('writes its CA into both webhook configurations (self-managed certificates)', async () => {
    for (const kind of ['validatingwebhookconfiguration', 'mutatingwebhookconfiguration']) {
      const name = `${RELEASE}-${kind.startsWith('validating') ? 'validating' : 'mutating'}-webhook`;
      const bundle = await eventually(`${kind} caBundle`, async () => {
        const b = await mustKubectl([
          'get',
          kind,
          name,
          '-o',
          'jsonpath={.webhooks[0].clientConfig.caBundle}',
        ]);
        return b ? b : undefined;
      });
      expect(Buffer.from(bundle, 'base64').toString()).to.contain('BEGIN CERTIFICATE');
    }
  });

  it('admits each seed example as written and brings it to Ready', async () => {
    for (const seed of SEED_CASES) await mustKubectl(['apply', '-f', path.join(SEEDS, seed.file)]);
    for (const seed of SEED_CASES) {
      await eventually(
        `${seed.namespace}/${seed.name} to be Ready`,
        async () => ((await phaseOf(seed.namespace, seed.name)) === 'Ready' ? true : undefined),
        90_000,
      );
    }
  });

  it('denies a bad manifest at kubectl apply, naming every field at fault', async () => {
    const r = await kubectl(['apply', '-f', BAD_SAMPLE]);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.contain('The MCPServer "broken" is invalid');
    expect(r.stderr).to.contain('spec.secrets[0].name: Not found: "no-such-secret"');
    for (const field of [
      'spec.replicas',
      'spec.permissionProfile.name',
      'spec.secrets[0].name',
      'spec.secrets[0].targetEnvName',
    ]) {
      expect(r.stderr, field).to.contain(field);
    }
    expect((await kubectl(['-n', 'demo', 'get', 'mcpserver', 'broken'])).code).to.not.equal(0);
  });

  describe("the seed guide's commands", () => {
    it('kubectl get mcpservers (one namespace and all) shows Status, Tools, URL and Age', async () => {
      const one = await mustKubectl(['-n', 'production', 'get', 'mcpservers']);
      const [header, row] = one.trim().split('\n');
      expect(header).to.match(/^NAME\s+STATUS\s+READY\s+REPLICAS\s+TOOLS\s+URL\s+AGE$/);
      // TOOLS stays empty here: KWOK runs no proxy for the controller's handshake (controller/verify/).
      expect(row).to.match(
        /^github\s+Ready\s+\S+\s+\S+\s+(\d+\s+)?http:\/\/mcp-github-proxy\.production\.svc\.cluster\.local:8080\/mcp\s+\S+$/,
      );
      const all = await mustKubectl(['get', 'mcpservers', '--all-namespaces']);
      for (const seed of SEED_CASES)
        expect(all).to.match(new RegExp(`${seed.namespace}\\s+${seed.name}\\s+Ready`));
    });

    it('kubectl describe mcpserver shows conditions and events', async () => {
      const text = await mustKubectl(['-n', 'production', 'describe', 'mcpserver', 'github']);
      expect(text).to.match(/Conditions:/);
      expect(text).to.match(/Type:\s+Ready/);
      expect(text).to.match(/Events:\s*\n\s+Type\s+Reason\s+Age\s+From\s+Message/);
    });

    it('kubectl get all -l app.kubernetes.io/instance=<name> lists its workload, proxy and services', async () => {
      const text = await mustKubectl([
        '-n',
        'development',
        'get',
        'all',
        '-l',
        'app.kubernetes.io/instance=fetch',
      ]);
      for (const object of [
        'statefulset.apps/fetch',
        'deployment.apps/fetch',
        'service/mcp-fetch-proxy',
        'pod/fetch-0',
      ]) {
        expect(text, object).to.contain(object);
      }
    });

    it('kubectl get events --field-selector involvedObject.kind=MCPServer tells the story', async () => {
      const text = await mustKubectl([
        '-n',
        'my-namespace',
        'get',
        'events',
        '--field-selector',
        'involvedObject.kind=MCPServer',
      ]);
      expect(text).to.match(/mcpserver\/osv/);
    });

    it('helm get values shows what was set', async () => {
      const text = await helm(['get', 'values', RELEASE, '-n', NS]);
      expect(text).to.contain(`port: ${webhookPort}`);
    });

    it("kubectl logs -l app.kubernetes.io/name=mcp-operator shows the operator's JSON log", async () => {
      const text = await eventually('operator logs', async () => {
        const r = await mustKubectl([
          '-n',
          NS,
          'logs',
          '-l',
          'app.kubernetes.io/name=mcp-operator',
          '--tail=-1',
        ]);
        return r.includes('"level"') ? r : undefined;
      });
      const line = text.split('\n').find((l) => l.startsWith('{'));
      expect(JSON.parse(line!)).to.include.keys('level', 'msg');
    });
  });

  describe('then the lifecycle', () => {
    it('helm upgrade: a new policy is enforced without a restart, and changed flags roll the operator', async () => {
      const denied = `apiVersion: toolhive.stacklok.dev/v1alpha1
kind: MCPServer
metadata: {name: from-docker-hub, namespace: demo}
spec: {image: docker.io/mcp/fetch:latest, transport: streamable-http, mcpPort: 8080}
`;
      expect((await kubectl(['apply', '--dry-run=server', '-f', '-'], denied)).code).to.equal(0);
      const before = await mustKubectl([
        '-n',
        NS,
        'get',
        'deployment',
        RELEASE,
        '-o',
        'jsonpath={.metadata.generation}',
      ]);
      await helm([
        'upgrade',
        RELEASE,
        CHART,
        '--namespace',
        NS,
        '--reuse-values',
        '--set',
        'policy.allowedImageRegistries={ghcr.io/}',
        '--set',
        'operator.workers=2',
        '--wait',
        '--timeout=120s',
      ]);
      // The running operator reloads the policy ConfigMap: no restart needed for this one.
      const message = await eventually('the new policy to deny docker.io', async () => {
        const r = await kubectl(['apply', '--dry-run=server', '-f', '-'], denied);
        return r.code !== 0 ? r.stderr : undefined;
      });
      expect(message).to.contain('spec.image');
      expect(message).to.contain('ghcr.io/');
      // The seeds' images are on ghcr.io: still admitted.
      expect(
        (await kubectl(['apply', '--dry-run=server', '-f', path.join(SEEDS, 'mcpserver-osv.yaml')])).code,
      ).to.equal(0);
      // Changed flags are a new pod template: the Deployment rolled out.
      const after = await mustKubectl(['-n', NS, 'get', 'deployment', RELEASE, '-o', 'json']);
      const deployment = JSON.parse(after) as {
        metadata: { generation: number };
        spec: { template: { spec: { containers: { args: string[] }[] } } };
      };
      expect(deployment.metadata.generation).to.be.greaterThan(Number(before));
      expect(deployment.spec.template.spec.containers[0]!.args).to.include('--workers=2');
      // The pods were replaced: the stand-in follows, and the servers stay Ready under the new process.
      await stopOperator();
      await startOperator();
      await waitForAdmission();
      expect(await phaseOf('production', 'github')).to.equal('Ready');
    });

    it('helm uninstall leaves no operator object behind (the CRD is kept, as configured)', async () => {
      await stopOperator(); // the pods go away with the Deployment; nothing runs them any more
      await helm(['uninstall', RELEASE, '--namespace', NS, '--wait', '--timeout=120s']);
      const leftovers = async (args: string[]) =>
        (await mustKubectl([...args, '-o', 'name'])).split('\n').filter((n) => n.includes('mcp-operator'));
      expect(
        await leftovers(['get', 'validatingwebhookconfigurations,mutatingwebhookconfigurations']),
      ).to.deep.equal([]);
      expect(await leftovers(['get', 'clusterroles,clusterrolebindings'])).to.deep.equal([]);
      const listRemaining = async () =>
        (
          await mustKubectl([
            '-n',
            NS,
            'get',
            'deployments,replicasets,pods,services,serviceaccounts,configmaps,secrets,roles,rolebindings,leases,poddisruptionbudgets',
            '-o',
            'name',
          ])
        )
          .split('\n')
          .filter(Boolean)
          .filter((n) => !['serviceaccount/default', 'configmap/kube-root-ca.crt'].includes(n));
      // The controller's rollout key is owned by the release's Lease: the garbage collector removes it
      // once the Lease is gone, a moment after the uninstall.
      await eventually('the rollout key to be collected', async () =>
        (await listRemaining()).includes('secret/mcp-operator-rollout-key') ? undefined : true,
      );
      const remaining = await listRemaining();
      // Pods terminate asynchronously after the ReplicaSets are gone: give them a moment.
      if (remaining.some((n) => n.startsWith('pod/'))) {
        await eventually('the operator pods to be gone', async () => {
          const pods = await mustKubectl(['-n', NS, 'get', 'pods', '-o', 'name']);
          return pods.trim() === '' ? true : undefined;
        });
      }
      expect(remaining.filter((n) => !n.startsWith('pod/'))).to.deep.equal([]);
      expect(await leftovers(['get', 'crd'])).to.deep.equal([]); // no CRD named after the operator...
      expect((await kubectl(['get', 'crd', 'mcpservers.toolhive.stacklok.dev'])).code).to.equal(0); // ...ours is kept
    });
  });
});
