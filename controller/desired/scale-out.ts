// The scale-out pieces of an MCPServer's children (spec.backendReplicas, spec.sessionStorage,
// spec.rateLimiting; ToolHive's names and meaning): how many MCP server pods, the run config's
// sessionStorage and rateLimiting sections and the per-pod URLs the proxy spreads sessions over, the
// Redis password as the proxy's environment (from the user's Secret, never copied into the run config),
// a keyed checksum of that password so a rotation rolls the proxy, and the proxy's egress to Redis.
// Admission has refused what cannot work (webhook/rules/scale-out.ts); these read defensively anyway,
// as the webhook may have been down. Pure.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { DEFAULT_REDIS_DB } from '../../schemas/defaults.ts';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { effectiveSpec, isStopped } from '../spec.ts';
import { headlessServiceName, namespaceOf, workloadName } from './names.ts';
import type { Dict, Finding, ServerFacts } from './types.ts';

/** The proxy's environment variable holding the Redis password (proxy/shared-state/redis.ts reads it). */
export const REDIS_PASSWORD_ENV = 'THV_SESSION_REDIS_PASSWORD';
export const SESSION_STORAGE_CHECKSUM_ANNOTATION = 'mcp-operator/session-storage-checksum';
/** Redis's own port, which the proxy dials when the address names none. */
export const DEFAULT_REDIS_PORT = 6379;

// The proxy's run-config types (proxy/config.ts RunConfigSessionStorage, RunConfigRateLimiting),
// declared again here: controller/ does not import proxy/.
export interface RunConfigSessionStorage {
  provider: 'redis';
  address: string;
  db: number;
  keyPrefix: string;
  passwordEnv?: string;
}
export interface RunConfigRateBucket {
  maxTokens: number;
  refillPeriod: string;
}
export interface RunConfigRateLimiting {
  shared?: RunConfigRateBucket;
  perUser?: RunConfigRateBucket;
  tools?: { name: string; shared?: RunConfigRateBucket; perUser?: RunConfigRateBucket }[];
}

/** The Secret key the Redis password is in, when the server uses Redis (facts.secrets holds its digests). */
export function redisPasswordRef(server: MCPServer): { name: string; key: string } | undefined {
  const storage = server.spec.sessionStorage;
  return storage?.provider === 'redis' && storage.passwordRef?.name ? storage.passwordRef : undefined;
}

/** The Redis the proxy replicas share, when the server names one (provider redis with an address). */
function redis(server: MCPServer) {
  const storage = server.spec.sessionStorage;
  return storage?.provider === 'redis' && storage.address
    ? { ...storage, address: storage.address }
    : undefined;
}

/**
 * MCP server pods: spec.backendReplicas for sse and streamable-http (1 when unset), always 1 for stdio (one
 * stdin; admission refuses more, this is the defence), 0 when the server is stopped (spec.replicas 0).
 */
export function backendReplicas(server: MCPServer): number {
  if (isStopped(server)) return 0;
  if (effectiveSpec(server).transport === 'stdio') return 1;
  const wanted = server.spec.backendReplicas;
  return Number.isInteger(wanted) && wanted! >= 0 ? wanted! : 1;
}

/**
 * One URL per MCP server pod, through the headless Service that governs the StatefulSet (its
 * serviceName), which gives each pod its own DNS name `<pod>.<service>.<namespace>.svc.<domain>`.
 * At least one, so a stopped server's proxy config still names where its pod will be.
 */
export function podUrls(server: MCPServer, clusterDomain: string, port: number, path: string): string[] {
  const service = headlessServiceName(server);
  const namespace = namespaceOf(server);
  const count = Math.max(backendReplicas(server), 1);
  return Array.from(
    { length: count },
    (_, i) =>
      `http://${workloadName(server)}-${i}.${service}.${namespace}.svc.${clusterDomain}:${port}${path}`,
  );
}

export function sessionStorageSection(server: MCPServer): RunConfigSessionStorage | undefined {
  const storage = redis(server);
  if (!storage) return undefined;
  return {
    provider: 'redis',
    address: storage.address,
    db: storage.db ?? DEFAULT_REDIS_DB,
    keyPrefix: storage.keyPrefix ?? '',
    ...(storage.passwordRef ? { passwordEnv: REDIS_PASSWORD_ENV } : {}),
  };
}

/** spec.rateLimiting as written; only with Redis, where its buckets are counted. */
export function rateLimitingSection(server: MCPServer): RunConfigRateLimiting | undefined {
  const limits = server.spec.rateLimiting;
  if (!limits || !redis(server)) return undefined;
  return structuredClone(limits);
}

/** The proxy container's Redis password variable, from the Secret key passwordRef names. */
export function redisPasswordEnv(server: MCPServer): Dict[] {
  const ref = redis(server)?.passwordRef;
  if (!ref) return [];
  return [{ name: REDIS_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } }];
}

/**
 * A checksum of the password's key digest (facts.secrets: HMAC under the operator's rollout key, never
 * the value; desired/secrets-hash.ts says why keyed), for the proxy's pod template: a variable from a
 * secretKeyRef is read at container start only, so a new password must roll the proxy. Undefined
 * without a passwordRef (no annotation at all).
 */
