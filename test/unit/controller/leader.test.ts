import { expect } from 'chai';
import {
  leaseAction,
  microTime,
  nextLeaseSpec,
  type LeaseAction,
  type LeaseSpec,
} from '../../../controller/leader.ts';

const NOW = new Date('2026-01-01T00:00:30Z');

describe('leaseAction', () => {
  const cases: Record<string, { spec: LeaseSpec | undefined; want: LeaseAction }> = {
    'takes a Lease nobody holds': { spec: undefined, want: 'take-over' },
    'takes a released Lease (empty holder)': { spec: { holderIdentity: '' }, want: 'take-over' },
    'renews its own Lease': {
      spec: { holderIdentity: 'me', renewTime: '2026-01-01T00:00:29Z', leaseDurationSeconds: 15 },
      want: 'renew',
    },
    "waits while another's Lease is fresh": {
      spec: { holderIdentity: 'other', renewTime: '2026-01-01T00:00:20Z', leaseDurationSeconds: 15 },
      want: 'wait',
    },
    "takes over another's expired Lease": {
      spec: { holderIdentity: 'other', renewTime: '2026-01-01T00:00:10Z', leaseDurationSeconds: 15 },
      want: 'take-over',
    },
  };
  for (const [name, c] of Object.entries(cases))
    it(name, () => expect(leaseAction(c.spec, 'me', NOW)).to.equal(c.want));
});

describe('nextLeaseSpec', () => {
  it('counts a transition when taking over, keeps acquireTime when renewing', () => {
    const taken = nextLeaseSpec({ holderIdentity: 'other', leaseTransitions: 2 }, 'me', NOW, 15);
    const renewed = nextLeaseSpec(taken, 'me', new Date('2026-01-01T00:00:32Z'), 15);
    expect([taken, renewed]).to.deep.equal([
      {
        holderIdentity: 'me',
        leaseDurationSeconds: 15,
        acquireTime: '2026-01-01T00:00:30.000000Z',
        renewTime: '2026-01-01T00:00:30.000000Z',
        leaseTransitions: 3,
      },
      {
        holderIdentity: 'me',
        leaseDurationSeconds: 15,
        acquireTime: '2026-01-01T00:00:30.000000Z',
        renewTime: '2026-01-01T00:00:32.000000Z',
        leaseTransitions: 3,
      },
    ]);
  });

  it('writes MicroTime with six fractional digits', () =>
    expect(microTime(new Date('2026-01-01T00:00:00.123Z'))).to.equal('2026-01-01T00:00:00.123000Z'));
});
