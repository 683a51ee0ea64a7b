// A real proxy with Cedar authorization and audit in front of the recording MCP server, assembled as
// proxy/proxy.ts assembles it, except that who sends a request comes from mockAuthenticate: it fakes
// identity (the X-Mock-Caller header's JSON {sub, claims}) where proxy/auth/ would verify a token, so
// these tests can be anyone. Like the token cache, it hands the same Caller for the same header, so
// decision caching works as it does behind real authentication.
import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CedarAuthzConfig } from '../../../../../lib/authz-config.ts';
import { silentLogger } from '../../../../../lib/log.ts';
import { withAuthorization } from '../../../../../proxy/authz/wiring.ts';
import type { Caller } from '../../../../../proxy/caller.ts';
import { DEFAULT_LIMITS, allowedNames, type ProxyConfig } from '../../../../../proxy/config.ts';
import { MemoryEventStore } from '../../../../../proxy/streams/memory-event-store.ts';
import type { FrontDeps } from '../../../../../proxy/fronts/front.ts';
import { SseFront } from '../../../../../proxy/fronts/sse.ts';
import { StreamableHttpFront } from '../../../../../proxy/fronts/streamable-http.ts';
import { createProxyMetrics } from '../../../../../proxy/metrics.ts';
import { backendFor } from '../../../../../proxy/proxy.ts';
import { startProxy } from '../../../../../proxy/server.ts';

export const RECORDING_SERVER = fileURLToPath(new URL('./recording-server.ts', import.meta.url));

export interface AuthorizedProxy {
  url: string;
  audit: string[];
  close(): Promise<void>;
}

export interface MockIdentity {
  sub: string;
  claims?: Record<string, unknown>;
}

/** Fakes authentication: the caller named in X-Mock-Caller, one Caller object per distinct header. */
export function mockAuthenticate(): (req: IncomingMessage) => Promise<Caller | undefined> {
  const callers = new Map<string, Caller>();
  return (req) => {
    const header = String(req.headers['x-mock-caller'] ?? '{"sub":"nobody"}');
    let caller = callers.get(header);
    if (!caller) {
      const { sub, claims = {} } = JSON.parse(header) as MockIdentity;
      caller = { key: `mock|${sub}`, subject: sub, issuer: 'mock', claims: { sub, ...claims }, scopes: [] };
      callers.set(header, caller);
    }
    return Promise.resolve(caller);
  };
}

/** A loopback proxy's config in front of the recording stdio server, with `extra` over it. */
export function recordingProxyConfig(extra: Partial<ProxyConfig> & { name: string }): ProxyConfig {
  return {
    transport: 'stdio',
    host: '127.0.0.1',
    port: 0,
    target: { kind: 'command', command: [process.execPath, RECORDING_SERVER] },
    allowed: allowedNames(undefined, undefined, [], []),
    limits: { ...DEFAULT_LIMITS, pingIntervalMs: 500 },
    ...extra,
  };
}

export async function startAuthorizedProxy(
  authz: CedarAuthzConfig | undefined,
  options: { audit?: boolean } = {},
): Promise<AuthorizedProxy> {
  const config = recordingProxyConfig({
    name: 'recording',
    namespace: 'team-a',
    ...(authz ? { authz } : {}),
    audit: options.audit ?? false,
  });
  const log = silentLogger();
  const audit: string[] = [];
  const auditOut = new Writable({
    write(chunk: Buffer, _encoding, done) {
      audit.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const backend = withAuthorization(await backendFor(config, { log }), config, { log, auditOut });
  const metrics = createProxyMetrics(backend, { processMetrics: false });
  const deps: FrontDeps = {
    backend,
    allowed: config.allowed,
    limits: config.limits,
    metrics,
    log,
    events: new MemoryEventStore(),
    retryMs: 1000,
  };
  deps.authenticate = mockAuthenticate();
  const fronts = [new StreamableHttpFront(deps), new SseFront(deps)];
  const running = await startProxy({ backend, fronts, metrics, log, sweepIntervalMs: 60_000 }, config);
  return { url: running.url, audit, close: () => running.close() };
}

/** Audit lines are written in batches at most 50 ms apart (proxy/authz/line-buffer.ts): wait this long. */
export const AUDIT_FLUSH_WAIT_MS = 150;

/** An SDK client through the proxy as the given identity. */
export async function clientAs(url: string, identity: MockIdentity): Promise<Client> {
  const client = new Client({ name: 'authz-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: { 'x-mock-caller': JSON.stringify(identity) } },
  });
  await client.connect(transport);
  return client;
}
