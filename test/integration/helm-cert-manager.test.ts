// The chart with webhook.certManager.enabled=true against the real cert-manager (v1.11.5 controller and
// cainjector, controlplane/cert-manager.ts) on a control plane of its own: the chart's Issuers and
// Certificate are issued, cainjector writes the CA into both webhook configurations, the operator serves
// the issued certificate from its mounted Secret (--cert-dir), and the API server admits through the
// chart's Service with it. The operator's container runs on this machine as in helm.test.ts.
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { expect } from 'chai';
import { startCertManager, type CertManager } from '../../controlplane/cert-manager.ts';
import { type ControlPlane, startControlPlane } from '../../controlplane/cluster.ts';
import { runToCompletion } from '../../controlplane/processes.ts';
import { repoRoot } from '../../controlplane/versions.ts';
import { freePort } from '../../controlplane/wait.ts';
import { createLogger } from '../../lib/log.ts';
import { CHART_DIR } from '../../manifests/generate.ts';
import { eventually } from './harness.ts';
import { routePodNetworkHere, runDeploymentLocally, type StandIn } from './pod-stand-in.ts';

const RELEASE = 'mcp-operator';
const NS = 'mcp-operator-system';
const SEED = path.join(repoRoot, 'test/fixtures/seed-examples/mcpserver-osv.yaml');
const MISSING_SECRET = `apiVersion: toolhive.stacklok.dev/v1alpha1
kind: MCPServer
metadata: {name: bad, namespace: my-namespace}
spec:
  image: ghcr.io/example/fetch:1
  secrets: [{name: no-such-secret, key: token, targetEnvName: TOKEN}]
`;

describe('helm install with webhook.certManager.enabled=true, on real cert-manager (e2e)', function () {
  this.timeout(180_000);
  const log = createLogger('helm-cert-manager-e2e', process.env.LOG_LEVEL ?? 'warn');
  let cp: ControlPlane;
  let certManager: CertManager | undefined;
  let undoRoute: (() => Promise<void>) | undefined;
  let operator: StandIn | undefined;

  async function mustKubectl(args: string[], input?: string): Promise<string> {
    const r = await cp.kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout;
  }
  const secretPem = async (name: string, key: string) =>
    Buffer.from(
      await mustKubectl([
        '-n',
        NS,
        'get',
        'secret',
        name,
        '-o',
        `jsonpath={.data.${key.replace('.', '\\.')}}`,
      ]),
      'base64',
    ).toString();

  before(async function () {
    this.timeout(300_000);
    const route = await routePodNetworkHere('10.244.0.0/16');
    if ('problem' in route) throw new Error(`cannot route the pod network to this host: ${route.problem}`);
    undoRoute = () => route.undo();
    cp = await startControlPlane({ log, name: `helm-cm-e2e-${process.pid}` });
    certManager = await startCertManager({ controlPlane: cp, log });
    const helm = await runToCompletion(cp.binaries.helm, [
      `--kubeconfig=${cp.kubeconfig}`,
      'install',
      RELEASE,
      CHART_DIR,
      '--namespace',
      NS,
      '--create-namespace',
      '--set',
      'webhook.certManager.enabled=true',
      '--set',
      `webhook.port=${await freePort()}`,
      '--set',
      `operator.metricsPort=${await freePort()}`,
      '--set',
      'operator.replicaCount=1',
      '--wait',
      '--timeout=120s',
    ]);
    if (helm.code !== 0) throw new Error(`helm install: ${helm.stderr.trim()}`);
    await mustKubectl(['create', 'namespace', 'my-namespace']);
  });

  after(async function () {
    this.timeout(60_000);
    if (this.currentTest?.state === 'failed' && operator) {
      process.stderr.write(`operator log:\n${operator.output().slice(-3000)}\n`);
    }
    await operator?.stop();
    await certManager?.stop();
    await cp?.stop();
    await undoRoute?.();
  });

  it("issues the chart's serving Certificate from its CA Issuer", async () => {
    await mustKubectl([
      '-n',
      NS,
      'wait',
      '--for=condition=Ready',
      'certificate/mcp-operator-webhook-serving',
      '--timeout=90s',
    ]);
    const leaf = new X509Certificate(await secretPem('mcp-operator-webhook-tls', 'tls.crt'));
    const ca = new X509Certificate(await secretPem('mcp-operator-webhook-tls', 'ca.crt'));
    expect(leaf.checkIssued(ca)).to.equal(true);
    expect(leaf.subjectAltName).to.contain('DNS:mcp-operator-webhook.mcp-operator-system.svc');
  });

  it('has cainjector write that CA into both webhook configurations', async () => {
    const ca = await secretPem('mcp-operator-webhook-tls', 'ca.crt');
    for (const kind of ['validating', 'mutating']) {
      const bundle = await eventually(`the ${kind} caBundle`, async () => {
        const b = await mustKubectl([
          'get',
          `${kind}webhookconfiguration`,
          `mcp-operator-${kind}-webhook`,
          '-o',
          'jsonpath={.webhooks[0].clientConfig.caBundle}',
        ]);
        return b || undefined;
      });
      expect(Buffer.from(bundle, 'base64').toString().trim()).to.equal(ca.trim());
    }
  });

  it('admits through the Service with the issued certificate: a bad manifest denied, a seed Ready', async () => {
    operator = await runDeploymentLocally(cp, NS, RELEASE);
    const denial = await eventually(
      'the webhook to answer with the issued certificate',
      async () => {
        const r = await cp.kubectl(['apply', '--dry-run=server', '-f', '-'], MISSING_SECRET);
        if (r.code !== 0 && r.stderr.includes('spec.secrets[0].name: Not found')) return r.stderr;
        throw new Error(r.stderr.trim() || 'accepted');
      },
      60_000,
    );
    expect(denial).to.contain('The MCPServer "bad" is invalid');
    // The operator serves what cert-manager issued (from the mounted Secret), not a certificate of its own.
    expect(operator.output()).to.contain('Loaded serving certificate from files');
    expect(operator.output()).to.not.contain('Advanced webhook certificate authority');
    await mustKubectl(['apply', '-f', SEED]);
    await eventually(
      'my-namespace/osv Ready',
      async () => {
        const phase = await mustKubectl([
          '-n',
          'my-namespace',
          'get',
          'mcpserver',
          'osv',
          '-o',
          'jsonpath={.status.phase}',
        ]);
        return phase === 'Ready' ? true : undefined;
      },
      90_000,
    );
  });
});
