// One MCP handshake through a proxy, with the MCP TypeScript SDK's client: initialize, tools/list (every
// page), then the session is ended (DELETE) and the connection closed. The whole check has one deadline;
// whatever happens, it resolves to an Outcome and never throws, so the caller needs no try.
// Not here: where to dial (target.ts), when (schedule.ts), what status says about it (status-map.ts).
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { HandshakeOutcome } from './types.ts';

/** The identity the operator's client gives in initialize (the server's log names it). */
export const CLIENT_INFO = { name: 'mcp-operator-verify', version: '0.1.0' } as const;

/** More pages than any real server has: a server that never stops paging is cut off, not followed. */
const MAX_PAGES = 100;

export interface HandshakeOptions {
  /** The proxy's /mcp endpoint. */
  url: URL;
  /** The whole check, handshake to DELETE. */
  timeoutMs: number;
  /** How requests go out (through the API server's service proxy, say); default: the global fetch. */
  fetch?: FetchLike;
}

// The SDK's client is loaded with the first handshake, not at the operator's start: about 21 MiB
// resident (its transport, zod schemas) that an operator with no proxy to verify yet does not hold.
type Sdk = {
  Client: typeof Client;
  StreamableHTTPClientTransport: typeof StreamableHTTPClientTransport;
  StreamableHTTPError: typeof StreamableHTTPError;
};
let sdk: Sdk | undefined;
async function loadSdk(): Promise<Sdk> {
  if (sdk) return sdk;
  const [client, transport] = await Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
  ]);
  sdk = { Client: client.Client, ...transport };
  return sdk;
}

const httpCode = (err: unknown): number | undefined =>
  sdk && err instanceof sdk.StreamableHTTPError ? err.code : undefined;

/**
 * A proxy that wants a bearer token answers 401: the operator presents none, so the proxy never gets
 * as far as refusing one (403). A 401 carrying a Kubernetes Status is the API server's own refusal of
 * the operator's credentials (the api-server dial mode), not the proxy's; a 403 on the way (RBAC on
 * services/proxy, an egress filter) is a failure like any other.
 */
const needsAuthentication = (err: unknown): boolean => {
  const message = String((err as Error)?.message);
  const code = httpCode(err) ?? (/\bHTTP 401\b/.test(message) ? 401 : undefined);
  return code === 401 && !message.includes('"kind":"Status"');
};

function messageOf(err: unknown): string {
  const code = httpCode(err);
  const raw = err instanceof Error ? err.message : String(err);
  const text = code === undefined ? raw : `HTTP ${code}: ${raw}`;
  return text.length > 500 ? `${text.slice(0, 500)}...` : text;
}

/** tools/list, every page; the names in the order the proxy gave them. */
async function listToolNames(client: Client, deadline: number): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const timeout = Math.max(1, deadline - Date.now());
    const answer = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout });
    names.push(...answer.tools.map((t) => t.name));
    cursor = answer.nextCursor;
    if (!cursor) break;
  }
  return names;
}

async function converse(client: Client, transport: StreamableHTTPClientTransport, deadline: number) {
  await client.connect(transport, { timeout: Math.max(1, deadline - Date.now()) });
  const capabilities = client.getServerCapabilities() ?? {};
  const info = client.getServerVersion();
  const tools = capabilities.tools ? await listToolNames(client, deadline) : [];
  return {
    serverInfo: { name: info?.name ?? '', version: info?.version ?? '' },
    protocolVersion: transport.protocolVersion ?? '',
    capabilities: Object.keys(capabilities).sort(),
    tools,
  };
}

/** Ends the session (DELETE) and closes; a proxy that refuses the DELETE changes nothing found. */
async function hangUp(client: Client, transport: StreamableHTTPClientTransport): Promise<void> {
  if (transport.sessionId) await transport.terminateSession().catch(() => undefined);
  await client.close().catch(() => undefined);
}

export async function handshake(options: HandshakeOptions): Promise<HandshakeOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  let expiredNow = false;
  const { Client, StreamableHTTPClientTransport } = await loadSdk();
  const client = new Client(CLIENT_INFO, { capabilities: {} });
  const transport = new StreamableHTTPClientTransport(options.url, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    // One try: a proxy that drops the stream is a failed check, retried later by the schedule.
    reconnectionOptions: {
      maxRetries: 0,
      initialReconnectionDelay: 1000,
      maxReconnectionDelay: 1000,
      reconnectionDelayGrowFactor: 1,
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expiredNow = true;
      // Closing aborts the transport's requests in flight.
      void client.close().catch(() => undefined);
      reject(new Error(`no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
  });
  try {
    const found = await Promise.race([converse(client, transport, deadline), expired]);
    return { kind: 'verified', ...found };
  } catch (err) {
    if (needsAuthentication(err)) return { kind: 'authentication-required', message: messageOf(err) };
    // The SDK's own request timeout and ours say the same thing: one message for both.
    if (expiredNow || Date.now() >= deadline)
      return { kind: 'failed', message: `no answer within ${options.timeoutMs} ms` };
    return { kind: 'failed', message: messageOf(err) };
  } finally {
    clearTimeout(timer);
    if (!expiredNow) await hangUp(client, transport);
  }
}
