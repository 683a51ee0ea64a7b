// Which token buckets one tools/call draws from, and their Redis keys: ToolHive's rate-limit model
// (pkg/ratelimit/limiter.go) as pure functions. spec.rateLimiting has server-wide buckets (`shared`,
// and `perUser`, one per caller subject) and per-tool ones (`tools[].shared`, `tools[].perUser`); a
// call must find a token in every bucket that applies, and takes one from each only when all have one
// (the Lua script in token-bucket.ts). Keys follow ToolHive's suffixes after the server's keyspace
// (proxy/shared-state/redis.ts): `rl:shared`, `rl:shared:tool:<tool>`, `rl:user:<subject>`,
// `rl:user-tool:<tool>:<subject>`; tool names are URI-encoded there so a `:` in one cannot make two
// keys meet. Each key expires 2x refillPeriod after its last use (a full bucket needs no key).
import { parseGoDuration } from '../../lib/go-duration.ts';
import type { RunConfigRateBucket, RunConfigRateLimiting } from '../config.ts';

export type Scope = 'shared' | 'perUser';

/** One bucket's parameters, as the script needs them. */
export interface BucketSpec {
  maxTokens: number;
  /** Tokens per second: maxTokens / refillPeriod. */
  refillRate: number;
  /** ceil(2 x refillPeriod) in seconds: the key's TTL after each use. */
  expireSeconds: number;
}

/** A bucket one call draws from: its key, parameters, and what the metric says when it refuses. */
export interface Bucket extends BucketSpec {
  key: string;
  scope: Scope;
  /** The configured tool name for a per-tool bucket, '' for a server-wide one. */
  tool: string;
}

/** spec.rateLimiting checked and compiled. */
export interface RatePlan {
  shared?: BucketSpec;
  perUser?: BucketSpec;
  tools: ReadonlyMap<string, { shared?: BucketSpec; perUser?: BucketSpec }>;
}

/** The plan, or throws naming the field that is wrong (the proxy does not start with a limit it cannot apply). */
export function compilePlan(config: RunConfigRateLimiting): RatePlan {
  const tools = new Map<string, { shared?: BucketSpec; perUser?: BucketSpec }>();
  (config.tools ?? []).forEach((tool, i) => {
    if (typeof tool.name !== 'string' || tool.name === '')
      throw new Error(`rateLimiting.tools[${i}].name must be a non-empty string`);
    if (tools.has(tool.name)) throw new Error(`rateLimiting.tools[${i}]: tool ${tool.name} is listed twice`);
    tools.set(tool.name, {
      ...specOf(tool.shared, `rateLimiting.tools[${i}].shared`, 'shared'),
      ...specOf(tool.perUser, `rateLimiting.tools[${i}].perUser`, 'perUser'),
    });
  });
  return {
    ...specOf(config.shared, 'rateLimiting.shared', 'shared'),
    ...specOf(config.perUser, 'rateLimiting.perUser', 'perUser'),
    tools,
  };
}

function specOf(
  bucket: RunConfigRateBucket | undefined,
  field: string,
  as: Scope,
): Partial<Record<Scope, BucketSpec>> {
  if (bucket === undefined) return {};
  if (!Number.isInteger(bucket.maxTokens) || bucket.maxTokens < 1)
    throw new Error(`${field}.maxTokens must be an integer >= 1, got ${String(bucket.maxTokens)}`);
  // Go's grammar, the one admission checks (lib/go-duration.ts), in nanoseconds.
  const nanos = typeof bucket.refillPeriod === 'string' ? parseGoDuration(bucket.refillPeriod) : undefined;
  if (nanos === undefined || !(nanos > 0))
    throw new Error(
      `${field}.refillPeriod must be a positive Go duration ("1m0s", "30s"), got ${String(bucket.refillPeriod)}`,
    );
  const seconds = nanos / 1e9;
  return {
    [as]: {
      maxTokens: bucket.maxTokens,
      refillRate: bucket.maxTokens / seconds,
      expireSeconds: Math.ceil(2 * seconds),
    },
  };
}

/**
 * The buckets a tools/call of `tool` by `subject` draws from, in ToolHive's order (server shared, tool
 * shared, server per-user, tool per-user). subject undefined (no authentication): no per-user bucket.
 */
export function bucketsFor(
  plan: RatePlan,
  prefix: string,
  tool: string | undefined,
  subject: string | undefined,
): Bucket[] {
  const buckets: Bucket[] = [];
  const perTool = tool === undefined ? undefined : plan.tools.get(tool);
  const encoded = tool === undefined ? '' : encodeURIComponent(tool);
  if (plan.shared) buckets.push({ ...plan.shared, key: `${prefix}rl:shared`, scope: 'shared', tool: '' });
  if (perTool?.shared)
    buckets.push({
      ...perTool.shared,
      key: `${prefix}rl:shared:tool:${encoded}`,
      scope: 'shared',
      tool: tool!,
    });
  if (subject === undefined) return buckets;
  if (plan.perUser)
    buckets.push({ ...plan.perUser, key: `${prefix}rl:user:${subject}`, scope: 'perUser', tool: '' });
  if (perTool?.perUser)
    buckets.push({
      ...perTool.perUser,
      key: `${prefix}rl:user-tool:${encoded}:${subject}`,
      scope: 'perUser',
      tool: tool!,
    });
  return buckets;
}

/**
 * ToolHive's Retry-After for a refusing bucket: the time one token takes to come back (1 / refillRate),
 * rounded up to whole seconds, at least 1. Not the exact wait for this bucket's state, but what the
 * client may safely wait before trying again.
 */
export function retryAfterSeconds(bucket: BucketSpec): number {
  // As Go computes it: whole nanoseconds first (time.Duration truncates), then seconds rounded up.
  const nanos = Math.trunc(1e9 / bucket.refillRate);
  return Math.max(1, Math.ceil(nanos / 1e9));
}
