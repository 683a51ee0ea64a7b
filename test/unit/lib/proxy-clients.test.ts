// lib/proxy-clients.ts: the policy key proxyClientNamespaces, as the webhook validates it and the
// controller reads it out of the policy ConfigMap.
import { expect } from 'chai';
import {
  parseProxyClientNamespaces,
  proxyClientsFromPolicyData,
  proxyClientsFromPolicyText,
} from '../../../lib/proxy-clients.ts';

describe('proxyClientNamespaces (lib/proxy-clients.ts)', () => {
  it('is unset when absent or null: anyone may connect', () => {
    expect(parseProxyClientNamespaces(undefined)).to.deep.equal({ namespaces: undefined });
    expect(parseProxyClientNamespaces(null)).to.deep.equal({ namespaces: undefined });
    expect(proxyClientsFromPolicyText('defaultProfile: none\n')).to.deep.equal({ namespaces: undefined });
    expect(proxyClientsFromPolicyText('')).to.deep.equal({ namespaces: undefined });
    expect(proxyClientsFromPolicyData(undefined)).to.deep.equal({ namespaces: undefined });
    expect(proxyClientsFromPolicyData({ other: 'x' })).to.deep.equal({ namespaces: undefined });
  });

  it('keeps an empty list (the own namespace only) apart from unset', () => {
    expect(proxyClientsFromPolicyText('proxyClientNamespaces: []\n')).to.deep.equal({ namespaces: [] });
  });

  it('reads the names out of the policy ConfigMap, deduplicated in order', () => {
    const data = { 'policy.yaml': 'proxyClientNamespaces: [clients, tools, clients]\n' };
    expect(proxyClientsFromPolicyData(data)).to.deep.equal({ namespaces: ['clients', 'tools'] });
  });

  it('names what is wrong: not a list, a name that is no namespace name, broken YAML', () => {
    expect(parseProxyClientNamespaces('clients')).to.deep.equal({
      problem: 'proxyClientNamespaces must be a list of namespace names',
    });
    const bad = parseProxyClientNamespaces(['ok', 'Not_OK', 7, 'team-*', 'x'.repeat(64)]);
    expect(bad).to.have.property('problem').that.includes('"Not_OK"').and.includes('7');
    expect((bad as { problem: string }).problem)
      .to.include('"team-*"')
      .and.not.include('"ok"');
    expect((bad as { problem: string }).problem).to.include('x'.repeat(64));
    expect(proxyClientsFromPolicyText('proxyClientNamespaces: [a\n')).to.have.property('problem');
    expect(proxyClientsFromPolicyText('- a\n- b\n')).to.deep.equal({
      problem: 'the policy must be a YAML map',
    });
  });
});
