// Token buckets in Redis, one script call per tools/call: ToolHive's consumeAll script
// (pkg/ratelimit/internal/bucket/bucket.go), loaded with ioredis defineCommand, which sends EVALSHA and
// falls back to EVAL when Redis does not know the script (first use on a connection, or after a Redis
// restart emptied its script cache). The script is atomic: it refills every bucket by the time passed
// on Redis's own clock (replicas of the proxy need no synchronised clocks), and takes one token from
// each only when all of them hold one, so a call refused by a per-tool bucket does not drain the
// server's. Each bucket is a hash {tokens, last_refill (microseconds)} expiring 2x refillPeriod after
// its last use.
import type { Redis } from '../shared-state/redis.ts';
import type { Bucket } from './plan.ts';

// KEYS[1..N] bucket keys; ARGV[1] N, ARGV[2..N+1] maxTokens, ARGV[N+2..2N+1] refill rate (tokens/s),
// ARGV[2N+2..3N+1] expire seconds. Returns 0 when every bucket gave a token, else the 1-based index
// of the first bucket that had none (nothing is taken then).
export const CONSUME_ALL_LUA = `
local n = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local refilled = {}
local refused = 0
for i = 1, n do
  local maxTokens = tonumber(ARGV[1 + i])
  local rate = tonumber(ARGV[1 + n + i])
  local data = redis.call('HMGET', KEYS[i], 'tokens', 'last_refill')
  local tokens = tonumber(data[1])
  local last = tonumber(data[2])
  if tokens == nil or last == nil then
    refilled[i] = maxTokens
  else
    refilled[i] = math.min(maxTokens, tokens + math.max(0, (now - last) / 1000000) * rate)
  end
  if refilled[i] < 1 and refused == 0 then refused = i end
end
local take = 1
if refused ~= 0 then take = 0 end
for i = 1, n do
  redis.call('HSET', KEYS[i], 'tokens', refilled[i] - take, 'last_refill', now)
  redis.call('EXPIRE', KEYS[i], tonumber(ARGV[1 + 2 * n + i]))
end
return refused
`;

const COMMAND = 'mcpRateLimitConsumeAll';

type ConsumeAll = (numKeys: number, ...args: (string | number)[]) => Promise<number>;

/** The script on one connection. consume() rejects on any Redis error or after timeoutMs. */
export class TokenBuckets {
  private readonly call: ConsumeAll;
  private readonly timeoutMs: number;

  constructor(redis: Redis, timeoutMs: number) {
    redis.defineCommand(COMMAND, { lua: CONSUME_ALL_LUA });
    const command = (redis as unknown as Record<string, ConsumeAll>)[COMMAND]!;
    this.call = command.bind(redis);
    this.timeoutMs = timeoutMs;
  }

  /** -1 when every bucket gave a token, else the index of the first that had none. */
  consume(buckets: readonly Bucket[]): Promise<number> {
    const n = buckets.length;
    const args: (string | number)[] = buckets.map((b) => b.key);
    args.push(n);
    for (const b of buckets) args.push(b.maxTokens);
    // Full precision (ToolHive sends %.6f, which rounds a bucket of 1 per week to 0.000002/s).
    for (const b of buckets) args.push(String(b.refillRate));
    for (const b of buckets) args.push(b.expireSeconds);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not answer the rate-limit script within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    const answer = this.call(n, ...args).then((refused) => Number(refused) - 1);
    return Promise.race([answer, timeout]).finally(() => clearTimeout(timer));
  }
}
