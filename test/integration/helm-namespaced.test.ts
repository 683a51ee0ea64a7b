// Two namespace-scoped installs of the chart side by side on one control plane (a known failure of the
// Go operator's chart): release `mcp-operator` in team-a serving team-a-apps, and in team-b serving
// team-b-apps (crds.install=false: the first release owns the CRD). Each operator runs under Roles only,
// admits and reconciles only its own namespaces, and uninstalling one leaves the other working.
// The operators' containers run on this machine as in helm.test.ts (test/integration/pod-stand-in.ts).
import { expect } from 'chai';
import { type ControlPlane, startControlPlane } from '../../controlplane/cluster.ts';
import { runToCompletion } from '../../controlplane/processes.ts';
import { freePort } from '../../controlplane/wait.ts';
import { createLogger } from '../../lib/log.ts';
import { CHART_DIR } from '../../manifests/generate.ts';
import { eventually } from './harness.ts';
import { routePodNetworkHere, runDeploymentLocally, type StandIn } from './pod-stand-in.ts';

const RELEASE = 'mcp-operator';
const TEAMS = [
  { install: 'team-a', serves: 'team-a-apps', proxyImage: 'registry.example/proxy:team-a', crds: true },
  { install: 'team-b', serves: 'team-b-apps', proxyImage: 'registry.example/proxy:team-b', crds: false },
];

/** Denied only by the webhook (the CRD schema cannot know a Secret is missing): proves the webhook answered. */
const missingSecret = (namespace: string) => `apiVersion: toolhive.stacklok.dev/v1alpha1
kind: MCPServer
metadata: {name: bad, namespace: ${namespace}}
spec:
  image: ghcr.io/example/fetch:1
  secrets: [{name: no-such-secret, key: token, targetEnvName: TOKEN}]
`;
const WEBHOOK_DENIAL = 'spec.secrets[0].name: Not found';

const server = (namespace: string, name: string) => `apiVersion: toolhive.stacklok.dev/v1alpha1
kind: MCPServer
metadata: {name: ${name}, namespace: ${namespace}}
spec: {image: ghcr.io/example/fetch:1, transport: streamable-http, mcpPort: 8080}
`;

