// spec.webhookConfigRef in the desired state: the run config section (ToolHive's defaults, the timeout
// in ms), the HMAC keys as environment variables from their Secrets and TLS material as Secret volumes,
// never a secret value in the ConfigMap; egress to the webhooks' ports; a missing MCPWebhookConfig holds
// the proxy and says WebhookConfigValidated False.
import { expect } from 'chai';
import { desiredChildren } from '../../../../controller/desired/children.ts';
import { RUNCONFIG_KEY } from '../../../../controller/desired/configmap.ts';
import type { Dict } from '../../../../controller/desired/types.ts';
import { webhookConfigPlan, type WebhookConfigPlan } from '../../../../controller/desired/webhook-config.ts';
import type { MCPServer } from '../../../../schemas/generated/mcpserver.ts';
import { config, facts, mcpServer, withSpec } from '../builders.ts';

const webhookConfig = (spec: Dict): Dict => ({
  apiVersion: 'toolhive.stacklok.dev/v1beta1',
  kind: 'MCPWebhookConfig',
  metadata: { name: 'hooks', namespace: 'team-a' },
  spec,
});
const withConfig = (spec: Dict | undefined) => ({
  ...facts(),
  companions: new Map([['MCPWebhookConfig/hooks', spec && webhookConfig(spec)]]),
});
const referencing = (): MCPServer => mcpServer('s', withSpec({ webhookConfigRef: { name: 'hooks' } }));

const FULL = {
  validating: [
    {
      name: 'policy',
      url: 'https://policy.example.com:8443/validate',
      timeout: '5s',
      hmacSecretRef: { name: 'hmac', key: 'key' },
      tlsConfig: {
        caSecretRef: { name: 'pki', key: 'ca.pem' },
        clientCertSecretRef: { name: 'pki', key: 'client.crt' },
        clientKeySecretRef: { name: 'pki', key: 'client.key' },
      },
    },
  ],
  mutating: [
    {
      name: 'enrich',
      url: 'http://enrich.tools.svc/mutate',
      failurePolicy: 'ignore',
      tlsConfig: { insecureSkipVerify: true },
    },
  ],
};

describe('controller/desired/webhook-config: webhookConfigPlan', () => {
  it('leaves a server without webhookConfigRef alone', () => {
    expect(webhookConfigPlan(mcpServer('s'), facts())).to.deep.equal({
      env: [],
      volumes: [],
      mounts: [],
      egressPorts: [],
      hold: false,
    });
  });

  it('writes the section with defaults, secrets as env and volumes, and the ports to reach', () => {
    const plan = webhookConfigPlan(referencing(), withConfig(FULL));
    const dir = '/etc/mcp-operator-webhooks';
    expect(plan).to.deep.equal({
      section: {
        mutating: [
          {
            name: 'enrich',
            url: 'http://enrich.tools.svc/mutate',
            failurePolicy: 'ignore',
            tls: { insecureSkipVerify: true },
          },
        ],
        validating: [
          {
            name: 'policy',
            url: 'https://policy.example.com:8443/validate',
            failurePolicy: 'fail',
            timeoutMs: 5000,
            hmacSecretEnv: 'MCP_WEBHOOK_HMAC_V0',
            tls: {
              caBundleFile: `${dir}/v0-ca/ca.crt`,
              clientCertFile: `${dir}/v0-cert/tls.crt`,
              clientKeyFile: `${dir}/v0-key/tls.key`,
            },
          },
        ],
      },
      env: [{ name: 'MCP_WEBHOOK_HMAC_V0', valueFrom: { secretKeyRef: { name: 'hmac', key: 'key' } } }],
      volumes: [
        { name: 'webhook-v0-ca', secret: { secretName: 'pki', items: [{ key: 'ca.pem', path: 'ca.crt' }] } },
        {
          name: 'webhook-v0-cert',
          secret: { secretName: 'pki', items: [{ key: 'client.crt', path: 'tls.crt' }] },
        },
        {
          name: 'webhook-v0-key',
          secret: { secretName: 'pki', items: [{ key: 'client.key', path: 'tls.key' }] },
        },
      ],
      mounts: [
        { name: 'webhook-v0-ca', mountPath: `${dir}/v0-ca`, readOnly: true },
        { name: 'webhook-v0-cert', mountPath: `${dir}/v0-cert`, readOnly: true },
        { name: 'webhook-v0-key', mountPath: `${dir}/v0-key`, readOnly: true },
      ],
      egressPorts: [80, 8443],
      finding: {
        status: 'True',
        reason: 'WebhookConfigValid',
        message: 'MCPWebhookConfig hooks: 2 webhook(s) applied',
      },
      hold: false,
    } satisfies WebhookConfigPlan);
  });

  it('holds the proxy and says why when the MCPWebhookConfig does not exist', () => {
    const plan = webhookConfigPlan(referencing(), withConfig(undefined));
    expect(plan.hold).to.equal(true);
    expect(plan.finding).to.deep.equal({
      status: 'False',
      reason: 'WebhookConfigInvalid',
      message: 'MCPWebhookConfig hooks not found in namespace team-a',
    });
  });

  it('puts the section in the run config and the key in the proxy env, never the key in the ConfigMap', () => {
    const desired = desiredChildren(referencing(), withConfig(FULL), config());
    const map = desired.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('runconfig'))!;
    const text = (map.data as Record<string, string>)[RUNCONFIG_KEY]!;
    expect(
      (JSON.parse(text) as { webhooks: { validating: Dict[] } }).webhooks.validating[0]!.hmacSecretEnv,
    ).to.equal('MCP_WEBHOOK_HMAC_V0');
    const proxy = desired.objects.find((o) => o.kind === 'Deployment')!;
    const container = ((proxy.spec as Dict).template as { spec: { containers: Dict[] } }).spec.containers[0]!;
    expect(container.env).to.deep.include({
      name: 'MCP_WEBHOOK_HMAC_V0',
      valueFrom: { secretKeyRef: { name: 'hmac', key: 'key' } },
    });
    expect(desired.findings.webhookConfig?.status).to.equal('True');
    expect(
      desiredChildren(referencing(), withConfig(undefined), config()).held.map((o) => o.kind),
    ).to.deep.equal(['ConfigMap', 'Deployment']);
  });
});
