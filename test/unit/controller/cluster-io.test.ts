// When apply() may skip a request: after a change to what the controller does not own (status,
// others' annotations) but never after a change to what it applied.
import { expect } from 'chai';
import { appliedFrom, isClusterIPChange, mayHaveDrifted } from '../../../controller/applied.ts';
import { ApiError } from '../../../controller/io.ts';
import type { Dict } from '../../../controller/desired/types.ts';

const body: Dict = {
  metadata: { name: 'fetch', labels: { app: 'fetch' }, annotations: { ours: 'x' } },
  spec: {},
};
/** The API server's answer to the apply. */
const answer = {
  resourceVersion: '10',
  uid: 'd1',
  generation: 1,
  labels: { app: 'fetch' },
  annotations: { ours: 'x' },
  ownerReferences: [{ kind: 'MCPServer', uid: 'u1', controller: true }],
};

describe('mayHaveDrifted', () => {
  const live = (changes: Dict): Dict => ({ metadata: { ...answer, ...changes } });
  const cases: Record<string, { live: Dict; answer?: Dict; want: boolean }> = {
    'is false when the resourceVersion is the one the apply returned': { live: live({}), want: false },
    'is false after a status-only change (same generation and metadata)': {
      live: live({ resourceVersion: '12' }),
      want: false,
    },
    'is false when someone else adds an annotation the controller does not set': {
      live: live({
        resourceVersion: '12',
        annotations: { ours: 'x', 'deployment.kubernetes.io/revision': '1' },
      }),
      want: false,
    },
    'is true after a spec change (the generation moved)': {
      live: live({ resourceVersion: '12', generation: 2 }),
      want: true,
    },
    'is true when a label the controller sets was changed': {
      live: live({ resourceVersion: '12', labels: { app: 'other' } }),
      want: true,
    },
    'is true when an annotation the controller sets was removed': {
      live: live({ resourceVersion: '12', annotations: {} }),
      want: true,
    },
    'is true when the owner references changed': {
      live: live({ resourceVersion: '12', ownerReferences: [] }),
      want: true,
    },
    'is true when the object was re-created (new uid)': {
      live: live({ resourceVersion: '12', uid: 'd2' }),
      want: true,
    },
    'is true on any change to a kind without a generation (a ConfigMap)': {
      answer: { ...answer, generation: undefined },
      live: live({ resourceVersion: '12', generation: undefined }),
      want: true,
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const last = appliedFrom('h', body, { metadata: c.answer ?? answer });
      expect(mayHaveDrifted(c.live, body, last)).to.equal(c.want);
    });
  }
});

describe('isClusterIPChange', () => {
  // As kube-apiserver v1.37 words it when an apply would make a Service with a ClusterIP headless.
  const refused = new ApiError(
    422,
    'Invalid',
    'Service "mcp-osv" is invalid: spec.clusterIPs[0]: Invalid value: ["None"]: may not change once set',
  );
  it('is true for a Service whose clusterIP the API server will not change', () => {
    expect(isClusterIPChange('Service', refused)).to.equal(true);
  });
  it('is false for other kinds, other codes and other invalid fields', () => {
    expect(isClusterIPChange('Deployment', refused)).to.equal(false);
    expect(isClusterIPChange('Service', new ApiError(409, 'Conflict', refused.message))).to.equal(false);
    const otherField = new ApiError(
      422,
      'Invalid',
      'Service "x" is invalid: spec.ports[0].port: Invalid value',
    );
    expect(isClusterIPChange('Service', otherField)).to.equal(false);
    expect(isClusterIPChange('Service', new Error(refused.message))).to.equal(false);
  });
});
