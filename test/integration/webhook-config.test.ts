// spec.webhookConfigRef on the real control plane (the manager in-process, watching this file's namespace):
// - an MCPWebhookConfig (ToolHive's chainsaw example plus an HMAC key and a CA) -> the run config's webhooks
//   section with ToolHive's defaults, the HMAC key as the proxy's environment from its Secret (never in the
//   ConfigMap), the CA as a Secret volume, and WebhookConfigValidated True;
// - the MCPWebhookConfig deleted -> WebhookConfigValidated False (WebhookConfigInvalid) and the run config
//   keeps the webhooks it had (the proxy is held); created again -> True again;
// - the MCPWebhookConfig changed (a timeout, a failure policy) -> the run config follows.
import { expect } from 'chai';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { defaultControllerConfig } from '../../controller/config.ts';
import { Manager } from '../../controller/manager.ts';
import { silentLogger } from '../../lib/log.ts';
import { getServer, installCrd, kubectl } from './controller-fixtures.ts';
import { controlPlane, eventually } from './harness.ts';

const ns = `webhook-config-${process.pid}`;
const GROUP = 'toolhive.stacklok.dev';

type Json = Record<string, unknown>;
const apply = (object: Json) => kubectl(['apply', '-f', '-'], JSON.stringify(object));
const getJson = async (args: string[]): Promise<Json> =>
  JSON.parse(await kubectl([...args, '-o', 'json'])) as Json;
const runConfigText = async (name: string): Promise<string> => {
  const cm = await getJson(['-n', ns, 'get', 'configmap', `${name}-runconfig`]);
  return (cm.data as Record<string, string>)['runconfig.json']!;
};
const condition = async (name: string, type: string) =>
  (await getServer(ns, name)).status?.conditions?.find((c) => c.type === type);

// ToolHive's test/e2e/chainsaw/.../mcpwebhookconfig (create-webhook-config), with a key and a CA added.
const HOOKS: Json = {
  apiVersion: `${GROUP}/v1alpha1`,
  kind: 'MCPWebhookConfig',
  metadata: { name: 'hooks', namespace: ns },
  spec: {
    validating: [
      {
        name: 'validate-1',
        url: 'https://validate.example.com',
        hmacSecretRef: { name: 'webhook-hmac', key: 'key' },
        tlsConfig: { caSecretRef: { name: 'webhook-pki', key: 'ca.crt' } },
      },
    ],
    mutating: [{ name: 'mutate-1', url: 'https://mutate.example.com:8443', timeout: '3s' }],
  },
};
const SERVER: Json = {
  apiVersion: `${GROUP}/v1beta1`,
  kind: 'MCPServer',
  metadata: { name: 'hooked', namespace: ns },
  spec: {
    image: 'ghcr.io/example/server:1',
    transport: 'streamable-http',
    webhookConfigRef: { name: 'hooks' },
  },
};

describe('the controller with MCPWebhookConfig (spec.webhookConfigRef)', function () {
  this.timeout(120_000);
  let manager: Manager;

  before(async () => {
    await installCrd();
    await kubectl(['create', 'namespace', ns]);
    await kubectl([
      '-n',
      ns,
      'create',
      'secret',
      'generic',
      'webhook-hmac',
      '--from-literal=key=s3cret-hmac-key',
    ]);
    await apply(HOOKS);
    manager = new Manager({
      access: await loadApiAccess(controlPlane().kubeconfig),
      config: { ...defaultControllerConfig(), proxyImage: 'example.invalid/mcp-operator:test' },
      log: silentLogger(),
      namespaces: [ns],
      workers: 2,
    });
    await manager.start();
    await apply(SERVER);
    await eventually("hooked's proxy Deployment", async () =>
      (await controlPlane().kubectl(['-n', ns, 'get', 'deployment', 'hooked'])).code === 0 ? true : undefined,
    );
  });

  after(async () => {
    await manager?.stop();
    await controlPlane().kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  it('writes the webhooks into the run config and the HMAC key into the proxy env, never into the ConfigMap', async () => {
    const text = await runConfigText('hooked');
    expect(text).not.to.contain('s3cret-hmac-key');
    expect((JSON.parse(text) as Json).webhooks).to.deep.equal({
      mutating: [
        { name: 'mutate-1', url: 'https://mutate.example.com:8443', failurePolicy: 'fail', timeoutMs: 3000 },
      ],
      validating: [
        {
          name: 'validate-1',
          url: 'https://validate.example.com',
          failurePolicy: 'fail',
          hmacSecretEnv: 'MCP_WEBHOOK_HMAC_V0',
          tls: { caBundleFile: '/etc/mcp-operator-webhooks/v0-ca/ca.crt' },
        },
      ],
    });
    const d = await getJson(['-n', ns, 'get', 'deployment', 'hooked']);
    const pod = (d.spec as { template: { spec: { containers: Json[]; volumes: Json[] } } }).template.spec;
    expect(pod.containers[0]!.env).to.deep.include({
      name: 'MCP_WEBHOOK_HMAC_V0',
      valueFrom: { secretKeyRef: { name: 'webhook-hmac', key: 'key' } },
    });
    expect(pod.volumes.map((v) => v.name)).to.include('webhook-v0-ca');
    const valid = await eventually('WebhookConfigValidated True', async () => {
      const c = await condition('hooked', 'WebhookConfigValidated');
      return c?.status === 'True' ? c : undefined;
    });
    expect(valid.reason).to.equal('WebhookConfigValid');
  });

  it('a deleted MCPWebhookConfig sets WebhookConfigValidated False and holds the proxy; created again, it applies', async () => {
    const before = await runConfigText('hooked');
    await kubectl(['-n', ns, 'delete', 'mcpwebhookconfig', 'hooks']);
    const missing = await eventually('WebhookConfigValidated False', async () => {
      const c = await condition('hooked', 'WebhookConfigValidated');
      return c?.status === 'False' ? c : undefined;
    });
    expect(missing.reason).to.equal('WebhookConfigInvalid');
    expect(missing.message).to.contain('MCPWebhookConfig hooks not found');
    expect(await runConfigText('hooked'), 'held: the proxy keeps its webhooks').to.equal(before);
    await apply(HOOKS);
    await eventually('WebhookConfigValidated True again', async () =>
      (await condition('hooked', 'WebhookConfigValidated'))?.status === 'True' ? true : undefined,
    );
  });

  it('follows a changed MCPWebhookConfig into the run config', async () => {
    const mutating = [
      { name: 'mutate-1', url: 'https://mutate.example.com:8443', timeout: '7s', failurePolicy: 'ignore' },
    ];
    await kubectl([
      '-n',
      ns,
      'patch',
      'mcpwebhookconfig',
      'hooks',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { mutating } }),
    ]);
    const followed = await eventually('the new timeout in the run config', async () => {
      const hooks = (JSON.parse(await runConfigText('hooked')) as Json).webhooks as { mutating: Json[] };
      return hooks.mutating[0]?.timeoutMs === 7000 ? hooks.mutating : undefined;
    });
    expect(followed).to.deep.equal([
      { name: 'mutate-1', url: 'https://mutate.example.com:8443', failurePolicy: 'ignore', timeoutMs: 7000 },
    ]);
  });
});
