// Admission on a real API server: the CRD generated from schemas/ is installed, and kube-apiserver calls
// our webhooks over TLS (loopback URL, generated caBundle) on every `kubectl apply`.
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { repoRoot } from '../../controlplane/versions.ts';
import { badManifests } from '../unit/webhook/corpus.ts';
import { adminKubeConfig, controlPlane, eventually, installCrd } from './harness.ts';
import { type LocalWebhook, startLocalWebhook } from './local-webhook.ts';

const SEEDS = path.join(repoRoot, 'test/fixtures/seed-examples');
const BAD = path.join(repoRoot, 'test/fixtures/bad-manifests');
const WEBHOOK_DENIED = 'admission webhook "validate.mcpserver.toolhive.stacklok.dev" denied the request';

const kubectl = (args: string[], input?: string) => controlPlane().kubectl(args, input);

async function mustSucceed(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** What the seed examples' comments say must exist first, plus the bad-manifest corpus' fixtures. */
async function prepareNamespaces(): Promise<void> {
  for (const ns of ['development', 'my-namespace', 'production', 'data-processing', 'admission-test']) {
    await mustSucceed(['create', 'namespace', ns]);
  }
  await mustSucceed([
    '-n',
    'production',
    'create',
    'secret',
    'generic',
    'github-token',
    '--from-literal=token=t0k3n',
  ]);
  await mustSucceed(['apply', '-f', '-'], PVC);
  await mustSucceed([
    '-n',
    'admission-test',
    'create',
    'secret',
    'generic',
    'present-secret',
    '--from-literal=token=x',
  ]);
  await mustSucceed([
    '-n',
    'admission-test',
    'create',
    'configmap',
    'profile-ok',
    '--from-literal=profile.json={"network":{"outbound":{"insecure_allow_all":true}}}',
  ]);
  await mustSucceed([
    '-n',
    'admission-test',
    'create',
    'configmap',
    'profile-bad',
    '--from-literal=profile.json={not json',
  ]);
}

const PVC = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: my-mcp-data-claim, namespace: data-processing}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`;

const GOOD = (name: string, extra = '') => `apiVersion: toolhive.stacklok.dev/v1alpha1
kind: MCPServer
metadata: {name: ${name}, namespace: admission-test}
spec:
  image: ghcr.io/example/server:1
  transport: sse
  mcpPort: 9000
