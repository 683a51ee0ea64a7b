// The cached form keeps what the controller reads and nothing else.
import { expect } from 'chai';
import { cachedForm } from '../../../controller/cache-transform.ts';

const metadata = {
  name: 'a',
  namespace: 'team-a',
  uid: 'u1',
  resourceVersion: '7',
  generation: 2,
  labels: { app: 'x' },
  annotations: { 'deployment.kubernetes.io/revision': '1' },
  ownerReferences: [{ uid: 'o1', controller: true }],
  managedFields: [{ manager: 'mcp-operator', fieldsV1: { 'f:spec': {} } }],
};

describe('cachedForm', () => {
  it('drops managedFields from every kind and keeps the rest of metadata', () => {
    for (const kind of ['MCPServer', 'Service', 'Pod', 'Deployment'] as const) {
      const { managedFields: _, ...rest } = metadata;
      expect(cachedForm(kind, { metadata }).metadata, kind).to.deep.equal(rest);
    }
  });

  it('keeps an MCPServer whole, with apiVersion and kind set (list items carry neither)', () => {
    const server = { metadata, spec: { image: 'x' }, status: { phase: 'Ready' } };
    expect(cachedForm('MCPServer', server)).to.deep.include({
      apiVersion: 'toolhive.stacklok.dev/v1alpha1',
      kind: 'MCPServer',
      spec: { image: 'x' },
      status: { phase: 'Ready' },
    });
  });

  it('keeps only spec.replicas and status of a workload (not its pod template)', () => {
    const deployment = {
      metadata,
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'c' }] } } },
      status: { readyReplicas: 1 },
    };
    const cached = cachedForm('Deployment', deployment);
    expect([cached.apiVersion, cached.spec, cached.status]).to.deep.equal([
      'apps/v1',
      { replicas: 2 },
      { readyReplicas: 1 },
    ]);
  });

  it('keeps a pod’s phase, reason and container states, not its spec', () => {
    const pod = {
      metadata,
      spec: { containers: [{ name: 'c', image: 'x' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          { name: 'c', ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } }, image: 'x' },
        ],
      },
    };
    const cached = cachedForm('Pod', pod);
    expect([cached.spec, cached.status]).to.deep.equal([
      undefined,
      {
        phase: 'Running',
        reason: undefined,
        containerStatuses: [{ name: 'c', ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
      },
    ]);
  });

  it("keeps a Secret's identity and version only: no data, labels or annotations (issue 14)", () => {
    const applied = {
      ...metadata,
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"stringData":{"k":"v"}}' },
    };
    expect(cachedForm('Secret', { metadata: applied, data: { k: 'dg==' }, type: 'Opaque' })).to.deep.equal({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'a', namespace: 'team-a', uid: 'u1', resourceVersion: '7' },
    });
  });

  it('keeps the data of ConfigMaps, and only metadata of other children', () => {
    expect(cachedForm('ConfigMap', { metadata, data: { p: '{}' } }).data).to.deep.equal({ p: '{}' });
    expect(Object.keys(cachedForm('Service', { metadata, spec: { ports: [] } }))).to.deep.equal([
      'apiVersion',
      'kind',
      'metadata',
    ]);
  });
});
