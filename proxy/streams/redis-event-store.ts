// The event store of proxy replicas that share sessions (spec.sessionStorage): a stream's events in a
// Redis list, so a client whose replica died resumes on another with GET and Last-Event-ID. One script
// per event (one round trip; the stream's record is made with its first event): it numbers the event,
// appends it, trims the list to the bound and renews the keys' time, which shrinks to a minute once the
// stream is finished (only a client that lost its last event still asks). Plain-JSON answers never
// touch Redis.
// Keys: <keyspace>stream:<id> (hash: info, next seq, finished, last upstream id) and
// <keyspace>stream:<id>:events (list of "<seq> <upstream id> <message JSON>").
import type { RpcMessage } from '../jsonrpc.ts';
import type { Redis } from '../shared-state/redis.ts';
import {
  DEFAULT_EVENT_STORE_LIMITS,
  type EventStore,
  type EventStoreLimits,
  type Replay,
  type StoredEvent,
  type StreamInfo,
} from './event-store.ts';

// KEYS: meta, events. ARGV: entry (without seq), upstream id ('' if none), last ('1'/'0'), max, ttl ms,
// the stream's info JSON on its first event ('' after), ttl ms once finished.
const APPEND = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[6] == '' then return 0 end
  redis.call('HSET', KEYS[1], 'info', ARGV[6], 'seq', 0)
end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('RPUSH', KEYS[2], seq .. ' ' .. ARGV[1])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'upstream', ARGV[2]) end
local ttl = ARGV[5]
if ARGV[3] == '1' then
  redis.call('HSET', KEYS[1], 'finished', '1')
  ttl = ARGV[7]
end
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return seq
`;

/** How long a finished stream is kept for a client that lost its last event. */
const FINISHED_TTL_MS = 60_000;

type Scripted = Redis & {
  appendEvent?: (...args: (string | number)[]) => Promise<number>;
};

export class RedisEventStore implements EventStore {
  private readonly redis: Scripted;
  private readonly prefix: string;
  private readonly limits: EventStoreLimits;
  /** Streams opened here whose first event is not stored yet: their info goes with it. */
  private readonly pending = new Map<string, string>();

  constructor(redis: Redis, keyspace: string, limits: Partial<EventStoreLimits> = {}) {
    this.redis = redis;
    this.prefix = `${keyspace}stream:`;
    this.limits = { ...DEFAULT_EVENT_STORE_LIMITS, ...limits };
    if (!('appendEvent' in redis)) redis.defineCommand('appendEvent', { lua: APPEND });
  }

  open(streamId: string, info: StreamInfo): Promise<void> {
    this.pending.set(streamId, JSON.stringify(info));
    return Promise.resolve();
  }

  async append(streamId: string, message: RpcMessage, upstreamId?: string, last = false): Promise<number> {
    const meta = this.prefix + streamId;
    const info = this.pending.get(streamId) ?? '';
    this.pending.delete(streamId);
    const entry = `${encodeURIComponent(upstreamId ?? '')} ${JSON.stringify(message)}`;
    return this.redis.appendEvent!(
      2,
      meta,
      `${meta}:events`,
      entry,
      upstreamId ?? '',
      last ? '1' : '0',
      this.limits.maxEventsPerStream,
      this.limits.ttlMs,
      info,
      Math.min(this.limits.ttlMs, FINISHED_TTL_MS),
    );
  }

  async replay(streamId: string, afterSeq: number): Promise<Replay | undefined> {
    const meta = this.prefix + streamId;
    const [metaReply, listReply] =
      (await this.redis.multi().hgetall(meta).lrange(`${meta}:events`, 0, -1).exec()) ?? [];
    const fields = (metaReply?.[1] ?? {}) as Record<string, string>;
    if (!fields.info) return undefined;
    const events: StoredEvent[] = [];
    for (const line of (listReply?.[1] ?? []) as string[]) {
      const event = parseEntry(line);
      if (event && event.seq > afterSeq) events.push(event);
    }
    return {
      info: JSON.parse(fields.info) as StreamInfo,
      events,
      finished: fields.finished === '1',
      ...(fields.upstream ? { upstreamId: fields.upstream } : {}),
    };
  }

  size(): undefined {
    return undefined;
  }

  close(): void {}
}

/** "<seq> <upstream id, URI-encoded> <JSON>". */
function parseEntry(line: string): StoredEvent | undefined {
  const first = line.indexOf(' ');
  const second = line.indexOf(' ', first + 1);
  if (first < 0 || second < 0) return undefined;
  const upstreamId = decodeURIComponent(line.slice(first + 1, second));
  return {
    seq: Number(line.slice(0, first)),
    message: JSON.parse(line.slice(second + 1)) as RpcMessage,
    ...(upstreamId ? { upstreamId } : {}),
  };
}
