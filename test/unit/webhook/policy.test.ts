import { expect } from 'chai';
import {
  defaultPolicy,
  namespaceMatches,
  parsePolicy,
  type PolicyParseResult,
} from '../../../webhook/policy.ts';

describe('parsePolicy', () => {
  const cases: Record<string, { data: Record<string, string>; want: PolicyParseResult }> = {
    'reads every field': {
      data: {
        'policy.yaml': [
          'servedNamespaces: [a, b]',
          'allowedImageRegistries: ["ghcr.io/"]',
          'allowedPermissionProfiles: [{profile: network, namespaces: ["prod-*"]}]',
          'defaultPermissionProfile: none',
          'maxReplicas: 3',
          'maxResources: {cpu: "2", memory: 1Gi}',
        ].join('\n'),
      },
      want: {
        policy: {
          servedNamespaces: ['a', 'b'],
          allowedImageRegistries: ['ghcr.io/'],
          allowedPermissionProfiles: [{ profile: 'network', namespaces: ['prod-*'] }],
          defaultPermissionProfile: 'none',
          maxReplicas: 3,
          maxResources: { cpu: '2', memory: '1Gi' },
        },
      },
    },
    'an empty document is the default policy': {
      data: { 'policy.yaml': '' },
      want: { policy: defaultPolicy() },
    },
    'servedNamespaces: all': {
      data: { 'policy.yaml': 'servedNamespaces: all' },
      want: { policy: { servedNamespaces: 'all' } },
    },
    'a missing key is an error': { data: {}, want: { errors: ['missing key policy.yaml'] } },
    'reports every bad field, and unknown ones': {
      data: {
        'policy.yaml':
          'maxReplicas: -1\ndefaultPermissionProfile: all\nmaxResources: {cpu: lots}\nmaxReplica: 2',
      },
      want: {
        errors: [
          'maxReplica: unknown policy field',
          'defaultPermissionProfile: must be "none" or "network"',
          'maxReplicas: must be a non-negative integer',
          'maxResources.cpu: must be cpu or memory with a quantity string such as "2" or "1Gi"',
        ],
      },
    },
    'a YAML list is not a policy': {
      data: { 'policy.yaml': '- a' },
      want: { errors: ['policy.yaml must be a YAML map'] },
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(parsePolicy(c.data)).to.deep.equal(c.want));
  }
  it('reports YAML syntax errors', () => {
    const result = parsePolicy({ 'policy.yaml': 'a: [' });
    expect(result).to.have.property('errors').with.length(1);
  });
  it('matches namespaces exactly or by a trailing *', () => {
    expect([
      namespaceMatches('prod-*', 'prod-eu'),
      namespaceMatches('prod-*', 'dev'),
      namespaceMatches('a', 'a'),
      namespaceMatches('a', 'ab'),
    ]).to.deep.equal([true, false, true, false]);
  });
});
