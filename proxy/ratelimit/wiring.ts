// The proxy's backend with spec.rateLimiting around it when the run config has a rateLimiting section,
// else the backend itself. Called once by proxy.ts. Like ToolHive, rate limits need sessionStorage
// (provider redis): the buckets live there, shared by every replica of the server; without it, or with
// a bucket it cannot apply (maxTokens < 1, a refillPeriod that is not a positive Go duration), the
// proxy does not start, and the error names the field. Redis being unreachable at start is no error:
// calls go on unlimited until it answers (fail open).
import type { Logger } from '../../lib/log.ts';
import type { Backend } from '../backends/backend.ts';
import type { ProxyConfig } from '../config.ts';
import type { ProxyMetrics } from '../metrics.ts';
import { connectRedis, keyspace, type Redis } from '../shared-state/redis.ts';
import { RateLimitingBackend } from './limiting-backend.ts';
import { compilePlan } from './plan.ts';
import { TokenBuckets } from './token-bucket.ts';

/** A check Redis has not answered by then lets the call through: a stalled Redis must not stall tools. */
export const CHECK_TIMEOUT_MS = 1000;

export interface RateLimitDeps {
  /** The proxy's Redis connection; absent: one is opened here and closed with the backend. */
  redis?: Redis;
  log: Logger;
  metrics: Pick<ProxyMetrics, 'rateLimited' | 'rateLimitError'>;
  checkTimeoutMs?: number;
}

export function withRateLimits(
  backend: Backend,
  config: Pick<ProxyConfig, 'name' | 'namespace' | 'rateLimiting' | 'sessionStorage'>,
  deps: RateLimitDeps,
): Backend {
  const limits = config.rateLimiting;
  if (!limits) return backend;
  const storage = config.sessionStorage;
  if (!storage)
    throw new Error('rateLimiting needs sessionStorage with provider redis (the buckets are kept there)');
  const plan = compilePlan(limits);
  const redis = deps.redis ?? connectRedis(storage, deps.log);
  const owned = deps.redis === undefined;
  deps.log.info(
    {
      shared: plan.shared !== undefined,
      perUser: plan.perUser !== undefined,
      tools: [...plan.tools.keys()],
      redis: storage.address,
    },
    'Rate limits are on: tools/call over a limit is answered 429 Rate limit exceeded',
  );
  return new RateLimitingBackend(backend, {
    plan,
    prefix: keyspace(storage, config),
    buckets: new TokenBuckets(redis, deps.checkTimeoutMs ?? CHECK_TIMEOUT_MS),
    metrics: deps.metrics,
    log: deps.log,
    ...(owned ? { onClose: () => redis.disconnect() } : {}),
  });
}
