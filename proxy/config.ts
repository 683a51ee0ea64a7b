// The proxy's configuration: the run-config file the controller writes (ConfigMap `<name>-runconfig`,
// key runconfig.json, read with `mcp-operator proxy --config FILE`) and the flags that override it.
// Pure: reading the file and the flags is the CLI's job (cli/commands/proxy.ts). proxy/README.md
// documents the format with examples.
import type { FrontLimits } from './fronts/front.ts';
import { serviceDnsNames } from '../lib/service-names.ts';
import { authProblem } from './auth/config-check.ts';
import { edgeProblem, type RunConfigEdge } from './edge-config.ts';
import { outgoingAuthProblem, type RunConfigOutgoingAuth } from './outgoing-auth/run-config.ts';
import { LOOPBACK_HOSTS, type AllowedNames } from './origin.ts';
import type { RunConfigWebhooks } from './traffic-webhooks/run-config.ts';
import { toolsProblem } from './tools/config-check.ts';
import type { RunConfigTools } from './tools/plan.ts';
import { telemetryProblem, type RunConfigTelemetry } from './telemetry/config.ts';

export type { RunConfigTools } from './tools/plan.ts';

export type Transport = 'stdio' | 'sse' | 'streamable-http';
export type ProxyMode = 'sse' | 'streamable-http';

/**
 * Where the MCP server is. `command` is local only: the server as a child process of the proxy.
 * `attach` reaches the container's PID 1; `exec` starts `command` in the container for each stream.
 */
export type ProxyTarget =
  | { kind: 'attach'; namespace: string; pod: string; container: string }
  | { kind: 'exec'; namespace: string; pod: string; container: string; command: string[] }
  | { kind: 'http'; url: string; podUrls?: string[] }
  | { kind: 'command'; command: string[] };

/**
 * The run-config file, version 1: the shape controller/desired/configmap.ts writes, plus optional
 * fields. The proxy serves both fronts whatever proxyMode says; proxyMode only names the one the
 * controller publishes in status.url.
 */
export interface RunConfigFile {
  version: 1;
  server: { name: string; namespace: string };
  transport: Transport;
  proxyMode?: ProxyMode;
  proxyPort: number;
  target: ProxyTarget;
  /** Extra Host names accepted on /mcp and /sse besides loopback and the proxy Service's DNS names. */
  allowedHosts?: string[];
  /** Extra whole origins accepted besides those whose host is allowed. */
  allowedOrigins?: string[];
  /** Address to bind; 0.0.0.0 when absent (in a pod, kubelet and the Service reach the pod IP). */
  host?: string;
  limits?: Partial<ProxyLimits>;
  /** Authentication: the proxy as an OAuth 2.1 resource server. Absent: every caller is anonymous. */
  auth?: RunConfigAuth;
  /** Authorization of each MCP request by Cedar policies. Absent: everything the caller sends is allowed. */
  authz?: RunConfigAuthz;
  /** One JSON line per MCP request on stdout. */
  audit?: { enabled: boolean };
  /** spec.sessionStorage with provider redis: the state every proxy replica shares. Absent: in memory. */
  sessionStorage?: RunConfigSessionStorage;
  /** spec.rateLimiting as ToolHive has it, counted in sessionStorage's Redis. */
  rateLimiting?: RunConfigRateLimiting;
  /** How the proxy authenticates to an HTTP MCP server (spec.externalAuthConfigRef): outgoing-auth/run-config.ts. */
  outgoingAuth?: RunConfigOutgoingAuth;
  /**
   * spec.toolConfigRef's MCPToolConfig spec (or spec.tools as toolsFilter): which tools clients see and
   * call, under which names. The only section a running proxy re-reads when the file changes.
   */
  tools?: RunConfigTools;
  /** spec.webhookConfigRef's MCPWebhookConfig: HTTP webhooks on every MCP request (proxy/traffic-webhooks/). */
  webhooks?: RunConfigWebhooks;
  /** OpenTelemetry traces and metrics over OTLP (spec.telemetryConfigRef or spec.telemetry): proxy/telemetry/. */
  telemetry?: RunConfigTelemetry;
  /** Behind an ingress (trustProxyHeaders, endpointPrefix) and the HTTP server's timeouts: edge-config.ts. */
  edge?: RunConfigEdge;
}

/**
 * Shared state in Redis (spec.sessionStorage, provider redis): client sessions (which backend pod and
 * upstream session serve them), the replay store of resumable streams, session counts per backend pod
 * and rate-limit buckets. Every key starts with keyPrefix then `<namespace>/<name>:`, so servers sharing
 * one Redis never read each other's keys.
 */
