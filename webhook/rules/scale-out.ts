// Scaling an MCPServer out: spec.replicas (proxy pods), spec.backendReplicas (MCP server pods),
// spec.sessionStorage (the Redis the proxy replicas share) and spec.rateLimiting (token buckets counted in
// that Redis). Names and meaning are ToolHive's (cmd/thv-operator/api/v1beta1/mcpserver_types.go,
// pkg/ratelimit/types); its CEL rules are checked here with its messages. Where ToolHive only warns we
// refuse: more than one proxy replica without Redis would strand each client's session in one replica's
// memory, and ClientIP affinity does not hold behind a NAT or when a replica goes (README, differences).
// A stdio server is one process with one stdin, so it gets one proxy and one pod. Pure: the Secret the
// password names arrives in the facts (facts.ts referencedSecrets).
import { isPositiveGoDuration } from '../../lib/go-duration.ts';
import type { AdmissionFacts } from '../facts.ts';
import { duplicate, FieldPath, forbidden, invalid, notFound, required, type FieldError } from '../field.ts';
import { dict, dictsOf, int, isDict, specOf, str, type Dict } from './shape.ts';

const SPEC = FieldPath.of('spec');

export const STDIO_REPLICAS =
  'must be 0 or 1 for transport "stdio": the server is one process with one stdin, and its proxy must be its only reader';
export const STDIO_BACKEND_REPLICAS =
  'must be 0 or 1 for transport "stdio": one MCP server process per MCPServer, as a stdio server has one stdin';
export const REPLICAS_NEED_REDIS =
  'more than 1 needs spec.sessionStorage with provider "redis": each proxy replica keeps sessions in memory, and with Redis every replica can serve every session';
export const RATE_LIMITS_NEED_REDIS =
  'needs spec.sessionStorage with provider "redis": the buckets are counted in Redis, shared by every proxy replica';
export const PER_USER_NEEDS_AUTH =
  'needs authentication (spec.oidcConfigRef or spec.oidcConfig): without it there is no user to count by';
export const REFILL_PERIOD = 'must be a Go duration longer than zero, e.g. "1m0s", "30s", "1.5h", "500ms"';
export const ADDRESS_FORMAT = 'must be host:port (port 1-65535), [IPv6]:port, or host (port 6379)';

const isStdio = (spec: Dict): boolean => spec.transport === undefined || spec.transport === 'stdio';

/** ToolHive's meaning: sessionStorage with provider redis (memory, or none, is each replica's own). */
export const usesRedis = (spec: Dict): boolean => dict(spec.sessionStorage).provider === 'redis';

const isAuthenticated = (spec: Dict): boolean => isDict(spec.oidcConfigRef) || isDict(spec.oidcConfig);

function checkReplicas(spec: Dict, path: FieldPath): FieldError[] {
  const replicas = int(spec.replicas);
  const backend = int(spec.backendReplicas);
  const errors: FieldError[] = [];
  if (isStdio(spec)) {
    if (replicas !== undefined && replicas > 1)
      errors.push(invalid(path.child('replicas'), replicas, STDIO_REPLICAS));
    if (backend !== undefined && backend > 1)
      errors.push(invalid(path.child('backendReplicas'), backend, STDIO_BACKEND_REPLICAS));
  } else if (replicas !== undefined && replicas > 1 && !usesRedis(spec)) {
    errors.push(invalid(path.child('replicas'), replicas, REPLICAS_NEED_REDIS));
  }
  return errors;
}

const HOST = /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

/** Whether the proxy can read `address` as it does (proxy/shared-state/redis.ts parseAddress), unambiguously. */
export function isRedisAddress(address: string): boolean {
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?$/.exec(address);
  const [host, port] = bracketed
    ? [undefined, bracketed[2]]
    : address.includes(':')
      ? [address.slice(0, address.lastIndexOf(':')), address.slice(address.lastIndexOf(':') + 1)]
      : [address, undefined];
  // An unbracketed IPv6 address would be read as host and port, so its host keeps a colon: refused.
  if (host !== undefined && !HOST.test(host)) return false;
  if (port === undefined) return true;
  return /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535;
}

