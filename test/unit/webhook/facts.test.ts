import { expect } from 'chai';
import { gatherFacts, offlineLookup, type ClusterLookup } from '../../../webhook/facts.ts';
import { mcpServer, withProfile, withSecret, withSpec } from './builders.ts';

/** A lookup over fixed data that records every call, to check each object is read once. */
function recordingLookup(
  secrets: Record<string, string[]>,
  configMaps: Record<string, Record<string, string>>,
) {
  const calls: string[] = [];
  const lookup: ClusterLookup = {
    getSecretKeys: (ns, name) => {
      calls.push(`secret ${ns}/${name}`);
      return Promise.resolve(secrets[name]);
    },
    getConfigMapData: (ns, name) => {
      calls.push(`configmap ${ns}/${name}`);
      return Promise.resolve(configMaps[name]);
    },
  };
  return { lookup, calls };
}

describe('gatherFacts', () => {
  it('reads each referenced Secret and ConfigMap once, in the given namespace', async () => {
    const server = mcpServer(
      's',
      withSecret('a', 'k1'),
      withSecret('a', 'k2'),
      withSecret('gone', 'k'),
      withProfile('configmap', 'p', 'x'),
    );
    const { lookup, calls } = recordingLookup({ a: ['k1'] }, { p: { x: '{}' } });
    const facts = await gatherFacts(server, lookup, 'ns');
    expect(calls).to.deep.equal(['secret ns/a', 'secret ns/gone', 'configmap ns/p']);
    expect(facts).to.deep.equal({
      lookupsSkipped: false,
      secretKeys: new Map([
        ['a', ['k1']],
        ['gone', undefined],
      ]),
      configMapData: new Map([['p', { x: '{}' }]]),
    });
  });
  it("reads an inline MCPOIDCConfig's Secret and CA ConfigMap once the config is found, each once", async () => {
    const { lookup, calls } = recordingLookup({ 'idp-client': ['client-secret'] }, {});
    const inline = {
      clientSecretRef: { name: 'idp-client', key: 'client-secret' },
      caBundleRef: { configMapRef: { name: 'idp-ca' } },
    };
    lookup.getAuthConfig = (kind, ns, name) => {
      calls.push(`${kind} ${ns}/${name}`);
      return Promise.resolve(name === 'idp' ? { type: 'inline', inline } : undefined);
    };
    const server = mcpServer(
      's',
      withSecret('idp-client', 'client-secret'),
      withSpec({ oidcConfigRef: { name: 'idp' } }),
    );
    const facts = await gatherFacts(server, lookup, 'ns');
    expect(calls).to.deep.equal(['secret ns/idp-client', 'MCPOIDCConfig ns/idp', 'configmap ns/idp-ca']);
    expect(facts.secretKeys).to.deep.equal(new Map([['idp-client', ['client-secret']]]));
    expect(facts.configMapData).to.deep.equal(new Map([['idp-ca', undefined]]));
    calls.length = 0;
    await gatherFacts(mcpServer('s', withSpec({ oidcConfigRef: { name: 'gone' } })), lookup, 'ns');
    expect(calls).to.deep.equal(['MCPOIDCConfig ns/gone']);
  });
  it('reads nothing offline and says so', async () => {
    const facts = await gatherFacts(mcpServer('s', withSecret('a', 'k')), offlineLookup, 'ns');
    expect(facts.lookupsSkipped).to.be.true;
    expect(facts.secretKeys.size).to.equal(0);
  });
  it('rejects when a lookup fails, so the review can answer Errored', async () => {
    const failing: ClusterLookup = {
      getSecretKeys: () => Promise.reject(new Error('down')),
      getConfigMapData: () => Promise.resolve(undefined),
    };
    let caught: unknown;
    await gatherFacts(mcpServer('s', withSecret('a', 'k')), failing, 'ns').catch(
      (e: unknown) => (caught = e),
    );
    expect(caught).to.be.instanceOf(Error);
  });
  it('reads nothing for objects of other shapes', async () => {
    const { lookup, calls } = recordingLookup({}, {});
    await gatherFacts({ spec: { secrets: 'x', permissionProfile: [] } }, lookup, 'ns');
    expect(calls).to.deep.equal([]);
  });
});
