// ReviewDeadlines: one timer for all of a route's reviews. Each review still gets its own limit: the ones
// that settle in time are never rejected, and each one that hangs is rejected once its own limit passes,
// however many reviews started or settled around it.
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { ReviewDeadlines } from '../../../webhook/review-route.ts';

describe('ReviewDeadlines', () => {
  it('rejects only the reviews still pending when their own limit passes, each after that limit', async () => {
    const limitMs = 60;
    const deadlines = new ReviewDeadlines(limitMs);
    const rejected: { name: string; afterMs: number; message: string }[] = [];
    const start = (name: string) => {
      const startedAt = performance.now();
      return deadlines.start((err) =>
        rejected.push({ name, afterMs: performance.now() - startedAt, message: err.message }),
      );
    };
    const fast = start('fast');
    start('hangs-1');
    deadlines.settle(fast);
    await sleep(25);
    const late = start('settles-late');
    start('hangs-2');
    await sleep(limitMs - 10); // hangs-1's limit has passed, settles-late's has not
    deadlines.settle(late);
    await sleep(limitMs);
    expect(rejected.map((r) => r.name)).to.deep.equal(['hangs-1', 'hangs-2']);
    for (const { afterMs, message } of rejected) {
      expect(afterMs).to.be.at.least(limitMs - 1);
      expect(message).to.equal(`timed out after ${limitMs} ms while reviewing`);
    }
  });

  it('never rejects a review twice, nor one settled after its limit', async () => {
    const deadlines = new ReviewDeadlines(10);
    let rejections = 0;
    const deadline = deadlines.start(() => rejections++);
    await sleep(40);
    deadlines.settle(deadline);
    deadlines.start(() => rejections++);
    await sleep(40);
    expect(rejections).to.equal(2);
  });
});