function checkPassword(storage: Dict, facts: AdmissionFacts, path: FieldPath): FieldError[] {
  const ref = dict(storage.passwordRef);
  const name = str(ref.name);
  const key = str(ref.key);
  if (facts.lookupsSkipped || !name || !facts.secretKeys.has(name)) return [];
  const keys = facts.secretKeys.get(name);
  if (keys === undefined)
    return [notFound(path.child('name'), name, "no Secret of that name in the MCPServer's namespace")];
  return key !== undefined && !keys.includes(key)
    ? [notFound(path.child('key'), key, `Secret ${JSON.stringify(name)} has no such key`)]
    : [];
}

function checkSessionStorage(spec: Dict, facts: AdmissionFacts, path: FieldPath): FieldError[] {
  if (!usesRedis(spec)) return [];
  const storage = dict(spec.sessionStorage);
  const storagePath = path.child('sessionStorage');
  const errors: FieldError[] = [];
  const address = storage.address;
  if (address === undefined || address === '')
    errors.push(required(storagePath.child('address'), 'address is required for provider "redis"'));
  else if (typeof address === 'string' && !isRedisAddress(address))
    errors.push(invalid(storagePath.child('address'), address, ADDRESS_FORMAT));
  errors.push(...checkPassword(storage, facts, storagePath.child('passwordRef')));
  return errors;
}

function checkBucket(bucket: unknown, path: FieldPath): FieldError[] {
  if (!isDict(bucket)) return [];
  // maxTokens >= 1 and both fields required: the schema's (schema-validation.ts), not repeated here.
  const period = str(bucket.refillPeriod);
  return period !== undefined && !isPositiveGoDuration(period)
    ? [invalid(path.child('refillPeriod'), period, REFILL_PERIOD)]
    : [];
}

function checkTools(limits: Dict, authenticated: boolean, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const [tool, i] of dictsOf(limits.tools)) {
    const toolPath = path.child('tools').index(i);
    const name = str(tool.name);
    if (name !== undefined && seen.has(name)) errors.push(duplicate(toolPath.child('name'), name));
    if (name !== undefined) seen.add(name);
    if (!isDict(tool.shared) && !isDict(tool.perUser))
      errors.push(required(toolPath, 'at least one of shared or perUser must be configured'));
    errors.push(...checkBucket(tool.shared, toolPath.child('shared')));
    errors.push(...checkBucket(tool.perUser, toolPath.child('perUser')));
    if (isDict(tool.perUser) && !authenticated)
      errors.push(forbidden(toolPath.child('perUser'), PER_USER_NEEDS_AUTH));
  }
  return errors;
}

function checkRateLimiting(spec: Dict, path: FieldPath): FieldError[] {
  if (!isDict(spec.rateLimiting)) return [];
  const limits = spec.rateLimiting;
  const limitsPath = path.child('rateLimiting');
  const authenticated = isAuthenticated(spec);
  const errors: FieldError[] = [];
  if (!usesRedis(spec)) errors.push(forbidden(limitsPath, RATE_LIMITS_NEED_REDIS));
  const tools = Array.isArray(limits.tools) ? limits.tools : [];
  if (!isDict(limits.shared) && !isDict(limits.perUser) && tools.length === 0)
    errors.push(required(limitsPath, 'at least one of shared, perUser, or tools must be configured'));
  errors.push(...checkBucket(limits.shared, limitsPath.child('shared')));
  errors.push(...checkBucket(limits.perUser, limitsPath.child('perUser')));
  if (isDict(limits.perUser) && !authenticated)
    errors.push(forbidden(limitsPath.child('perUser'), PER_USER_NEEDS_AUTH));
  errors.push(...checkTools(limits, authenticated, limitsPath));
  return errors;
}

/** Every scale-out problem of the server at once. */
export function checkScaleOut(server: unknown, facts: AdmissionFacts, path: FieldPath = SPEC): FieldError[] {
  const spec = specOf(server);
  return [
    ...checkReplicas(spec, path),
    ...checkSessionStorage(spec, facts, path),
    ...checkRateLimiting(spec, path),
  ];
}

/** The Secret the Redis password is in, when the server uses Redis (facts.ts reads its keys). */
export function sessionStorageSecrets(server: unknown): string[] {
  const spec = specOf(server);
  if (!usesRedis(spec)) return [];
  const name = str(dict(dict(spec.sessionStorage).passwordRef).name);
  return name ? [name] : [];
}
