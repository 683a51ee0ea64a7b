// The sse and streamable-http backends: an MCP server that already speaks HTTP, in the server's
// Service (`mcp-<name>:<mcpPort>`) or at --target-url. Each client session gets an upstream session
// of its own through the MCP SDK's client transports, so nothing is multiplexed and ids pass through
// unchanged; the upstream's Mcp-Session-Id stays between the proxy and the upstream (clients see the
// proxy's). MCP-Protocol-Version is passed on once the session's initialize response names it, and the
// headers of sessionless revisions (Mcp-Method, Mcp-Name) are sent as they came.
// Health: the upstream answers (any HTTP status) an OPTIONS request within the ping interval; OPTIONS
// because a GET on an SSE endpoint would open a session there.
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport as SdkTransport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
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

  constructor(options: HttpBackendOptions, log: Logger) {
    this.options = options;
    this.log = log;
  }

  async start(): Promise<void> {
    await this.probe();
    this.prober = setInterval(() => void this.probe(), this.options.limits.pingIntervalMs);
    this.prober.unref();
  }

  openSession(_id: string, sink: SessionSink, options: SessionOptions = {}): BackendSession {
    const url = new URL(this.options.url);
    const requestInit = options.passHeaders ? { headers: options.passHeaders } : undefined;
    const transport: SdkTransport =
      this.options.transport === 'sse'
        ? new SSEClientTransport(url, { requestInit })
        : new StreamableHTTPClientTransport(url, { requestInit });
    return new UpstreamSession(transport, sink, this.options.limits.maxQueuedMessages, this.log);
  }

  healthy(): boolean {
    return this.answering;
  }

  restarts(): number {
    return 0;
  }

  close(): Promise<void> {
    clearInterval(this.prober);
    return Promise.resolve();
  }

  private async probe(): Promise<void> {
    try {
      await fetch(this.options.url, {
        method: 'OPTIONS',
        signal: AbortSignal.timeout(this.options.limits.pingIntervalMs),
      });
      this.answering = true;
    } catch (err) {
      if (this.answering) this.log.warn({ err, url: this.options.url }, 'MCP server stopped answering');
      this.answering = false;
    }
  }
}

/** One client session's upstream session; messages wait, bounded, until the transport has started. */
class UpstreamSession implements BackendSession {
  private readonly transport: SdkTransport;
  private readonly sink: SessionSink;
  private readonly maxPending: number;
  private readonly log: Logger;
  private readonly started: Promise<void>;
  private pending = 0;
  private initializeId: RequestId | undefined;
  private closed = false;

  constructor(transport: SdkTransport, sink: SessionSink, maxPending: number, log: Logger) {
    this.transport = transport;
    this.sink = sink;
    this.maxPending = maxPending;
    this.log = log;
    transport.onmessage = (message) => this.received(message);
    transport.onerror = (err) => log.debug({ err }, 'Upstream MCP session reported an error');
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
      .then(() => this.transport.send(message as JSONRPCMessage))
      .catch((err: unknown) => this.failed(message, err))
      .finally(() => (this.pending -= 1));
    return 'accepted';
  }

  close(): void {
    this.closed = true;
    const transport = this.transport;
    const terminate =
      transport instanceof StreamableHTTPClientTransport ? transport.terminateSession() : Promise.resolve();
    void terminate.catch(() => undefined).finally(() => void transport.close());
  }

  private received(raw: unknown): void {
    const message = asMessage(raw);
    if (!message) return;
    if (isResponse(message) && message.id === this.initializeId && 'result' in message) {
      const version = message.result.protocolVersion;
      if (typeof version === 'string' && this.transport.setProtocolVersion)
        this.transport.setProtocolVersion(version);
    }
    this.sink.deliver(message);
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
