// The one Redis connection of a proxy with spec.sessionStorage (provider redis), through ioredis: what
// every replica of one MCPServer shares (shared-state/ sessions and counts, streams/ replay, ratelimit/
// buckets). Commands fail at once while Redis is away (no offline queue): callers decide what a failure
// means (a session lookup answers "not found", a rate limit lets the call through) instead of waiting.
// ioredis reconnects by itself, backing off up to 2 s; each state change is logged once.
import { Redis } from 'ioredis';
import type { Logger } from '../../lib/log.ts';
import type { RunConfigSessionStorage } from '../config.ts';

export type { Redis } from 'ioredis';

/** host:port, [v6]:port or host (6379). */
export function parseAddress(address: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (bracketed) return { host: bracketed[1]!, port: Number(bracketed[2] ?? 6379) };
  const colon = address.lastIndexOf(':');
  if (colon < 0) return { host: address, port: 6379 };
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

/** The prefix of every key of one MCPServer: spec.sessionStorage.keyPrefix, then `<namespace>/<name>:`. */
export function keyspace(
  storage: RunConfigSessionStorage,
  server: { name: string; namespace?: string },
): string {
  return `${storage.keyPrefix}${server.namespace ?? 'default'}/${server.name}:`;
}

export function connectRedis(
  storage: RunConfigSessionStorage,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Redis {
  const { host, port } = parseAddress(storage.address);
  const password = storage.passwordEnv ? env[storage.passwordEnv] : undefined;
  const redis = new Redis({
    host,
    port,
    db: storage.db,
    password: password || undefined,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times: number) => Math.min(times * 100, 2000),
  });
  let up = false;
  redis.on('ready', () => {
    up = true;
    log.info({ address: storage.address, db: storage.db }, 'Connected to Redis (session storage)');
  });
  redis.on('error', (err: Error) => {
    if (up) log.warn({ err, address: storage.address }, 'Lost Redis (session storage); reconnecting');
    else log.debug({ err, address: storage.address }, 'Redis (session storage) not reachable yet');
    up = false;
  });
  return redis;
}

/** Resolves once connected, or after timeoutMs (the proxy starts anyway and keeps retrying). */
export function whenReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', ready);
      resolve(false);
    }, timeoutMs);
    const ready = () => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', ready);
  });
}
