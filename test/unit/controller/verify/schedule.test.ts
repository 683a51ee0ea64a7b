import { expect } from 'chai';
import {
  answeredEntry,
  decide,
  proxyRolledOut,
  serverRolledOut,
  retryDelayMs,
  RETRY_MAX_MS,
  STALE_RETRY_MS,
  STALE_TRIES,
  type Decision,
  type Entry,
  type ScheduleInput,
} from '../../../../controller/verify/schedule.ts';

const NOW = 1_000_000;
const failed = { kind: 'failed' as const, message: 'refused' };
const verified = {
  kind: 'verified' as const,
  serverInfo: { name: 's', version: '1' },
  protocolVersion: '2025-11-25',
  capabilities: ['tools'],
  tools: ['a'],
};
const answered = (fields: Partial<Extract<Entry, { state: 'answered' }>> = {}): Entry => ({
  subject: '2',
  state: 'answered',
  outcome: verified,
  at: NOW,
  failures: 0,
  stale: 0,
  ...fields,
});
const input = (fields: Partial<ScheduleInput> = {}): ScheduleInput => ({
  ready: true,
  rolledOut: true,
  subject: '2',
  recorded: undefined,
  entry: undefined,
  now: NOW,
  ...fields,
});

describe('decide (when a proxy is checked)', () => {
  const cases: Record<string, { input: ScheduleInput; want: Decision }> = {
    'starts a check for a Ready, rolled-out server never verified': {
      input: input(),
      want: { action: 'start' },
    },
    'waits while the server is not Ready': { input: input({ ready: false }), want: { action: 'none' } },
    'waits while the proxy rolls out': { input: input({ rolledOut: false }), want: { action: 'none' } },
    'does nothing when status already answers for this subject (a restart, a resync)': {
      input: input({ recorded: '2' }),
      want: { action: 'none' },
    },
    'starts again when the generation moved past what status answers for': {
      input: input({ recorded: '1' }),
      want: { action: 'start' },
    },
    'starts again when the MCPToolConfig changed': {
      input: input({ recorded: '2/tools@1', subject: '2/tools@2' }),
      want: { action: 'start' },
    },
    'does not start a second check while one runs for the subject': {
      input: input({ entry: { subject: '2', state: 'running' } }),
      want: { action: 'none' },
    },
    'waits for a check of an older subject to come back before starting one': {
      input: input({ entry: { subject: '1', state: 'running' } }),
      want: { action: 'none' },
    },
    'does nothing after a success for the subject': {
      input: input({ entry: answered() }),
      want: { action: 'none' },
    },
    'does not retry an answer that a token is needed': {
      input: input({ entry: answered({ outcome: { kind: 'authentication-required', message: '401' } }) }),
      want: { action: 'none' },
    },
    'retries a failure after its backoff, not before': {
      input: input({ entry: answered({ outcome: failed, failures: 1 }), now: NOW + 1000 }),
      want: { action: 'later', atMs: NOW + 15_000 },
    },
    'retries a failure once its backoff has passed': {
      input: input({ entry: answered({ outcome: failed, failures: 2 }), now: NOW + 30_000 }),
      want: { action: 'start' },
    },
    'tries a stale answer again soon': {
      input: input({ entry: answered({ stale: 1 }) }),
      want: { action: 'later', atMs: NOW + STALE_RETRY_MS },
    },
    'checks an answer for an older subject anew': {
      input: input({ entry: answered({ subject: '1' }), recorded: '1' }),
      want: { action: 'start' },
    },
  };
  for (const [name, c] of Object.entries(cases))
    it(name, () => expect(decide(c.input)).to.deep.equal(c.want));

  it('doubles the backoff up to ten minutes', () => {
    expect([1, 2, 3, 10, 50].map(retryDelayMs)).to.deep.equal([
      15_000,
      30_000,
      60_000,
      RETRY_MAX_MS,
      RETRY_MAX_MS,
    ]);
  });

  it('makes STALE_TRIES quick tries at most', () => {
    expect(decide(input({ entry: answered({ stale: STALE_TRIES }) }))).to.deep.equal({ action: 'none' });
  });
});

describe('proxyRolledOut', () => {
  const deployment = (status: Record<string, number>, generation = 3, replicas = 2) => ({
    metadata: { generation },
    spec: { replicas },
    status,
  });
  const cases: Record<string, { deployment: Record<string, unknown> | undefined; want: boolean }> = {
    'is true when every replica runs the current template and one is ready': {
      deployment: deployment({ observedGeneration: 3, updatedReplicas: 2, replicas: 2, readyReplicas: 2 }),
      want: true,
    },
    'is false before the Deployment controller saw the new spec': {
      deployment: deployment({ observedGeneration: 2, updatedReplicas: 2, replicas: 2, readyReplicas: 2 }),
      want: false,
    },
    'is false while an old replica is left': {
      deployment: deployment({ observedGeneration: 3, updatedReplicas: 2, replicas: 3, readyReplicas: 3 }),
      want: false,
    },
    'is false with no ready replica': {
      deployment: deployment({ observedGeneration: 3, updatedReplicas: 2, replicas: 2, readyReplicas: 0 }),
      want: false,
    },
    'is false without a Deployment': { deployment: undefined, want: false },
  };
  for (const [name, c] of Object.entries(cases))
    it(name, () => expect(proxyRolledOut(c.deployment)).to.equal(c.want));
});

describe('answeredEntry', () => {
  const giveUp = { kind: 'failed' as const, message: 'the proxy lists tools its toolsFilter does not allow' };
  const answer = (previous: Entry | undefined, outcome: typeof verified | typeof failed, stale = false) =>
    answeredEntry({ previous, subject: '2', outcome, stale, staleFailure: giveUp, at: NOW });

  it('counts failures in a row for one subject, and a success resets them', () => {
    const one = answer(undefined, failed);
    const two = answer(one, failed);
    expect(two).to.include({ failures: 2 });
    expect(answer(two, verified)).to.include({ failures: 0 });
  });
  it(`turns the ${STALE_TRIES}th stale answer in a row into a failure`, () => {
    let entry: Entry | undefined;
    for (let i = 1; i < STALE_TRIES; i++) entry = answer(entry, verified, true);
    expect(entry).to.include({ stale: STALE_TRIES - 1 });
    const last = answer(entry, verified, true);
    expect(last).to.deep.include({ stale: 0, failures: 1, outcome: giveUp });
  });
});

describe('serverRolledOut', () => {
  const statefulSet = (status: Record<string, unknown>) => ({
    metadata: { generation: 2 },
    spec: { replicas: 1 },
    status,
  });
  it('is true when the current revision is the update revision on every replica', () => {
    expect(
      serverRolledOut(
        statefulSet({
          observedGeneration: 2,
          currentRevision: 'r2',
          updateRevision: 'r2',
          updatedReplicas: 1,
        }),
      ),
    ).to.equal(true);
  });
  it('is false while the older revision still runs', () => {
    expect(
      serverRolledOut(
        statefulSet({
          observedGeneration: 2,
          currentRevision: 'r1',
          updateRevision: 'r2',
          updatedReplicas: 0,
        }),
      ),
    ).to.equal(false);
  });
  it('is false before the StatefulSet controller saw the new spec', () => {
    expect(
      serverRolledOut(
        statefulSet({
          observedGeneration: 1,
          currentRevision: 'r1',
          updateRevision: 'r1',
          updatedReplicas: 1,
        }),
      ),
    ).to.equal(false);
  });
  it('waits for nothing it did not observe', () => expect(serverRolledOut(undefined)).to.equal(true));
});
