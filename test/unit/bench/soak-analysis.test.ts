import { expect } from 'chai';
import {
  chooseOperation,
  expectedChildren,
  linearSlope,
  memoryTrend,
  missedEvents,
  seededRandom,
  type ExpectedServer,
  type ObservedChild,
} from '../../../bench/lib/soak-analysis.ts';

const server = (over: Partial<ExpectedServer> = {}): ExpectedServer => ({
  name: 'a',
  uid: 'uid-a',
  transport: 'stdio',
  rev: 7,
  deleted: false,
  ...over,
});

/** The children the controller would have made for `e`, as the cluster lists them. */
function childrenOf(e: ExpectedServer, rev = String(e.rev)): ObservedChild[] {
  return expectedChildren(e.name, e.transport).map((kn) => {
    const [kind, name] = kn.split('/') as [string, string];
    return { kind, name, instance: e.name, ownerUids: [e.uid], ...(kind === 'StatefulSet' ? { rev } : {}) };
  });
}

const observed = (e: ExpectedServer, generation = 3, observedGeneration: number | undefined = 3) => ({
  name: e.name,
  uid: e.uid,
  generation,
  observedGeneration,
});

describe('bench/lib/soak-analysis', () => {
  describe('expectedChildren', () => {
    it('gives stdio servers the attach Role and networked ones their two Services', () => {
      expect(expectedChildren('x', 'stdio')).to.include.members([
        'Role/x-proxy-runner',
        'RoleBinding/x-proxy-runner',
      ]);
      expect(expectedChildren('x', 'sse')).to.include.members(['Service/mcp-x', 'Service/mcp-x-headless']);
      expect(expectedChildren('x', 'streamable-http')).to.have.length(10);
      expect(expectedChildren('x', 'stdio')).to.have.length(10);
    });
  });

  describe('missedEvents', () => {
    it('finds nothing when every live server is current and every deleted one is gone', () => {
      const live = server();
      const gone = server({ name: 'b', uid: 'uid-b', deleted: true });
      expect(missedEvents([live, gone], [observed(live)], childrenOf(live))).to.deep.equal([]);
    });

    it('reports a status behind its generation', () => {
      const e = server();
      expect(missedEvents([e], [observed(e, 4, 3)], childrenOf(e))).to.deep.equal([
        { server: 'a', what: 'status.observedGeneration 3 != generation 4' },
      ]);
    });

    it('reports a workload whose template does not carry the last update', () => {
      const e = server();
      const [missed] = missedEvents([e], [observed(e)], childrenOf(e, '6'));
      expect(missed?.what).to.equal('workload template has SOAK_REV 6, last update wrote 7');
    });

    it('reports missing, extra and foreign children', () => {
      const e = server({ transport: 'streamable-http' });
      const children = childrenOf(e).filter((c) => c.kind !== 'ConfigMap');
      children.push({ kind: 'Role', name: 'a-proxy-runner', instance: 'a', ownerUids: ['someone-else'] });
      const what = missedEvents([e], [observed(e)], children).map((m) => m.what);
      expect(what).to.deep.equal([
        'children missing: ConfigMap/a-runconfig',
        'unexpected children: Role/a-proxy-runner',
        'children not owned by it: Role/a-proxy-runner',
      ]);
    });

    it('reports a live server that is gone, or replaced by another of the same name', () => {
      const e = server();
      expect(missedEvents([e], [], [])).to.deep.equal([{ server: 'a', what: 'live but not found' }]);
      expect(missedEvents([e], [{ ...observed(e), uid: 'other' }], [])).to.have.length(1);
    });

    it('reports a deleted server still present, or with children left', () => {
      const e = server({ deleted: true });
      const what = missedEvents([e], [observed(e)], childrenOf(e).slice(0, 1)).map((m) => m.what);
      expect(what).to.deep.equal([
        'deleted but still present',
        'deleted but children left: ConfigMap/a-runconfig',
      ]);
    });
  });

  describe('chooseOperation', () => {
    it('creates when nothing is live, and leans toward the target', () => {
      expect(chooseOperation(0.99, 0, 60)).to.equal('create');
      expect(chooseOperation(0.5, 50, 60)).to.equal('create');
      expect(chooseOperation(0.1, 70, 60)).to.equal('delete');
      expect([0.1, 0.5, 0.9].map((u) => chooseOperation(u, 60, 60))).to.deep.equal([
        'create',
        'delete',
        'update',
      ]);
    });

    it('keeps the population near the target over many draws', () => {
      const random = seededRandom(1);
      let live = 60;
      const seen = new Set<string>();
      for (let i = 0; i < 5000; i++) {
        const op = chooseOperation(random(), live, 60);
        seen.add(op);
        live += op === 'create' ? 1 : op === 'delete' ? -1 : 0;
        expect(live).to.be.within(45, 75);
      }
      expect([...seen].sort()).to.deep.equal(['create', 'delete', 'update']);
    });
  });

  describe('linearSlope and memoryTrend', () => {
    it('fits the slope of a line, and 0 for a flat or too short series', () => {
      expect(
        linearSlope([
          { x: 0, y: 1 },
          { x: 1, y: 3 },
          { x: 2, y: 5 },
        ]),
      ).to.be.closeTo(2, 1e-9);
      expect(
        linearSlope([
          { x: 0, y: 4 },
          { x: 5, y: 4 },
        ]),
      ).to.equal(0);
      expect(linearSlope([{ x: 0, y: 4 }])).to.equal(0);
    });

    it('reports first, last, min, max and the slope per hour over the second half only', () => {
      // Warm-up growth in the first half, flat after: the slope must not see the warm-up.
      const samples = [0, 600, 1200, 1800, 2400, 3000].map((seconds, i) => ({
        seconds,
        mib: i < 3 ? 50 + i * 10 : 80,
      }));
      expect(memoryTrend(samples)).to.deep.equal({
        first: 50,
        last: 80,
        min: 50,
        max: 80,
        slopePerHour: 0,
      });
      const growing = [0, 1800, 3600].map((seconds) => ({ seconds, mib: 100 + seconds / 360 }));
      expect(memoryTrend(growing).slopePerHour).to.be.closeTo(10, 1e-9);
    });
  });
});