export interface RunConfigSessionStorage {
  provider: 'redis';
  /** host:port */
  address: string;
  db: number;
  /** spec.sessionStorage.keyPrefix; '' when unset. */
  keyPrefix: string;
  /** The environment variable holding the password (the controller sets it from passwordRef); absent: none. */
  passwordEnv?: string;
}

/** A token bucket: maxTokens at most, refilled from empty to full in refillPeriod (a Go duration, "1m0s"). */
export interface RunConfigRateBucket {
  maxTokens: number;
  refillPeriod: string;
}

/** ToolHive's RateLimitConfig: server-wide buckets and per-tool ones; only tools/call is counted. */
export interface RunConfigRateLimiting {
  shared?: RunConfigRateBucket;
  /** Per authenticated caller (its subject). */
  perUser?: RunConfigRateBucket;
  tools?: { name: string; shared?: RunConfigRateBucket; perUser?: RunConfigRateBucket }[];
}

/**
 * The verification of bearer tokens, resolved by the controller from spec.oidcConfigRef (with its
 * MCPOIDCConfig) or the legacy spec.oidcConfig. Files are mounted by the controller into the proxy pod;
 * the run config never holds a secret.
 */
export interface RunConfigAuth {
  issuer: string;
  /** Accepted `aud` values: the reference's audience (and the resource URL when it differs). */
  audiences: string[];
  /** RFC 9728 `resource`: the URL clients reach this proxy's MCP endpoint by. */
  resourceUrl: string;
  /** RFC 9728 `scopes_supported`. */
  scopesSupported: string[];
  /** Scopes every token must carry (403 insufficient_scope otherwise); empty: none required. */
  requiredScopes: string[];
  /** When absent, found by OpenID discovery at the issuer. */
  jwksUrl?: string;
  /** RFC 7662: opaque (non-JWT) tokens are introspected here. */
  introspectionUrl?: string;
  clientId?: string;
  /** File holding the client secret, for introspection (a mounted Secret key). */
  clientSecretFile?: string;
  /** PEM bundle trusted for the issuer's, JWKS and introspection TLS, besides the system's. */
  caBundleFile?: string;
  /** Bearer token sent with discovery, JWKS and introspection requests (the pod's own token, for the kube-apiserver). */
  authTokenFile?: string;
  /** Allows http:// issuer, JWKS and introspection URLs. */
  insecureAllowHTTP?: boolean;
  /** kubernetesServiceAccount: tokens are accepted only from ServiceAccounts of this namespace (and this one, when named). */
  kubernetes?: { namespace: string; serviceAccount?: string };
  /** JWS algorithms accepted; default the asymmetric ones (RS*, PS*, ES*, EdDSA), never `none` or HS*. */
  algorithms?: string[];
  /** Leeway for exp and nbf; default 60 s. */
  clockSkewSeconds?: number;
}

/** Cedar authorization, ToolHive's `cedarv1`, resolved by the controller from authzConfig or authzConfigRef. */
export interface RunConfigAuthz {
  type: 'cedarv1';
  policies: string[];
  /** Cedar entities as JSON text; `[]` when none. */
  entitiesJson: string;
  groupClaimName?: string;
  roleClaimName?: string;
  groupEntityType?: string;
}

export interface ProxyLimits extends FrontLimits {
  maxQueuedMessages: number;
  pingIntervalMs: number;
  recycleAfterMissedPings: number;
  initializeTimeoutMs: number;
}

export interface ProxyConfig {
  name: string;
  namespace?: string;
  transport: Transport;
  host: string;
  port: number;
  target: ProxyTarget;
  allowed: AllowedNames;
  limits: ProxyLimits;
  auth?: RunConfigAuth;
  authz?: RunConfigAuthz;
  audit?: boolean;
  sessionStorage?: RunConfigSessionStorage;
  rateLimiting?: RunConfigRateLimiting;
  tools?: RunConfigTools;
  outgoingAuth?: RunConfigOutgoingAuth;
  webhooks?: RunConfigWebhooks;
  telemetry?: RunConfigTelemetry;
  edge?: RunConfigEdge;
  /** Flag only: the kubeconfig an attach target is reached with (in a pod, the service account). */
  kubeconfig?: string;
}

export type AttachTarget = Extract<ProxyTarget, { kind: 'attach' }>;
/** A stdio server in a pod, reached through the API server (attach or exec). */
export type PodTarget = Extract<ProxyTarget, { kind: 'attach' | 'exec' }>;

export const DEFAULT_LIMITS: ProxyLimits = {
  // The MCP SDK's own body limit; larger payloads belong in resources, not single messages.
  maxMessageBytes: 4 * 1024 * 1024,
  maxSessions: 1000,
  idleSessionMs: 30 * 60_000,
  // Below the 60 s idle timeout of common load balancers and ingress controllers.
  keepAliveMs: 15_000,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxBacklogMessages: 100,
  maxQueuedMessages: 1024,
  pingIntervalMs: 10_000,
  recycleAfterMissedPings: 3,
  initializeTimeoutMs: 120_000,
};

