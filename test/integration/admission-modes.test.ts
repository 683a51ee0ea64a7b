// The webhook's cluster-facing modes on a real API server: self-managed certificates (CA and serving
// certificate kept in a Secret, caBundle patched into both webhook configurations) and the admission
// policy read from a ConfigMap and reloaded when it changes.
import { type CompletedProcess, runToCompletion } from '../../controlplane/processes.ts';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { DEFAULT_LIFETIMES } from '../../certs/authority.ts';
import { generateRsaKeyPem } from '../../certs/issuer.ts';
import { secretAuthorityStore, webhookCaBundlePublisher } from '../../certs/kubernetes-store.ts';
import { SelfManagedSource } from '../../certs/self-managed-source.ts';
import { serviceDnsNames } from '../../lib/service-names.ts';
import { silentLogger } from '../../lib/log.ts';
import { webhookConfigurationNames } from '../../webhook/configuration.ts';
import { type AdmissionPolicy, defaultPolicy, parsePolicy } from '../../webhook/policy.ts';
import { configMapInformer, PolicySource } from '../../webhook/policy-source.ts';
import { adminKubeClient, adminKubeConfig, controlPlane, eventually, installCrd } from './harness.ts';
import { type LocalWebhook, startLocalWebhook } from './local-webhook.ts';

const OPERATOR_NS = 'mcp-operator-system';
const NAME = 'modes';
const TEST_NS = 'admission-modes';

const manifest = (name: string, image: string) => `apiVersion: toolhive.stacklok.dev/v1alpha1
kind: MCPServer
metadata: {name: ${name}, namespace: ${TEST_NS}}
spec: {image: "${image}"}
`;