export function sessionStorageChecksum(server: MCPServer, facts: ServerFacts): string | undefined {
  const ref = redis(server)?.passwordRef;
  if (!ref) return undefined;
  const digests = facts.secrets.get(ref.name);
  // A missing Secret or key hashes differently from any value, so its creation rolls the proxy.
  const digest = digests === undefined ? '\u0000no-secret' : (digests[ref.key] ?? '\u0000no-key');
  return createHash('sha256')
    .update(JSON.stringify([ref.name, ref.key, digest]))
    .digest('hex');
}

/** host and port of a Redis address, read as the proxy reads it (host:port, [v6]:port, host). */
export function redisHostPort(address: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (bracketed) return { host: bracketed[1]!, port: Number(bracketed[2] ?? DEFAULT_REDIS_PORT) };
  const colon = address.lastIndexOf(':');
  if (colon < 0) return { host: address, port: DEFAULT_REDIS_PORT };
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

/**
 * The proxy's egress to Redis: TCP to its port, to that address alone when the address is an IP, and to
 * any destination when it is a name. A NetworkPolicy selects pods by label and addresses by CIDR, never
 * by name: the pods behind a Service name (in any namespace, or outside the cluster) cannot be selected
 * from an address, so only the port can be held. A name also needs cluster DNS (`needsDns`). Enforcers
 * judge the port (and address) after a Service's translation, so an address or port of a Service
 * (ClusterIP, a port other than its targetPort) does not match: name the Redis by its Service name with
 * the port its pods listen on, or by the address of the Redis itself.
 */
export function redisEgress(server: MCPServer): { rules: Dict[]; needsDns: boolean } {
  const storage = redis(server);
  if (!storage) return { rules: [], needsDns: false };
  const { host, port } = redisHostPort(storage.address);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { rules: [], needsDns: false };
  const ports = [{ protocol: 'TCP', port }];
  const family = isIP(host);
  if (family === 0) return { rules: [{ ports }], needsDns: true };
  const cidr = `${host}/${family === 4 ? 32 : 128}`;
  return { rules: [{ to: [{ ipBlock: { cidr } }], ports }], needsDns: false };
}

/** The condition of a server that uses a scale-out field, reported as ScaleOutApplied. */
export const SCALE_OUT_CONDITION = 'ScaleOutApplied';

/**
 * Whether the scale-out fields run as written; undefined when the server uses none (no condition).
 * Admission refuses every False case, but the server may predate the rules (an HTTP server with several
 * proxy replicas and no Redis was accepted before) or have skipped the webhook: then this says what the
 * controller did instead (ToolHive's StdioTransportCapAt1, SessionStorageMissingForReplicas and
 * PerUserRequiresAuth, as one condition). Informational: Ready does not depend on it.
 */
type Problem = [reason: string, message: string];

function replicaProblems(server: MCPServer, replicas: number): Problem[] {
  if (effectiveSpec(server).transport === 'stdio') {
    if (replicas <= 1 && (server.spec.backendReplicas ?? 1) <= 1) return [];
    const capped =
      'transport stdio runs one proxy and one MCP server pod (one process, one stdin): replicas capped at 1';
    return [['StdioTransportCapAt1', capped]];
  }
  if (replicas <= 1 || redis(server)) return [];
  const memory = `${replicas} proxy replicas keep sessions in memory, each its own: set spec.sessionStorage (provider redis) so every replica can serve every session`;
  return [['SessionStorageMissingForReplicas', memory]];
}

function storageProblems(server: MCPServer): Problem[] {
  const { sessionStorage, rateLimiting, oidcConfigRef, oidcConfig } = server.spec;
  const problems: Problem[] = [];
  const storage = redis(server);
  if (sessionStorage?.provider === 'redis' && !storage)
    problems.push([
      'SessionStorageNotValid',
      'provider redis without an address: session storage is not applied',
    ]);
  if (rateLimiting && !storage)
    problems.push([
      'RateLimitingNeedsRedis',
      'spec.rateLimiting is not applied: its buckets are counted in Redis (spec.sessionStorage, provider redis)',
    ]);
  const perUser = rateLimiting?.perUser || rateLimiting?.tools?.some((t) => t.perUser);
  if (perUser && !oidcConfigRef && !oidcConfig)
    problems.push([
      'PerUserRequiresAuth',
      'perUser rate limits need authentication (spec.oidcConfigRef or spec.oidcConfig): there is no user to count by',
    ]);
  return problems;
}

export function scaleOutFinding(server: MCPServer): Finding | undefined {
  const { spec } = server;
  const replicas = spec.replicas ?? 1;
  if (!(replicas > 1 || spec.backendReplicas !== undefined || spec.sessionStorage || spec.rateLimiting))
    return undefined;
  const problems = [...replicaProblems(server, replicas), ...storageProblems(server)];
  if (problems.length)
    return { status: 'False', reason: problems[0]![0], message: problems.map(([, m]) => m).join('; ') };
  const storage = redis(server);
  const parts = [
    `proxy replicas: ${spec.replicas ?? 'unset (left to an autoscaler)'}`,
    `MCP server pods: ${backendReplicas(server)}`,
    `session storage: ${storage ? `redis at ${storage.address}` : 'in memory'}`,
    ...(spec.rateLimiting ? ['rate limits counted in Redis'] : []),
  ];
  return { status: 'True', reason: 'Applied', message: parts.join('; ') };
}
