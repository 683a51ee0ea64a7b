// The sse and streamable-http backends: an MCP server that already speaks HTTP, in the server's
// Service (`mcp-<name>:<mcpPort>`) or at --target-url. Each client session gets an upstream session of
// its own (streamable-upstream.ts, or the SDK's SSE client), so nothing is multiplexed and ids pass
// through unchanged; the upstream's Mcp-Session-Id stays between the proxy and the upstream (clients see
// the proxy's). MCP-Protocol-Version is passed on once the session's initialize response names it, and the
// headers of sessionless revisions (Mcp-Method, Mcp-Name) are sent as they came.
// Health: the upstream answers (any HTTP status) an OPTIONS request within the ping interval; OPTIONS
// because a GET on an SSE endpoint would open a session there.
import type { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import type { Logger } from '../../lib/log.ts';
import type { Transport } from '../config.ts';
import {
  CONNECTION_CLOSED,
  asMessage,
  errorResponse,
  isRequest,
  isResponse,
  type RequestId,
  type RpcMessage,
} from '../jsonrpc.ts';
import type { Backend, BackendSession, SendOutcome, SessionOptions, SessionSink } from './backend.ts';
import { StreamableUpstream, keptAliveAgents, probe } from './streamable-upstream.ts';

/** How often a server that does not answer (yet) is probed again. */
const RETRY_MS = 500;

/**
 * What UpstreamSession needs of a client transport: StreamableUpstream, or the SDK's SSE one. Messages
 * are typed `never` here because the SDK's JSONRPCMessage and our RpcMessage are the same JSON typed apart.
 */
interface UpstreamTransport {
  onmessage?: (message: never, related?: RequestId) => void;
  onclose?: () => void;
  onerror?: (err: Error) => void;
  onstreamclosed?: (requestId: RequestId) => void;
  start(): Promise<void>;
  send(message: never): Promise<void>;
  close(): Promise<void>;
  setProtocolVersion?(version: string): void;
  terminateSession?(): Promise<void>;
}

export interface HttpBackendOptions {
  url: string;
  transport: Transport;
  limits: { maxQueuedMessages: number; pingIntervalMs: number };
}

export class HttpBackend implements Backend {
  private readonly options: HttpBackendOptions;
  private readonly log: Logger;
  private answering = false;
  private prober: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly agents = keptAliveAgents();
  /** The SDK's SSE client, loaded only for sse servers (the SDK costs about 30 MiB resident). */
  private sseTransport: typeof SSEClientTransport | undefined;

  constructor(options: HttpBackendOptions, log: Logger) {
    this.options = options;
    this.log = log;
  }

  async start(): Promise<void> {
    if (this.options.transport === 'sse')
      this.sseTransport = (await import('@modelcontextprotocol/sdk/client/sse.js')).SSEClientTransport;
    await this.probe();
    this.scheduleProbe();
  }

  /**
   * The next probe: after the ping interval while the server answers, but every RETRY_MS while it does
   * not, so that a server that starts after the proxy (the usual order in a pod rollout) is seen within
   * half a second instead of a whole interval, and the proxy turns Ready as soon as it can serve.
   */
  private scheduleProbe(): void {
    const delay = this.answering
      ? this.options.limits.pingIntervalMs
      : Math.min(RETRY_MS, this.options.limits.pingIntervalMs);
    this.prober = setTimeout(() => {
      void this.probe().then(() => {
        if (!this.closed) this.scheduleProbe();
      });
    }, delay);
    this.prober.unref();
  }

  openSession(_id: string, sink: SessionSink, options: SessionOptions = {}): BackendSession {
    const url = new URL(this.options.url);
    const requestInit = options.passHeaders ? { headers: options.passHeaders } : undefined;
    const transport: UpstreamTransport = this.sseTransport
      ? new this.sseTransport(url, { requestInit })
      : new StreamableUpstream(url, this.agents, options.passHeaders);
    return new UpstreamSession(transport, sink, this.options.limits.maxQueuedMessages, this.log);
  }

  healthy(): boolean {
    return this.answering;
  }

  restarts(): number {
    return 0;
  }

  close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.prober);
    this.agents.http.destroy();
    this.agents.https.destroy();
    return Promise.resolve();
  }

  private async probe(): Promise<void> {
    try {
      await probe(new URL(this.options.url), this.agents, this.options.limits.pingIntervalMs);
      this.answering = true;
    } catch (err) {
      if (this.answering) this.log.warn({ err, url: this.options.url }, 'MCP server stopped answering');
      this.answering = false;
    }
  }
}

/** One client session's upstream session; messages wait, bounded, until the transport has started. */
class UpstreamSession implements BackendSession {
  private readonly transport: UpstreamTransport;
  private readonly sink: SessionSink;
  private readonly maxPending: number;
  private readonly log: Logger;
  private readonly started: Promise<void>;
  private pending = 0;
  private initializeId: RequestId | undefined;
  private closed = false;

  constructor(transport: UpstreamTransport, sink: SessionSink, maxPending: number, log: Logger) {
    this.transport = transport;
    this.sink = sink;
    this.maxPending = maxPending;
    this.log = log;
    transport.onmessage = (message: unknown, related?: RequestId) => this.received(message, related);
    transport.onerror = (err) => log.debug({ err }, 'Upstream MCP session reported an error');
    transport.onstreamclosed = (requestId) => sink.streamClosed?.(requestId);
    transport.onclose = () => {
      if (!this.closed) sink.ended('upstream session closed');
    };
    this.started = transport.start();
    this.started.catch(() => undefined);
  }

  send(message: RpcMessage): SendOutcome {
    if (this.pending >= this.maxPending) return 'busy';
    if (isRequest(message) && message.method === 'initialize') this.initializeId = message.id;
    this.pending += 1;
    this.started
      .then(() => this.transport.send(message as never))
      .catch((err: unknown) => this.failed(message, err))
      .finally(() => (this.pending -= 1));
    return 'accepted';
  }

  close(): void {
    this.closed = true;
    const transport = this.transport;
    const terminate = transport.terminateSession?.() ?? Promise.resolve();
    void terminate.catch(() => undefined).finally(() => void transport.close());
  }

  private received(raw: unknown, related?: RequestId): void {
    const message = asMessage(raw);
    if (!message) return;
    if (isResponse(message) && message.id === this.initializeId && 'result' in message) {
      const version = message.result.protocolVersion;
      if (typeof version === 'string' && this.transport.setProtocolVersion)
        this.transport.setProtocolVersion(version);
    }
    this.sink.deliver(message, related);
  }

  private failed(message: RpcMessage, err: unknown): void {
    this.log.debug({ err }, 'Failed to pass a message to the upstream MCP server');
    if (isRequest(message)) {
      this.sink.deliver(
        errorResponse(message.id, CONNECTION_CLOSED, `MCP server unreachable: ${(err as Error).message}`),
      );
    }
  }
}