describe('admission modes on a real API server', function () {
  // Made in before(): the control plane starts in mocha's global setup, after this file is loaded.
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let admission: k8s.AdmissionregistrationV1Api;
  const log = silentLogger();
  let webhook: LocalWebhook;
  let policySource: PolicySource<AdmissionPolicy>;

  const selfManaged = () =>
    new SelfManagedSource(
      {
        store: secretAuthorityStore(core, OPERATOR_NS, `${NAME}-webhook-tls`),
        publisher: webhookCaBundlePublisher(admission, webhookConfigurationNames(NAME), log),
        config: {
          dnsNames: serviceDnsNames(`${NAME}-webhook`, OPERATOR_NS),
          // The API server reaches this webhook on loopback, so the certificate must name 127.0.0.1 too.
          ipAddresses: ['127.0.0.1'],
          ...DEFAULT_LIFETIMES,
          generateKeyPem: generateRsaKeyPem,
        },
      },
      log,
    );
  const caBundles = async () => [
    (await admission.readValidatingWebhookConfiguration({ name: webhookConfigurationNames(NAME).validating }))
      .webhooks?.[0]?.clientConfig.caBundle,
    (await admission.readMutatingWebhookConfiguration({ name: webhookConfigurationNames(NAME).mutating }))
      .webhooks?.[0]?.clientConfig.caBundle,
  ];
  const setPolicy = (yaml: string) =>
    controlPlane()
      .kubectl([
        '-n',
        OPERATOR_NS,
        'create',
        'configmap',
        'policy',
        `--from-literal=policy.yaml=${yaml}`,
        '--dry-run=client',
        '-o',
        'yaml',
      ])
      .then((r) => controlPlane().kubectl(['apply', '-f', '-'], r.stdout));

  before(async () => {
    kc = adminKubeConfig();
    core = kc.makeApiClient(k8s.CoreV1Api);
    admission = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
    await installCrd();
    for (const ns of [OPERATOR_NS, TEST_NS])
      await core.createNamespace({ body: { metadata: { name: ns } } }).catch(() => undefined);
    await setPolicy('allowedImageRegistries: ["ghcr.io/"]\n');
    policySource = new PolicySource<AdmissionPolicy>({
      informer: configMapInformer(await adminKubeClient(), OPERATOR_NS, 'policy', log),
      parse: parsePolicy,
      fallback: defaultPolicy(),
      log,
    });
    await policySource.start();
    webhook = await startLocalWebhook(NAME, {
      certificates: selfManaged(),
      policy: () => policySource.current(),
    });
  });

  after(async () => {
    await webhook?.remove();
    await policySource?.stop();
  });

  it('keeps its CA in a Secret and publishes the same bundle to both webhook configurations', async () => {
    const secret = await core.readNamespacedSecret({ name: `${NAME}-webhook-tls`, namespace: OPERATOR_NS });
    expect(Object.keys(secret.data ?? {})).to.include.members(['tls.crt', 'tls.key']);
    const [validating, mutating] = await caBundles();
    expect(validating, 'validating caBundle').to.be.a('string').and.not.empty;
    expect(mutating).to.equal(validating);
  });

  it('is trusted by the API server: a manifest is denied by the policy line that refuses it', async () => {
    const r = await eventually('the webhook to answer', async () => {
      const res = await controlPlane().kubectl(
        ['apply', '-f', '-'],
        manifest('from-docker', 'docker.io/mcp/x:1'),
      );
      return res.stderr.includes('spec.image') ? res : undefined;
    });
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.contain('allowedImageRegistries');
    const ok = await controlPlane().kubectl(['apply', '-f', '-'], manifest('from-ghcr', 'ghcr.io/mcp/x:1'));
    expect(ok.code, ok.stderr).to.equal(0);
  });

  it('reloads the policy when its ConfigMap changes, and keeps the last good one when it is invalid', async () => {
    await setPolicy('allowedImageRegistries: ["ghcr.io/", "docker.io/mcp/"]\n');
    await eventually('the relaxed policy to apply', async () => {
      const r = await controlPlane().kubectl(
        ['apply', '--dry-run=server', '-f', '-'],
        manifest('from-docker', 'docker.io/mcp/x:1'),
      );
      return r.code === 0 ? true : undefined;
    });
    await setPolicy('maxReplicas: "many"\n');
    await new Promise((r) => setTimeout(r, 1000)); // give the informer the time it needed above
    expect(policySource.current().allowedImageRegistries).to.deep.equal(['ghcr.io/', 'docker.io/mcp/']);
    const stillDenied = await controlPlane().kubectl(
      ['apply', '--dry-run=server', '-f', '-'],
      manifest('from-quay', 'quay.io/x:1'),
    );
    expect(stillDenied.code).to.not.equal(0);
    expect(stillDenied.stderr).to.contain('allowedImageRegistries');
  });

  it('reuses the stored CA after a restart instead of minting a new one', async () => {
    const before = await caBundles();
    const secretBefore = await core.readNamespacedSecret({
      name: `${NAME}-webhook-tls`,
      namespace: OPERATOR_NS,
    });
    const restarted = selfManaged();
    await restarted.start();
    await restarted.stop();
    expect(await caBundles()).to.deep.equal(before);
    const secretAfter = await core.readNamespacedSecret({
      name: `${NAME}-webhook-tls`,
      namespace: OPERATOR_NS,
    });
    expect(secretAfter.metadata?.resourceVersion).to.equal(secretBefore.metadata?.resourceVersion);
  });

  it('gives `mcp-operator validate` the same verdicts, looking Secrets up in the cluster', async () => {
    await core.createNamespacedSecret({
      namespace: TEST_NS,
      body: { metadata: { name: 'api-token' }, stringData: { token: 'x' } },
    });
    const withSecret = (key: string) =>
      manifest('cli', 'ghcr.io/mcp/x:1') +
      `  secrets: [{name: api-token, key: ${key}, targetEnvName: API_TOKEN}]\n`;
    const validate = (input: string) =>
      runCli(
        ['validate', '--kubeconfig', controlPlane().kubeconfig, '-f', '-'],
        input.replace('spec: {image: "ghcr.io/mcp/x:1"}', 'spec:\n  image: "ghcr.io/mcp/x:1"'),
      );
    const good = await validate(withSecret('token'));
    expect(good.code, good.stdout + good.stderr).to.equal(0);
    const bad = await validate(withSecret('password'));
    expect(bad.code).to.equal(1);
    expect(bad.stdout).to.contain('spec.secrets[0].key: Not found: "password"');
  });
});

function runCli(args: string[], input: string): Promise<CompletedProcess> {
  return runToCompletion(process.execPath, ['cli/main.ts', ...args], input);
}
