// What a proxy with spec.sessionStorage (provider redis) shares with its other replicas, on one Redis
// connection: the session directory, the backend pods' session counts and the streams' replay store.
// proxy.ts asks for it once; rate limits (ratelimit/) use the same connection.
import type { Logger } from '../../lib/log.ts';
import type { ProxyConfig } from '../config.ts';
import type { EventStore } from '../streams/event-store.ts';
import { RedisEventStore } from '../streams/redis-event-store.ts';
import { RedisPodPicker, type PodPicker } from './pod-picker.ts';
import { connectRedis, keyspace, type Redis } from './redis.ts';
import { RedisSessionDirectory, type SessionDirectory } from './session-directory.ts';

export interface SharedState {
  redis: Redis;
  directory: SessionDirectory;
  picker: PodPicker;
  events: EventStore;
  close(): void;
}

export function sharedStateFor(
  config: Pick<ProxyConfig, 'name' | 'namespace' | 'sessionStorage' | 'limits'>,
  log: Logger,
): SharedState | undefined {
  const storage = config.sessionStorage;
  if (!storage) return undefined;
  const redis = connectRedis(storage, log);
  const space = keyspace(storage, config);
  const ttlMs = config.limits.idleSessionMs;
  log.info(
    { redis: storage.address, db: storage.db, keyspace: space },
    'Sessions are shared with the other proxy replicas through Redis',
  );
  return {
    redis,
    directory: new RedisSessionDirectory(redis, space, ttlMs),
    picker: new RedisPodPicker(redis, space, ttlMs),
    events: new RedisEventStore(redis, space),
    close: () => redis.disconnect(),
  };
}