describe('two namespace-scoped installs side by side (e2e)', function () {
  this.timeout(180_000);
  const log = createLogger('helm-namespaced-e2e', process.env.LOG_LEVEL ?? 'warn');
  let cp: ControlPlane;
  let undoRoute: (() => Promise<void>) | undefined;
  const operators = new Map<string, StandIn>();

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
  /** The image of a server's proxy Deployment: which install reconciled it. */
  const proxyImageOf = async (namespace: string, name: string) =>
    (
      await kubectl([
        '-n',
        namespace,
        'get',
        'deployment',
        name,
        '-o',
        'jsonpath={.spec.template.spec.containers[0].image}',
      ])
    ).stdout;
  const phaseOf = async (namespace: string, name: string) =>
    (await kubectl(['-n', namespace, 'get', 'mcpserver', name, '-o', 'jsonpath={.status.phase}'])).stdout;

  before(async function () {
    this.timeout(300_000);
    const route = await routePodNetworkHere('10.244.0.0/16');
    if ('problem' in route) throw new Error(`cannot route the pod network to this host: ${route.problem}`);
    undoRoute = () => route.undo();
    cp = await startControlPlane({ log, name: `helm-ns-e2e-${process.pid}` });
    for (const team of TEAMS) {
      await mustKubectl(['create', 'namespace', team.serves]);
      await helm([
        'install',
        RELEASE,
        CHART_DIR,
        '--namespace',
        team.install,
        '--create-namespace',
        '--set',
        'operator.rbac.scope=namespace',
        '--set',
        `operator.rbac.allowedNamespaces={${team.serves}}`,
        '--set',
        `operator.toolhiveRunnerImage=${team.proxyImage}`,
        '--set',
        `crds.install=${team.crds}`,
        '--set',
        `webhook.port=${await freePort()}`,
        '--set',
        `operator.metricsPort=${await freePort()}`,
        '--set',
        'operator.replicaCount=1',
        '--wait',
        '--timeout=120s',
      ]);
      operators.set(team.install, await runDeploymentLocally(cp, team.install, RELEASE));
    }
    // Each webhook answers for its own namespace: a bad manifest there is denied by the webhook.
    for (const team of TEAMS) {
      await eventually(
        `${team.install}'s webhook to answer for ${team.serves}`,
        async () => {
          const r = await kubectl(['apply', '--dry-run=server', '-f', '-'], missingSecret(team.serves));
          if (r.code !== 0 && r.stderr.includes(WEBHOOK_DENIAL)) return true;
          throw new Error(r.stderr.trim() || 'accepted');
        },
        60_000,
      ).catch((e: Error) => {
        // Seen once in a full run (connection refused for 60 s), never alone: say what the operator did.
        const op = operators.get(team.install)!;
        const exited = op.exitCode() === null ? 'still running' : `exited with ${op.exitCode()}`;
        throw new Error(
          `${e.message}\n${team.install} operator (${exited}), its log:\n${op.output().slice(-4000)}`,
        );
      });
    }
  });

  after(async function () {
    this.timeout(60_000);
    if (this.currentTest?.state === 'failed') {
      for (const [team, op] of operators)
        process.stderr.write(`${team} operator log:\n${op.output().slice(-3000)}\n`);
    }
    for (const op of operators.values()) await op.stop();
    await cp?.stop();
    await undoRoute?.();
  });

  it('gives neither operator a cluster-wide binding beyond its own webhook configurations and namespace labels', async () => {
    const bindings = JSON.parse(await mustKubectl(['get', 'clusterrolebindings', '-o', 'json'])) as {
      items: {
        metadata: { name: string };
        roleRef: { name: string };
        subjects?: { kind: string; namespace?: string }[];
      }[];
    };
    const ours = bindings.items.filter((b) =>
      b.subjects?.some(
        (s) => s.kind === 'ServiceAccount' && (s.namespace === 'team-a' || s.namespace === 'team-b'),
      ),
    );
    expect(ours.map((b) => b.roleRef.name).sort()).to.deep.equal([
      'mcp-operator-team-a-namespaces',
      'mcp-operator-team-a-webhook-ca',
      'mcp-operator-team-b-namespaces',
      'mcp-operator-team-b-webhook-ca',
    ]);
    const canI = await kubectl([
      'auth',
      'can-i',
      'list',
      'secrets',
      '-n',
      'team-b-apps',
      '--as=system:serviceaccount:team-a:mcp-operator',
    ]);
    expect(canI.stdout.trim()).to.equal('no');
  });

  it('has each install reconcile the MCPServers of its own namespace, and only those', async () => {
    for (const team of TEAMS) await mustKubectl(['apply', '-f', '-'], server(team.serves, 'fetch'));
    for (const team of TEAMS) {
      await eventually(
        `${team.serves}/fetch Ready`,
        async () => ((await phaseOf(team.serves, 'fetch')) === 'Ready' ? true : undefined),
        90_000,
      );
      expect(await proxyImageOf(team.serves, 'fetch')).to.equal(team.proxyImage);
    }
  });

  it('keeps the other install admitting and reconciling when one is uninstalled', async () => {
    await operators.get('team-a')!.stop();
    operators.delete('team-a');
    await helm(['uninstall', RELEASE, '--namespace', 'team-a', '--wait', '--timeout=120s']);
    expect(
      (await kubectl(['get', 'validatingwebhookconfiguration', 'mcp-operator-team-a-validating-webhook']))
        .code,
    ).to.not.equal(0);
    const denied = await kubectl(['apply', '--dry-run=server', '-f', '-'], missingSecret('team-b-apps'));
    expect(denied.code).to.not.equal(0);
    expect(denied.stderr).to.contain(WEBHOOK_DENIAL);
    // team-a's namespace is served by no install now: not judged by team-b's webhook.
    const unjudged = await kubectl(['apply', '--dry-run=server', '-f', '-'], missingSecret('team-a-apps'));
    expect(unjudged.code, unjudged.stderr).to.equal(0);
    await mustKubectl(['apply', '-f', '-'], server('team-b-apps', 'second'));
    await eventually(
      'team-b-apps/second Ready',
      async () => ((await phaseOf('team-b-apps', 'second')) === 'Ready' ? true : undefined),
      90_000,
    );
    expect(await proxyImageOf('team-b-apps', 'second')).to.equal('registry.example/proxy:team-b');
  });
});
