// The token-bucket script against a real redis-server (test/support/redis.ts): one call takes a token
// from every bucket or from none, buckets refill at maxTokens per refillPeriod on Redis's clock, keys
// expire 2x refillPeriod after use, per-user buckets are per subject, the script is sent again after a
// Redis restart forgot it (EVALSHA, NOSCRIPT, EVAL), and a Redis that does not answer is a rejection
// after the timeout, not a wait.
import { expect } from 'chai';
import { silentLogger } from '../../../../lib/log.ts';
import type { RunConfigSessionStorage } from '../../../../proxy/config.ts';
import { bucketsFor, compilePlan, type Bucket } from '../../../../proxy/ratelimit/plan.ts';
import { TokenBuckets } from '../../../../proxy/ratelimit/token-bucket.ts';
import { connectRedis, whenReady, type Redis } from '../../../../proxy/shared-state/redis.ts';
import { startRedis, type RunningRedis } from '../../../support/redis.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('proxy/ratelimit token buckets in a real Redis', function () {
  this.timeout(20_000);
  let server: RunningRedis;
  let redis: Redis;
  let buckets: TokenBuckets;
  let n = 0;
  /** A fresh keyspace per test. */
  let prefix = '';

  before(async () => {
    server = await startRedis();
    const storage: RunConfigSessionStorage = {
      provider: 'redis',
      address: server.address,
      db: 0,
      keyPrefix: 't:',
    };
    redis = connectRedis(storage, silentLogger());
    expect(await whenReady(redis, 5000)).to.equal(true);
    buckets = new TokenBuckets(redis, 1000);
  });
  beforeEach(() => {
    prefix = `t:ns/s${(n += 1)}:`;
  });
  after(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  const plan = (config: Parameters<typeof compilePlan>[0]) => compilePlan(config);
  const take = async (list: Bucket[], times: number) => {
    const out: number[] = [];
    for (let i = 0; i < times; i++) out.push(await buckets.consume(list));
    return out;
  };

  it('gives maxTokens at once, then refuses until a token came back', async () => {
    const list = bucketsFor(
      plan({ shared: { maxTokens: 3, refillPeriod: '600ms' } }),
      prefix,
      'x',
      undefined,
    );
    expect(await take(list, 4)).to.deep.equal([-1, -1, -1, 0]);
    await sleep(250); // 5 tokens/s: one is back after 200 ms
    expect(await take(list, 2)).to.deep.equal([-1, 0]);
    const hash = await redis.hgetall(`${prefix}rl:shared`);
    expect(Number(hash.tokens)).to.be.within(0, 1);
    expect(Number(hash.last_refill)).to.be.greaterThan(1e15); // microseconds
    const ttl = await redis.ttl(`${prefix}rl:shared`);
    expect(ttl).to.be.within(1, 2); // ceil(2 x 0.6 s)
  });

  it('takes from every bucket or from none: a refusing tool bucket leaves the server bucket full', async () => {
    const p = plan({
      shared: { maxTokens: 10, refillPeriod: '1h' },
      tools: [{ name: 'slow', shared: { maxTokens: 1, refillPeriod: '1h' } }],
    });
    const slow = bucketsFor(p, prefix, 'slow', undefined);
    expect(await take(slow, 3)).to.deep.equal([-1, 1, 1]); // index 1: the tool's bucket refused
    expect(Number(await redis.hget(`${prefix}rl:shared`, 'tokens'))).to.be.closeTo(9, 0.01);
    expect(await take(bucketsFor(p, prefix, 'fast', undefined), 9)).to.deep.equal(new Array(9).fill(-1));
    expect(await buckets.consume(bucketsFor(p, prefix, 'fast', undefined))).to.equal(0);
  });

  it('keeps one per-user bucket per subject', async () => {
    const p = plan({ perUser: { maxTokens: 2, refillPeriod: '1h' } });
    const alice = bucketsFor(p, prefix, 'echo', 'alice');
    const bob = bucketsFor(p, prefix, 'echo', 'bob');
    expect(await take(alice, 3)).to.deep.equal([-1, -1, 0]);
    expect(await take(bob, 3)).to.deep.equal([-1, -1, 0]);
    expect((await redis.keys(`${prefix}rl:user:*`)).sort()).to.deep.equal([
      `${prefix}rl:user:alice`,
      `${prefix}rl:user:bob`,
    ]);
  });

  it('loads the script again after a restart emptied Redis (EVALSHA falls back to EVAL)', async () => {
    const list = bucketsFor(plan({ shared: { maxTokens: 1, refillPeriod: '1h' } }), prefix, 'x', undefined);
    expect(await take(list, 2)).to.deep.equal([-1, 0]);
    await redis.script('FLUSH');
    expect(await buckets.consume(list)).to.equal(0); // NOSCRIPT, then EVAL: the state survived
    await server.restart();
    expect(await whenReady(redis, 5000)).to.equal(true);
    expect(await take(list, 2)).to.deep.equal([-1, 0]); // a new, empty Redis: a full bucket again
  });

  it('rejects at once while Redis is down, and after the timeout while it does not answer', async () => {
    const list = bucketsFor(plan({ shared: { maxTokens: 1, refillPeriod: '1h' } }), prefix, 'x', undefined);
    const other = connectRedis(
      { provider: 'redis', address: server.address, db: 0, keyPrefix: '' },
      silentLogger(),
    );
    try {
      expect(await whenReady(other, 5000)).to.equal(true);
      await other.client('PAUSE', 1500, 'ALL');
      const started = performance.now();
      const paused = await buckets.consume(list).then(
        () => 'answered',
        (err: Error) => err.message,
      );
      expect(paused).to.match(/did not answer .* within 1000 ms/);
      expect(performance.now() - started).to.be.within(900, 1400);
    } finally {
      other.disconnect();
    }
    await sleep(600);
    await server.kill();
    const started = performance.now();
    const down = await buckets.consume(list).then(
      () => 'answered',
      (err: Error) => err.message,
    );
    expect(down).to.not.equal('answered');
    expect(performance.now() - started).to.be.below(500);
    await server.start();
    expect(await whenReady(redis, 5000)).to.equal(true);
    expect(await buckets.consume(list)).to.equal(-1);
  });
});
