// Admission of an MCPWebhookConfig: ToolHive's CEL rule with its message, the schema, url https unless
// insecureSkipVerify, timeout from 1s to 30s, every error at once by field path; warnings where ToolHive
// accepts and quietly does something else.
import { expect } from 'chai';
import {
  AT_LEAST_ONE,
  HTTPS_ONLY,
  TIMEOUT_RANGE,
  validateMCPWebhookConfig,
} from '../../../../webhook/rules/companions/mcpwebhookconfig.ts';
import type { FieldError } from '../../../../webhook/field.ts';
import type { AdmissionFacts } from '../../../../webhook/facts.ts';
import { checkWebhookConfig, webhookConfigSecrets } from '../../../../webhook/rules/webhook-config.ts';

const object = (spec: unknown) => ({
  apiVersion: 'toolhive.stacklok.dev/v1alpha1',
  kind: 'MCPWebhookConfig',
  metadata: { name: 'hooks', namespace: 'default' },
  spec,
});
const err = (type: FieldError['type'], field: string, value: unknown, detail: string): FieldError => ({
  type,
  field,
  value,
  detail,
});

describe('webhook/rules/companions/mcpwebhookconfig', () => {
  const cases: Record<string, { spec: unknown; errors: FieldError[]; warnings?: string[] }> = {
    "ToolHive's chainsaw valid config": {
      spec: {
        validating: [
          { name: 'authz', url: 'https://authz.example.com', failurePolicy: 'fail', timeout: '5s' },
        ],
        mutating: [{ name: 'custom-mutator', url: 'https://mutate.example.com', failurePolicy: 'ignore' }],
      },
      errors: [],
    },
    'an empty spec, with the CEL message': {
      spec: {},
      errors: [err('FieldValueInvalid', 'spec', 'object', AT_LEAST_ONE)],
    },
    'a url that is not a URL': {
      spec: { validating: [{ name: 'test', url: 'not-a-valid-url' }] },
      errors: [
        err(
          'FieldValueInvalid',
          'spec.validating[0].url',
          'not-a-valid-url',
          'must be an absolute http or https URL (format "uri")',
        ),
      ],
    },
    'http without insecureSkipVerify, and a timeout out of range, together': {
      spec: { mutating: [{ name: 'm', url: 'http://m.svc/mutate', timeout: '45s' }] },
      errors: [
        err('FieldValueInvalid', 'spec.mutating[0].url', 'http://m.svc/mutate', HTTPS_ONLY),
        err('FieldValueInvalid', 'spec.mutating[0].timeout', '45s', TIMEOUT_RANGE),
      ],
    },
    'http with insecureSkipVerify is allowed, with a warning': {
      spec: { validating: [{ name: 'v', url: 'http://v.svc', tlsConfig: { insecureSkipVerify: true } }] },
      errors: [],
      warnings: [
        "spec.validating[0].tlsConfig.insecureSkipVerify: the webhook's certificate is not checked; for development only",
      ],
    },
    'a timeout that is not a Go duration, and 500ms below the minimum': {
      spec: {
        validating: [
          { name: 'a', url: 'https://a', timeout: '5 seconds' },
          { name: 'b', url: 'https://b', timeout: '500ms' },
        ],
      },
      errors: [
        err('FieldValueInvalid', 'spec.validating[0].timeout', '5 seconds', TIMEOUT_RANGE),
        err('FieldValueInvalid', 'spec.validating[1].timeout', '500ms', TIMEOUT_RANGE),
      ],
    },
    'a client certificate without its key warns': {
      spec: {
        validating: [
          { name: 'v', url: 'https://v', tlsConfig: { clientCertSecretRef: { name: 's', key: 'c' } } },
        ],
      },
      errors: [],
      warnings: [
        'spec.validating[0].tlsConfig: clientCertSecretRef and clientKeySecretRef go together; with only one, no client certificate is sent',
      ],
    },
    'an unknown failurePolicy is the schema error': {
      spec: { validating: [{ name: 'v', url: 'https://v', failurePolicy: 'Fail' }] },
      errors: [
        err(
          'FieldValueNotSupported',
          'spec.validating[0].failurePolicy',
          'Fail',
          'supported values: "fail", "ignore"',
        ),
      ],
    },
  };
  for (const [name, c] of Object.entries(cases))
    it(name, () => {
      const verdict = validateMCPWebhookConfig(object(c.spec));
      expect(verdict.errors).to.deep.equal(c.errors);
      expect(verdict.warnings).to.deep.equal(c.warnings ?? []);
    });
});

describe('webhook/rules/webhook-config: the Secrets of spec.webhookConfigRef', () => {
  const server = {
    metadata: { name: 's', namespace: 'team-a' },
    spec: { image: 'x', webhookConfigRef: { name: 'hooks' } },
  };
  const hooks = object({
    validating: [
      {
        name: 'v',
        url: 'https://v',
        hmacSecretRef: { name: 'hmac', key: 'key' },
        tlsConfig: { caSecretRef: { name: 'pki', key: 'ca.crt' } },
      },
    ],
  });
  const facts = (secretKeys: [string, string[] | undefined][]): AdmissionFacts => ({
    lookupsSkipped: false,
    secretKeys: new Map(secretKeys),
    configMapData: new Map(),
    companions: new Map([['MCPWebhookConfig/hooks', hooks]]),
  });

  it('names the Secrets to read', () => {
    expect(webhookConfigSecrets(server, facts([]).companions)).to.deep.equal(['hmac', 'pki']);
  });
  it('accepts Secrets that have their keys', () => {
    expect(
      checkWebhookConfig(
        server,
        facts([
          ['hmac', ['key']],
          ['pki', ['ca.crt']],
        ]),
      ),
    ).to.deep.equal([]);
  });
  it('reports a missing Secret and a missing key at spec.webhookConfigRef.name, both at once', () => {
    expect(
      checkWebhookConfig(
        server,
        facts([
          ['hmac', undefined],
          ['pki', ['tls.crt']],
        ]),
      ),
    ).to.deep.equal([
      err(
        'FieldValueInvalid',
        'spec.webhookConfigRef.name',
        'hooks',
        'MCPWebhookConfig hooks: spec.validating[0].hmacSecretRef.name: Not found: "hmac": no Secret of that name in namespace team-a',
      ),
      err(
        'FieldValueInvalid',
        'spec.webhookConfigRef.name',
        'hooks',
        'MCPWebhookConfig hooks: spec.validating[0].tlsConfig.caSecretRef.key: Not found: "ca.crt": Secret pki has no such key',
      ),
    ]);
  });
});
