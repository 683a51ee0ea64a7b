import { expect } from 'chai';
import { eventId, newStreamId, parseEventId } from '../../../../proxy/streams/event-id.ts';
import { MemoryEventStore } from '../../../../proxy/streams/memory-event-store.ts';

const note = (n: number) => ({ jsonrpc: '2.0' as const, method: 'notifications/progress', params: { n } });

describe('event ids', () => {
  it('round-trips ids this proxy minted and refuses others', () => {
    const stream = newStreamId();
    expect(parseEventId(eventId(stream, 12))).to.deep.equal({ streamId: stream, seq: 12 });
    for (const foreign of [undefined, '', '12', `${stream}_x`, `short_1`, `${stream}_1234567890`])
      expect(parseEventId(foreign), String(foreign)).to.equal(undefined);
  });
});

describe('MemoryEventStore', () => {
  it('numbers events from 1 and replays those after a sequence number, with the finished mark', async () => {
    const store = new MemoryEventStore();
    await store.open('s', { sessionId: 'a', requestId: 1 });
    expect(await store.append('s', note(1))).to.equal(1);
    expect(await store.append('s', note(2), 'up-2')).to.equal(2);
    const replay = await store.replay('s', 1);
    expect(replay?.events.map((e) => e.seq)).to.deep.equal([2]);
    expect(replay?.upstreamId).to.equal('up-2');
    expect(replay?.finished).to.equal(false);
    await store.append('s', { jsonrpc: '2.0', id: 1, result: {} }, undefined, true);
    expect((await store.replay('s', 0))?.finished).to.equal(true);
    expect(await store.replay('unknown', 0)).to.equal(undefined);
  });

  it('keeps at most maxEventsPerStream events per stream and maxStreams streams', async () => {
    const store = new MemoryEventStore({ maxEventsPerStream: 3, maxStreams: 2 });
    for (const id of ['a', 'b', 'c']) {
      await store.open(id, { sessionId: id });
      for (let n = 1; n <= 5; n += 1) await store.append(id, note(n));
    }
    expect(store.size()).to.deep.equal({ streams: 2, events: 6 });
    expect(await store.replay('a', 0)).to.equal(undefined);
    expect((await store.replay('c', 0))?.events.map((e) => e.seq)).to.deep.equal([3, 4, 5]);
  });

  it('forgets a stream ttlMs after its last event', async () => {
    let now = 0;
    const store = new MemoryEventStore({ ttlMs: 1000 }, () => now);
    await store.open('s', { sessionId: 'a' });
    await store.append('s', note(1));
    now = 999;
    expect(await store.replay('s', 0)).to.not.equal(undefined);
    now = 1001;
    expect(await store.replay('s', 0)).to.equal(undefined);
    expect(store.sweep()).to.equal(1);
    expect(store.size()).to.deep.equal({ streams: 0, events: 0 });
  });
});
