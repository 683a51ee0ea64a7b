import { expect } from 'chai';
import { gatherFacts, skippedFacts, type ClusterLookup } from '../../../../webhook/facts.ts';
import { FieldPath, notFound } from '../../../../webhook/field.ts';
import { checkCompanionReferences } from '../../../../webhook/rules/companion-references.ts';
import { mcpServer, withSpec } from '../builders.ts';

// Which companions exist in namespace ns, and every read the lookup was asked for.
function lookupOf(existing: Record<string, object>) {
  const calls: string[] = [];
  const lookup: ClusterLookup = {
    getSecretKeys: () => Promise.resolve(undefined),
    getConfigMapData: () => Promise.resolve(undefined),
    getAuthConfig: (kind, ns, name) => {
      calls.push(`${kind} ${ns}/${name}`);
      return Promise.resolve(existing[`${kind}/${name}`] as Record<string, unknown> | undefined);
    },
  };
  return { lookup, calls };
}

describe('checkCompanionReferences', () => {
  const spec = FieldPath.of('spec');
  const server = mcpServer(
    's',
    withSpec({
      toolConfigRef: { name: 'tools' },
      telemetryConfigRef: { name: 'otel' },
      groupRef: { name: 'team' },
      externalAuthConfigRef: { name: 'upstream' },
      webhookConfigRef: { name: 'hooks' },
    }),
  );

  it('reads each named companion once and denies every missing one by field path, all at once', async () => {
    const { lookup, calls } = lookupOf({
      'MCPToolConfig/tools': { toolsFilter: ['a'] },
      'MCPGroup/team': {},
    });
    const facts = await gatherFacts(server, lookup, 'ns');
    expect(calls).to.deep.equal([
      'MCPToolConfig ns/tools',
      'MCPTelemetryConfig ns/otel',
      'MCPGroup ns/team',
      'MCPExternalAuthConfig ns/upstream',
      'MCPWebhookConfig ns/hooks',
    ]);
    expect(facts.companions?.get('MCPToolConfig/tools')).to.deep.equal({ toolsFilter: ['a'] });
    expect(facts.authConfigs).to.equal(undefined);
    expect(checkCompanionReferences(server, facts)).to.deep.equal([
      notFound(
        spec.child('telemetryConfigRef').child('name'),
        'otel',
        'no MCPTelemetryConfig of that name in this namespace',
      ),
      notFound(
        spec.child('externalAuthConfigRef').child('name'),
        'upstream',
        'no MCPExternalAuthConfig of that name in this namespace',
      ),
      notFound(
        spec.child('webhookConfigRef').child('name'),
        'hooks',
        'no MCPWebhookConfig of that name in this namespace',
      ),
    ]);
  });

  it('keeps auth configs and companions apart when both are named', async () => {
    const both = mcpServer('s', withSpec({ authzConfigRef: { name: 'z' }, groupRef: { name: 'g' } }));
    const { lookup } = lookupOf({ 'MCPAuthzConfig/z': { type: 'cedarv1' } });
    const facts = await gatherFacts(both, lookup, 'ns');
    expect(facts.authConfigs).to.deep.equal(new Map([['MCPAuthzConfig/z', { type: 'cedarv1' }]]));
    expect(facts.companions).to.deep.equal(new Map([['MCPGroup/g', undefined]]));
    expect(checkCompanionReferences(both, facts)).to.have.length(1);
  });

  it('checks nothing when lookups were skipped (validate --offline)', () => {
    expect(checkCompanionReferences(server, skippedFacts())).to.deep.equal([]);
  });
});
