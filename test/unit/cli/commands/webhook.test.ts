import { expect } from 'chai';
import { parseWebhookOptions } from '../../../../cli/commands/webhook.ts';
import { serviceDnsNames } from '../../../../lib/service-names.ts';

describe('parseWebhookOptions', () => {
  const cases: Record<string, { args: string[]; want: unknown }> = {
    'reads self-managed mode with its namespace and a policy ConfigMap': {
      args: ['--self-managed', '--namespace', 'ops', '--policy-configmap', 'ops/mcp-policy'],
      want: {
        port: 9443,
        host: undefined,
        certDir: undefined,
        selfManaged: true,
        namespace: 'ops',
        name: 'mcp-operator',
        localCaFile: undefined,
        kubeconfig: undefined,
        policyConfigMap: { namespace: 'ops', name: 'mcp-policy' },
      },
    },
    'refuses two certificate modes at once': {
      args: ['--cert-dir', '/certs', '--local-ca-file', '/tmp/ca.crt'],
      want: { problem: 'choose exactly one of --cert-dir, --self-managed, --local-ca-file' },
    },
    'refuses self-managed mode without a namespace': {
      args: ['--self-managed'],
      want: { problem: '--self-managed needs --namespace' },
    },
    'refuses a policy ConfigMap without namespace': {
      args: ['--cert-dir', '/certs', '--policy-configmap', 'mcp-policy'],
      want: { problem: '--policy-configmap must be NAMESPACE/NAME' },
    },
    'refuses a port out of range': {
      args: ['--cert-dir', '/certs', '--port', '70000'],
      want: { problem: '--port 70000 is not a port' },
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(parseWebhookOptions(c.args)).to.deep.equal(c.want));
  }
});

describe('serviceDnsNames', () => {
  it('lists every name a Service answers to inside the cluster', () => {
    expect(serviceDnsNames('mcp-operator-webhook', 'ops')).to.deep.equal([
      'mcp-operator-webhook',
      'mcp-operator-webhook.ops',
      'mcp-operator-webhook.ops.svc',
      'mcp-operator-webhook.ops.svc.cluster.local',
    ]);
  });
});
