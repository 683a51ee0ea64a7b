import { expect } from 'chai';
import { WorkQueue, type Scheduler } from '../../../controller/queue.ts';

/** A scheduler whose time moves only when the test says so. */
function manualScheduler() {
  const timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
  let now = 0;
  const scheduler: Scheduler = {
    schedule(fn, ms) {
      const timer = { at: now + ms, fn, cancelled: false };
      timers.push(timer);
      return { cancel: () => (timer.cancelled = true) };
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((t) => !t.cancelled && t.at <= now)) {
      t.cancelled = true;
      t.fn();
    }
  };
  return { scheduler, advance, delays: () => timers.map((t) => t.at) };
}

describe('WorkQueue', () => {
  it('hands out a key added many times once', async () => {
    const q = new WorkQueue();
    for (const k of ['a', 'b', 'a', 'a']) q.add(k);
    expect([await q.get(), await q.get(), q.depth()]).to.deep.equal(['a', 'b', 0]);
  });

  it('does not hand out a key being processed; one added meanwhile comes back after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = await q.get();
    q.add('a');
    expect(q.depth()).to.equal(0);
    q.done(key!);
    expect([q.depth(), await q.get()]).to.deep.equal([1, 'a']);
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.add('x');
    expect(await waiting).to.equal('x');
  });

  it('doubles the retry delay per failure up to the cap, and forget resets it', () => {
    const { scheduler } = manualScheduler();
    const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 50, scheduler });
    const delays = [1, 2, 3, 4, 5].map(() => q.addRateLimited('a'));
    q.forget('a');
    expect([...delays, q.addRateLimited('a')]).to.deep.equal([10, 20, 40, 50, 50, 10]);
  });

  it('adds a delayed key only when its time comes', () => {
    const { scheduler, advance } = manualScheduler();
    const q = new WorkQueue({ scheduler });
    q.addAfter('a', 100, 0);
    advance(99);
    const early = q.depth();
    advance(1);
    expect([early, q.depth()]).to.deep.equal([0, 1]);
  });

  it('resolves waiting workers with undefined on shutdown', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).to.equal(undefined);
  });
});
