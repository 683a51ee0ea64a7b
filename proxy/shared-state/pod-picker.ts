// Which backend pod serves a new session (spec.backendReplicas > 1): the one with the fewest live
// sessions, counted across every proxy replica, never by client address, so no pod is starved the way
// ClientIP affinity starves them (ToolHive #5738). With Redis each pod has a sorted set of session ids
// scored by expiry: a pick drops the expired, takes the smallest set (ties broken from a random start)
// and adds the session, in one script, so concurrent picks by several replicas do not pile onto one
// pod; a session's end removes it and its use renews it (throttled), so sessions of a replica that
// died fall out after the idle time. Without Redis the counts are this process's own.
// Pods that fail their probe are left out while another answers.
import type { Redis } from './redis.ts';

export interface PodPicker {
  /** The pod for session id among candidates (pod URLs). */
  pick(id: string, candidates: string[]): Promise<string>;
  release(id: string, pod: string): void;
  /** Counts a session this replica adopted, or renews it. */
  renew(id: string, pod: string): void;
}

export class LocalPodPicker implements PodPicker {
  private readonly counts = new Map<string, number>();

  pick(_id: string, candidates: string[]): Promise<string> {
    const start = Math.floor(Math.random() * candidates.length);
    let best = candidates[start]!;
    for (let i = 1; i < candidates.length; i += 1) {
      const pod = candidates[(start + i) % candidates.length]!;
      if ((this.counts.get(pod) ?? 0) < (this.counts.get(best) ?? 0)) best = pod;
    }
    this.counts.set(best, (this.counts.get(best) ?? 0) + 1);
    return Promise.resolve(best);
  }

  release(_id: string, pod: string): void {
    const count = this.counts.get(pod) ?? 0;
    if (count <= 1) this.counts.delete(pod);
    else this.counts.set(pod, count - 1);
  }

  renew(): void {}

  /** Sessions per pod, for tests. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

// KEYS: one sorted set per candidate. ARGV: now, expiry, session id, random start. Returns the index.
const PICK = `
local now = tonumber(ARGV[1])
local n = #KEYS
local best, bestCount = nil, nil
for i = 0, n - 1 do
  local k = ((tonumber(ARGV[4]) + i) % n) + 1
  redis.call('ZREMRANGEBYSCORE', KEYS[k], '-inf', now)
  local count = redis.call('ZCARD', KEYS[k])
  if bestCount == nil or count < bestCount then best, bestCount = k, count end
end
redis.call('ZADD', KEYS[best], ARGV[2], ARGV[3])
redis.call('PEXPIREAT', KEYS[best], ARGV[2])
return best - 1
`;

const RENEW_EVERY_MS = 60_000;

export class RedisPodPicker implements PodPicker {
  private readonly redis: Redis & { pickPod?: (...args: (string | number)[]) => Promise<number> };
  private readonly keyspace: string;
  private readonly ttlMs: number;
  private readonly fallback = new LocalPodPicker();
  private readonly renewed = new Map<string, number>();

  constructor(redis: Redis, keyspace: string, ttlMs: number) {
    this.redis = redis;
    this.keyspace = keyspace;
    this.ttlMs = ttlMs;
    if (!('pickPod' in redis)) redis.defineCommand('pickPod', { lua: PICK });
  }

  /** Redis away: this process's own counts, so sessions still start. */
  async pick(id: string, candidates: string[]): Promise<string> {
    const keys = candidates.map((pod) => this.key(pod));
    const now = Date.now();
    const start = Math.floor(Math.random() * candidates.length);
    try {
      const index = await this.redis.pickPod!(keys.length, ...keys, now, now + this.ttlMs, id, start);
      this.renewed.set(id, now);
      return candidates[index]!;
    } catch {
      return this.fallback.pick(id, candidates);
    }
  }

  release(id: string, pod: string): void {
    this.renewed.delete(id);
    this.redis.zrem(this.key(pod), id).catch(() => undefined);
  }

  renew(id: string, pod: string): void {
    const now = Date.now();
    if (now - (this.renewed.get(id) ?? 0) < RENEW_EVERY_MS) return;
    this.renewed.set(id, now);
    const key = this.key(pod);
    this.redis
      .multi()
      .zadd(key, now + this.ttlMs, id)
      .pexpireat(key, now + this.ttlMs)
      .exec()
      .catch(() => undefined);
  }

  private key(pod: string): string {
    return `${this.keyspace}pod:${pod}`;
  }
}
