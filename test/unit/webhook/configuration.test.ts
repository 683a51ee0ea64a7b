import { expect } from 'chai';
import {
  MATCH_CONDITIONS,
  desiredMutatingWebhookConfiguration,
  desiredValidatingWebhookConfiguration,
} from '../../../webhook/configuration.ts';

const PEM = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';

const rules = [
  {
    apiGroups: ['toolhive.stacklok.dev'],
    apiVersions: ['v1alpha1', 'v1beta1'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['mcpservers'],
    scope: 'Namespaced',
  },
];
const namespaceSelector = {
  matchExpressions: [
    {
      key: 'kubernetes.io/metadata.name',
      operator: 'NotIn',
      values: ['kube-system', 'kube-node-lease', 'ops'],
    },
  ],
};
const labels = { 'app.kubernetes.io/managed-by': 'mcp-operator', 'app.kubernetes.io/component': 'webhook' };

describe('desiredValidatingWebhookConfiguration', () => {
  it('fails closed and reaches the webhook through its Service', () => {
    const built = desiredValidatingWebhookConfiguration({
      name: 'mcp-operator',
      operatorNamespace: 'ops',
      target: { kind: 'service', name: 'mcp-operator-webhook', namespace: 'ops' },
      caBundlePem: PEM,
    });
    expect(built).to.deep.equal({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'mcp-operator-validating-webhook', labels },
      webhooks: [
        {
          name: 'validate.mcpserver.toolhive.stacklok.dev',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          timeoutSeconds: 5,
          matchPolicy: 'Equivalent',
          clientConfig: {
            service: {
              name: 'mcp-operator-webhook',
              namespace: 'ops',
              path: '/validate-toolhive-stacklok-dev-v1alpha1-mcpserver',
              port: 443,
            },
            caBundle: Buffer.from(PEM).toString('base64'),
          },
          rules,
          namespaceSelector,
          matchConditions: MATCH_CONDITIONS,
          failurePolicy: 'Fail',
        },
        ...(
          [
            ['mcpoidcconfig', 'mcpoidcconfigs'],
            ['mcpauthzconfig', 'mcpauthzconfigs'],
            ['mcptoolconfig', 'mcptoolconfigs'],
            ['mcptelemetryconfig', 'mcptelemetryconfigs'],
            ['mcpgroup', 'mcpgroups'],
            ['mcpexternalauthconfig', 'mcpexternalauthconfigs'],
            ['mcpwebhookconfig', 'mcpwebhookconfigs'],
          ] as const
        ).map(([singular, plural]) => ({
          name: `validate.${singular}.toolhive.stacklok.dev`,
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          timeoutSeconds: 5,
          matchPolicy: 'Equivalent',
          clientConfig: {
            service: {
              name: 'mcp-operator-webhook',
              namespace: 'ops',
              path: `/validate-toolhive-stacklok-dev-v1alpha1-${singular}`,
              port: 443,
            },
            caBundle: Buffer.from(PEM).toString('base64'),
          },
          rules: [{ ...rules[0]!, resources: [plural] }],
          namespaceSelector,
          matchConditions: MATCH_CONDITIONS,
          failurePolicy: 'Fail',
        })),
      ],
    });
  });
});

describe('desiredMutatingWebhookConfiguration', () => {
  it('fails open, re-runs if needed and reaches a local process by URL', () => {
    const built = desiredMutatingWebhookConfiguration({
      name: 'dev',
      operatorNamespace: 'ops',
      target: { kind: 'url', port: 9443 },
      timeoutSeconds: 3,
    });
    expect(built).to.deep.equal({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'dev-mutating-webhook', labels },
      webhooks: [
        {
          name: 'mutate.mcpserver.toolhive.stacklok.dev',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          timeoutSeconds: 3,
          matchPolicy: 'Equivalent',
          clientConfig: { url: 'https://127.0.0.1:9443/mutate-toolhive-stacklok-dev-v1alpha1-mcpserver' },
          rules,
          namespaceSelector,
          matchConditions: MATCH_CONDITIONS,
          failurePolicy: 'Ignore',
          reinvocationPolicy: 'IfNeeded',
        },
      ],
    });
  });
});
