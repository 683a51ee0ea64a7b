// Where a client session lives when proxy replicas share sessions (spec.sessionStorage): which caller
// owns it, which backend pod serves it and with which upstream session, and the revision it speaks.
// Any replica that gets a request for a session it does not hold looks it up here and adopts it
// (fronts/streamable-http.ts). The record expires after the idle time, renewed (at most once a
// minute per session and replica) while the session is used. Without Redis there is no directory:
// a session is known only to the process that made it.
import type { Redis } from './redis.ts';

/** How a replica reaches the server for an adopted session (backends/http.ts). */
export interface UpstreamHandle {
  /** The backend pod's MCP URL. */
  pod: string;
  /** The upstream's Mcp-Session-Id; absent for a server that mints none. */
  upstreamSessionId?: string;
  protocolVersion?: string;
}

export interface SessionRecord {
  owner: string;
  upstream: UpstreamHandle;
  /** The revision the client initialized with (priming events follow it). */
  clientVersion?: string;
}

export interface SessionDirectory {
  save(id: string, record: SessionRecord): Promise<void>;
  find(id: string): Promise<SessionRecord | undefined>;
  /** Renews the record's time; throttled, fire and forget. */
  touch(id: string): void;
  remove(id: string): Promise<void>;
}

const TOUCH_EVERY_MS = 60_000;

export class RedisSessionDirectory implements SessionDirectory {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly touched = new Map<string, number>();
  private readonly now: () => number;

  constructor(redis: Redis, keyspace: string, ttlMs: number, now: () => number = Date.now) {
    this.redis = redis;
    this.prefix = `${keyspace}session:`;
    this.ttlMs = ttlMs;
    this.now = now;
  }

  async save(id: string, record: SessionRecord): Promise<void> {
    await this.redis.set(this.prefix + id, JSON.stringify(record), 'PX', this.ttlMs);
    this.touched.set(id, this.now());
  }

  async find(id: string): Promise<SessionRecord | undefined> {
    const text = await this.redis.get(this.prefix + id);
    return text ? (JSON.parse(text) as SessionRecord) : undefined;
  }

  touch(id: string): void {
    const last = this.touched.get(id) ?? 0;
    if (this.now() - last < TOUCH_EVERY_MS) return;
    this.touched.set(id, this.now());
    this.redis.pexpire(this.prefix + id, this.ttlMs).catch(() => undefined);
  }

  async remove(id: string): Promise<void> {
    this.touched.delete(id);
    await this.redis.del(this.prefix + id);
  }

  /** Forgets the local touch time of a session this replica let go of. */
  forget(id: string): void {
    this.touched.delete(id);
  }
}
