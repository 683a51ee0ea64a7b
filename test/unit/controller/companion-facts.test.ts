// The controller's plumbing for the companions an MCPServer names (toolConfigRef, telemetryConfigRef,
// groupRef, externalAuthConfigRef, webhookConfigRef): which changes wake it (informers.ts referencedBy)
// and what the desired-state builders get (auth-facts.ts, facts.companions).
import { expect } from 'chai';
import { authFacts } from '../../../controller/auth-facts.ts';
import { referencedBy, REFERENCED_KINDS, WATCHED, OPTIONAL } from '../../../controller/informers.ts';
import { cachedForm } from '../../../controller/cache-transform.ts';
import type { Dict } from '../../../controller/desired/types.ts';

const spec = {
  image: 'i',
  toolConfigRef: { name: 'tools' },
  telemetryConfigRef: { name: 'otel', serviceName: 'x' },
  groupRef: { name: 'team' },
  externalAuthConfigRef: { name: 'upstream' },
  webhookConfigRef: { name: 'hooks' },
};
const server = { metadata: { name: 's', namespace: 'team-a' }, spec };

describe('companion references in the controller', () => {
  it('an MCPServer is woken by each companion it names', () => {
    expect(referencedBy(server)).to.deep.equal([
      'team-a/MCPToolConfig/tools',
      'team-a/MCPTelemetryConfig/otel',
      'team-a/MCPGroup/team',
      'team-a/MCPExternalAuthConfig/upstream',
      'team-a/MCPWebhookConfig/hooks',
    ]);
    for (const kind of ['MCPToolConfig', 'MCPGroup', 'MCPWebhookConfig']) {
      expect(REFERENCED_KINDS.has(kind)).to.equal(true);
      expect(OPTIONAL.has(kind as never)).to.equal(true);
      expect(WATCHED.map(([k]) => k)).to.include(kind);
    }
  });

  it('hands the builders each named companion from the cache, undefined when missing', async () => {
    const cached: Record<string, Dict> = {
      'MCPToolConfig/team-a/tools': { kind: 'MCPToolConfig', spec: { toolsFilter: ['echo'] } },
    };
    const caches = { get: (kind: string, ns: string, name: string) => cached[`${kind}/${ns}/${name}`] };
    const known = {
      clusterIssuer: undefined,
      proxyClients: undefined,
      secretKeys: () => Promise.resolve(undefined),
    };
    const facts = await authFacts(server, caches, known);
    expect([...(facts.companions?.keys() ?? [])]).to.deep.equal([
      'MCPToolConfig/tools',
      'MCPTelemetryConfig/otel',
      'MCPGroup/team',
      'MCPExternalAuthConfig/upstream',
      'MCPWebhookConfig/hooks',
    ]);
    expect(facts.companions?.get('MCPToolConfig/tools')).to.deep.equal(cached['MCPToolConfig/team-a/tools']);
    expect(facts.companions?.get('MCPGroup/team')).to.equal(undefined);
    const none = await authFacts(
      { metadata: { name: 'p', namespace: 'n' }, spec: { image: 'i' } },
      caches,
      known,
    );
    expect(none.companions).to.equal(undefined);
  });

  it('caches a companion spec without managedFields, and a group with its status', () => {
    const object = {
      metadata: { name: 't', managedFields: [{}] },
      spec: { toolsFilter: ['a'] },
      status: { x: 1 },
    };
    expect(cachedForm('MCPToolConfig', object)).to.deep.equal({
      apiVersion: 'toolhive.stacklok.dev/v1beta1',
      kind: 'MCPToolConfig',
      metadata: { name: 't' },
      spec: { toolsFilter: ['a'] },
    });
    expect(cachedForm('MCPGroup', object).status).to.deep.equal({ x: 1 });
  });
});