${extra}`;

describe('admission on a real API server', function () {
  let webhook: LocalWebhook;
  let custom: k8s.CustomObjectsApi;
  const target = { group: 'toolhive.stacklok.dev', version: 'v1alpha1', plural: 'mcpservers' };

  before(async () => {
    await installCrd();
    webhook = await startLocalWebhook('admission-test');
    await prepareNamespaces();
    custom = adminKubeConfig().makeApiClient(k8s.CustomObjectsApi);
    // The API server picks up new webhook configurations asynchronously: wait until a bad object is denied.
    await eventually('the validating webhook to be called', async () => {
      const r = await kubectl(['apply', '--dry-run=server', '-f', path.join(BAD, 'secret-not-found.yaml')]);
      if (r.stderr.includes('spec.secrets[0].name: Not found')) return true;
      throw new Error(r.stderr.trim());
    });
  });

  /** Creates an object through the API and returns the denial's message (failing if it was created). */
  async function createThroughApi(object: unknown): Promise<string> {
    const created = await custom
      .createNamespacedCustomObject({ ...target, namespace: 'admission-test', body: object })
      .then(
        () => undefined,
        (err: unknown) => (err as k8s.ApiException<string>).body,
      );
    if (created === undefined) throw new Error('the API server accepted a bad manifest');
    return (JSON.parse(created) as { message: string }).message;
  }

  after(async () => {
    await webhook?.remove();
  });

  describe('the seed examples', () => {
    for (const seed of [
      'mcpserver-custom-pod.yaml',
      'mcpserver-osv.yaml',
      'mcpserver-with-secrets.yaml',
      'mcpserver-with-volume.yaml',
    ]) {
      it(`accepts ${seed} as written, migrating the legacy port with a warning`, async () => {
        const r = await kubectl(['apply', '-f', path.join(SEEDS, seed)]);
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stderr).to.match(/Warning: .*spec\.port/);
        const obj = JSON.parse(await mustSucceed(['get', '-f', path.join(SEEDS, seed), '-o', 'json'])) as {
          spec: Record<string, unknown>;
        };
        expect(obj.spec.port, 'legacy field moved').to.equal(undefined);
        expect(obj.spec.proxyPort).to.equal(8080);
        expect(obj.spec.transport).to.be.oneOf(['stdio', 'streamable-http']);
      });
    }
  });

  describe('the bad-manifest corpus, through kubectl apply', () => {
    const cases = badManifests();
    it('has at least 30 cases', () => expect(cases.length).to.be.at.least(30));
    for (const c of cases) {
      it(`denies ${c.name} at ${c.expectedFields.join(', ')} (${c.rejectedBy})`, async () => {
        const r = await kubectl(['apply', '-f', path.join(BAD, `${c.name}.yaml`)]);
        expect(r.code, 'kubectl apply must fail').to.not.equal(0);
        for (const field of c.expectedFields) expect(r.stderr).to.contain(`${field}:`);
        // kubectl prints an Invalid status' causes, not its message; the message says who denied it.
        const denial = await createThroughApi(c.object);
        if (c.rejectedBy === 'webhook') expect(denial).to.contain(WEBHOOK_DENIED);
        else expect(denial).to.not.contain(WEBHOOK_DENIED);
        const stored = await kubectl(['get', '-n', 'admission-test', 'mcpserver', c.name]);
        expect(stored.code, 'nothing was stored').to.not.equal(0);
      });
    }
  });

  it('reports every problem of one manifest at once', async () => {
    const r = await kubectl(
      ['apply', '-f', '-'],
      GOOD(
        'many-problems',
        `  secrets:
    - {name: absent-secret, key: token, targetEnvName: "1BAD"}
  permissionProfile: {type: builtin, name: everything}
  replicas: 3
  transport: stdio
`,
      ).replace('  transport: sse\n', ''),
    );
    expect(r.code).to.not.equal(0);
    for (const field of [
      'spec.secrets[0].name',
      'spec.secrets[0].targetEnvName',
      'spec.permissionProfile.name',
      'spec.replicas',
    ]) {
      expect(r.stderr).to.contain(`${field}:`);
    }
  });

  it('answers a server-side dry run without storing anything', async () => {
    const ok = await kubectl(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], GOOD('dry-run'));
    expect(ok.code, ok.stderr).to.equal(0);
    expect((JSON.parse(ok.stdout) as { spec: { proxyPort: number } }).spec.proxyPort, 'defaulted').to.equal(
      8080,
    );
    const stored = await kubectl(['get', '-n', 'admission-test', 'mcpserver', 'dry-run']);
    expect(stored.code).to.not.equal(0);
  });

  it('denies an update that breaks a rule, and keeps the stored object', async () => {
    await mustSucceed(['apply', '-f', '-'], GOOD('to-update'));
    const r = await kubectl([
      '-n',
      'admission-test',
      'patch',
      'mcpserver',
      'to-update',
      '--type=merge',
      '-p',
      '{"spec":{"secrets":[{"name":"present-secret","key":"missing"}]}}',
    ]);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.contain('spec.secrets[0].key:');
    const stored = (await custom.getNamespacedCustomObject({
      ...target,
      namespace: 'admission-test',
      name: 'to-update',
    })) as {
      spec: { secrets?: unknown };
    };
    expect(stored.spec.secrets).to.equal(undefined);
  });

  it('denies every MCPServer while the webhook is down (failurePolicy Fail), and admits again once it is back', async () => {
    await webhook.stop();
    const down = await kubectl(['apply', '-f', '-'], GOOD('while-down'));
    expect(down.code).to.not.equal(0);
    expect(down.stderr).to.contain('failed calling webhook');
    await webhook.start();
    const up = await eventually('admission to work again', async () => {
      const r = await kubectl(['apply', '-f', '-'], GOOD('while-down'));
      return r.code === 0 ? r : undefined;
    });
    expect(up.stdout).to.contain('mcpserver.toolhive.stacklok.dev/while-down created');
  });
});
