// Assembles a proxy from its configuration: the backend its target calls for, both fronts, metrics,
// the HTTP server. The CLI and the tests start proxies only through here.
import type { Writable } from 'node:stream';
import type { Logger } from '../lib/log.ts';
import type { Backend } from './backends/backend.ts';
import { ChildProcessStream } from './backends/child-process.ts';
import { MultiplexedBackend } from './backends/multiplexed.ts';
import type { ServerStream } from './backends/stream.ts';
import type { PodTarget, ProxyConfig } from './config.ts';
import type { FrontDeps } from './fronts/front.ts';
import { SseFront } from './fronts/sse.ts';
import { StreamableHttpFront } from './fronts/streamable-http.ts';
import type { Authentication } from './auth/authentication.ts';
import { withTelemetry } from './telemetry/wiring.ts';
import { createOutgoingCredentials, type OutgoingCredentials } from './outgoing-auth/outgoing-auth.ts';
import { keepingSubjectTokens } from './outgoing-auth/subject-token.ts';
import { withToolControl, type ToolControl } from './tools/wiring.ts';
import { createProxyMetrics, type ProxyMetrics } from './metrics.ts';
import { MemoryEventStore } from './streams/memory-event-store.ts';
import type { PodPicker } from './shared-state/pod-picker.ts';
import type { SharedState } from './shared-state/wiring.ts';
import { serverTimeouts } from './edge-config.ts';
import { startProxy, type RunningProxy } from './server.ts';

/** The reconnection delay a stream's priming event asks clients for. */
const RECONNECT_DELAY_MS = 1000;

export interface ProxyIO {
  log: Logger;
  /** The stream to a stdio server in a pod; only needed for attach and exec targets (backends/pod-io.ts). */
  attachStream?: (target: PodTarget) => ServerStream;
  /** Process metrics (CPU, memory, event loop) in /metrics; off in tests that start many proxies. */
  processMetrics?: boolean;
  /** Tests only: a shorter wait before an unknown kid refetches the issuer's keys (30 s otherwise). */
  jwksCooldownMs?: number;
  /** Where audit lines go (config.audit); stdout when absent. Tests and the bench pass their own. */
  auditOut?: Writable;
  /** Where outgoingAuth's secrets are read from; process.env when absent. */
  env?: NodeJS.ProcessEnv;
  /** Tests: telemetry's metrics are exported this often (15 s otherwise). */
  telemetryExportIntervalMs?: number;
}

/** The backend for the target; the SDK's HTTP client (about 30 MiB) is loaded only for HTTP servers. */
export async function backendFor(
  config: ProxyConfig,
  io: ProxyIO,
  picker?: PodPicker,
  credentials?: OutgoingCredentials,
): Promise<Backend> {
  const { target, limits } = config;
  if (target.kind === 'http') {
    const { HttpBackend } = await import('./backends/http.ts');
    const { url, podUrls } = target;
    const options = { url, podUrls, transport: config.transport, limits, picker, credentials };
    return new HttpBackend(options, io.log);
  }
  const stream =
    target.kind === 'command' ? new ChildProcessStream(target.command, io.log) : attachStreamFor(target, io);
  return new MultiplexedBackend(stream, limits, io.log);
}

function attachStreamFor(target: PodTarget, io: ProxyIO): ServerStream {
  if (!io.attachStream) throw new Error(`an ${target.kind} target needs a Kubernetes client`);
  return io.attachStream(target);
}

export interface StartedProxy extends RunningProxy {
  backend: Backend;
  /** Applies a changed run-config `tools` section without a restart (config-watch.ts). */
  applyTools: ToolControl['apply'];
}

// What a run config does not ask for is not loaded: Redis (ioredis), bearer tokens (jose), Cedar (its
// WebAssembly module, yaml) and traffic webhooks (fast-json-patch) are imported only with their sections,
// so a plain proxy holds none of them (bench/toolhive-proxy.ts: idle RSS). Each wiring function still
// decides on its own section, as before.
export async function runProxy(config: ProxyConfig, io: ProxyIO): Promise<StartedProxy> {
  const shared = config.sessionStorage
    ? (await import('./shared-state/wiring.ts')).sharedStateFor(config, io.log)
    : undefined;
  try {
    return await assemble(config, io, shared);
  } catch (err) {
    // A configuration refused after the Redis connection opened must not leave it open.
    shared?.close();
    throw err;
  }
}

/**
 * The server's backend inside rate limits, authorization and traffic webhooks, each only when the run
 * config has its section (and only then loaded). `authorized` is the backend tests reach the multiplexer
 * through; `hooked` the outermost of the three.
 */