const TRANSPORTS: readonly string[] = ['stdio', 'sse', 'streamable-http'];

/** The Service clients reach the proxy by, as the controller names it. */
export const proxyServiceName = (name: string): string => `mcp-${name}-proxy`;

/** Each part of the file's shape, in the order a problem is reported; undefined when it is right. */
const FILE_CHECKS: readonly ((file: Partial<RunConfigFile>) => string | undefined)[] = [
  (f) => (f.version === 1 ? undefined : `run config version ${String(f.version)} is not supported (want 1)`),
  (f) => (typeof f.server?.name === 'string' ? undefined : 'server.name is required'),
  (f) =>
    TRANSPORTS.includes(String(f.transport))
      ? undefined
      : `transport must be one of ${TRANSPORTS.join(', ')}`,
  (f) => (isPort(f.proxyPort) ? undefined : 'proxyPort must be a port number'),
  (f) => (f.auth === undefined ? undefined : authProblem(f.auth)),
  outgoingProblem,
  (f) => (f.tools === undefined ? undefined : toolsProblem(f.tools)),
  (f) => (f.telemetry === undefined ? undefined : telemetryProblem(f.telemetry)),
  (f) => (f.edge === undefined ? undefined : edgeProblem(f.edge)),
  (f) => targetProblem(f.target),
];

/** The file's problems, or the file typed. Only the shape is checked; targets are tried at start. */
export function checkRunConfigFile(value: unknown): RunConfigFile | { problem: string } {
  if (typeof value !== 'object' || value === null) return { problem: 'run config is not a JSON object' };
  const file = value as Partial<RunConfigFile>;
  for (const check of FILE_CHECKS) {
    const problem = check(file);
    if (problem) return { problem };
  }
  return file as RunConfigFile;
}

function outgoingProblem(file: Partial<RunConfigFile>): string | undefined {
  if (file.outgoingAuth === undefined) return undefined;
  if (file.transport === 'stdio') return 'outgoingAuth applies to HTTP servers only, not stdio';
  return outgoingAuthProblem(file.outgoingAuth, file.auth !== undefined);
}

const TARGET_SHAPES =
  'target must be {kind: http, url}, {kind: attach, namespace, pod, container}, ' +
  '{kind: exec, namespace, pod, container, command} or {kind: command, command}';

function targetProblem(target: unknown): string | undefined {
  const t = (target ?? {}) as Partial<Record<string, unknown>>;
  const inPod = typeof t.pod === 'string' && typeof t.namespace === 'string';
  const hasCommand = Array.isArray(t.command) && t.command.length > 0;
  const fits: Record<string, boolean> = {
    http: typeof t.url === 'string',
    attach: inPod,
    exec: inPod && hasCommand,
    command: hasCommand,
  };
  return typeof t.kind === 'string' && fits[t.kind] ? undefined : TARGET_SHAPES;
}

export const isPort = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;

/** The allowed Host and Origin names: loopback, the proxy Service's names when known, and extras. */
export function allowedNames(
  name: string | undefined,
  namespace: string | undefined,
  hosts: string[],
  origins: string[],
): AllowedNames {
  const service = name && namespace ? serviceDnsNames(proxyServiceName(name), namespace) : [];
  return { hosts: [...LOOPBACK_HOSTS, ...service, ...hosts.map((h) => h.toLowerCase())], origins };
}

/** The configuration a run-config file describes. */
export function configFromFile(file: RunConfigFile): ProxyConfig {
  const { name, namespace } = file.server;
  return {
    name,
    namespace,
    transport: file.transport,
    host: file.host ?? '0.0.0.0',
    port: file.proxyPort,
    target: file.target,
    allowed: allowedNames(name, namespace, file.allowedHosts ?? [], file.allowedOrigins ?? []),
    limits: { ...DEFAULT_LIMITS, ...file.limits },
    auth: file.auth,
    authz: file.authz,
    audit: file.audit?.enabled === true,
    ...(file.sessionStorage ? { sessionStorage: file.sessionStorage } : {}),
    ...(file.rateLimiting ? { rateLimiting: file.rateLimiting } : {}),
    ...(file.outgoingAuth ? { outgoingAuth: file.outgoingAuth } : {}),
    ...(file.tools ? { tools: file.tools } : {}),
    ...(file.webhooks ? { webhooks: file.webhooks } : {}),
    ...(file.telemetry ? { telemetry: file.telemetry } : {}),
    ...(file.edge ? { edge: file.edge } : {}),
  };
}