async function guarded(
  server: Backend,
  config: ProxyConfig,
  io: ProxyIO,
  metrics: ProxyMetrics,
  shared: SharedState | undefined,
): Promise<{ authorized: Backend; hooked: Backend }> {
  // Rate limits inside authorization: a denied call takes no token, a limited one is audited.
  const limited = config.rateLimiting
    ? (await import('./ratelimit/wiring.ts')).withRateLimits(server, config, {
        log: io.log,
        metrics,
        redis: shared?.redis,
      })
    : server;
  const authorized =
    config.authz || config.audit
      ? (await import('./authz/wiring.ts')).withAuthorization(limited, config, io)
      : limited;
  // Webhooks between authorization and tool control, as ToolHive orders them: Cedar decides on the
  // mutated request, and the webhooks see the server's tool names.
  const hooked = config.webhooks
    ? (await import('./traffic-webhooks/wiring.ts')).withTrafficWebhooks(authorized, config, {
        log: io.log,
        metrics,
        // HMAC keys come from the same environment as outgoingAuth's and telemetry's secrets.
        ...(io.env ? { env: io.env } : {}),
      })
    : authorized;
  return { authorized, hooked };
}

async function assemble(
  config: ProxyConfig,
  io: ProxyIO,
  shared: SharedState | undefined,
): Promise<StartedProxy> {
  // Secrets from the environment (outgoing-auth/): a variable that is not set stops the start.
  const credentials = config.outgoingAuth
    ? createOutgoingCredentials(config.outgoingAuth, {
        env: io.env ?? process.env,
        log: io.log,
        counted: (outcome) => metrics.tokenExchange(outcome),
      })
    : undefined;
  const server = await backendFor(config, io, shared?.picker, credentials);
  const metrics = createProxyMetrics(server, { processMetrics: io.processMetrics ?? true });
  const { authorized, hooked } = await guarded(server, config, io, metrics, shared);
  // Tool filtering and renaming outside authorization, as ToolHive orders them: policies, rate limits,
  // webhooks and the server see the server's own tool names.
  const tools = withToolControl(hooked, config.tools, io.log);
  // Telemetry outermost: a request any wrapper answers is traced too, under the name the client used.
  const backend = await withTelemetry(tools.backend, config, {
    log: io.log,
    env: io.env,
    exportIntervalMs: io.telemetryExportIntervalMs,
  });
  const deps: FrontDeps = {
    backend,
    allowed: config.allowed,
    limits: config.limits,
    metrics,
    log: io.log,
    events: shared?.events ?? new MemoryEventStore(),
    retryMs: RECONNECT_DELAY_MS,
    ...(shared ? { directory: shared.directory } : {}),
    ...(config.edge ? { edge: config.edge } : {}),
  };
  const authentication = config.auth ? await authenticationFor(config, io, metrics) : undefined;
  if (authentication)
    deps.authenticate =
      config.outgoingAuth?.type === 'tokenExchange'
        ? keepingSubjectTokens(authentication.authenticate)
        : authentication.authenticate;
  const fronts = [new StreamableHttpFront(deps), new SseFront(deps)];
  const sweepIntervalMs = Math.min(60_000, config.limits.idleSessionMs);
  const wellKnown = authentication?.serveMetadata;
  const running = await startProxy(
    {
      backend,
      fronts,
      metrics,
      log: io.log,
      sweepIntervalMs,
      wellKnown,
      timeouts: serverTimeouts(config.edge),
    },
    { host: config.host, port: config.port },
  ).catch((err: unknown) => {
    authentication?.close();
    throw err;
  });
  const close = async () => {
    await running.close();
    authentication?.close();
    credentials?.close();
    shared?.close();
  };
  // `backend` stays what it was before tool control existed (the server's, with authz and rate limits
  // when configured): tests reach the multiplexer through it.
  return { ...running, backend: authorized, close, applyTools: tools.apply };
}

/** Bearer-token authentication (proxy/auth/); throws when its files cannot be read. */
async function authenticationFor(
  config: ProxyConfig,
  io: ProxyIO,
  metrics: ProxyMetrics,
): Promise<Authentication> {
  const auth = config.auth!;
  const { createAuthentication } = await import('./auth/authentication.ts');
  const authentication = createAuthentication(auth, {
    log: io.log,
    refused: (reason) => metrics.authFailed(reason),
    resourceName: config.name,
    verifier: { jwksCooldownMs: io.jwksCooldownMs },
    edge: config.edge,
  });
  io.log.info(
    { issuer: auth.issuer, audiences: auth.audiences, resourceUrl: auth.resourceUrl },
    'Bearer tokens are required on the MCP endpoints',
  );
  return authentication;
}
