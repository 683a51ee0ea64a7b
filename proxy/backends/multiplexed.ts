// A Backend over one stdio server stream shared by every client session: frames bytes (framing.ts),
// routes messages (mux.ts), bounds the queue toward the server, and pings the server to know it answers.
// Backpressure: when the server's stdin is full, messages wait in a queue of at most maxQueuedMessages;
// past that, new client messages are refused ('busy') instead of growing memory. Responses to the
// server's own requests and cancellations are never refused, so the server is never left waiting.
import type { Logger } from '../../lib/log.ts';
import { LineDecoder, encodeLine } from '../framing.ts';
import { errorResponse, isRequest, CONNECTION_CLOSED, type RpcMessage } from '../jsonrpc.ts';
import { Mux, type MuxAction } from '../mux.ts';
import type { Backend, BackendSession, SendOutcome, SessionSink } from './backend.ts';
import type { ServerStream } from './stream.ts';

export interface MultiplexedOptions {
  maxMessageBytes: number;
  maxQueuedMessages: number;
  /** How often the server is pinged; a ping unanswered by the next one marks it unhealthy. */
  pingIntervalMs: number;
  /** Consecutive unanswered pings after which the stream is recycled (a dead attach, a hung process). */
  recycleAfterMissedPings: number;
  /**
   * How long a new stream may take to answer initialize before it is recycled. Longer than the ping
   * budget: a server started by `npx -y` may download itself first, and recycling it then would loop.
   */
  initializeTimeoutMs: number;
}

export class MultiplexedBackend implements Backend {
  private readonly stream: ServerStream;
  private readonly options: MultiplexedOptions;
  private readonly log: Logger;
  private readonly mux = new Mux();
  private readonly decoder: LineDecoder;
  private readonly sinks = new Map<string, SessionSink>();
  private queue: string[] = [];
  private writable = false;
  private open = false;
  private opens = 0;
  private missedPings = 0;
  private pingOutstanding = false;
  private answering = false;
  private pinger: NodeJS.Timeout | undefined;
  private openedAt = 0;

  constructor(stream: ServerStream, options: MultiplexedOptions, log: Logger) {
    this.stream = stream;
    this.options = options;
    this.log = log;
    this.decoder = new LineDecoder(options.maxMessageBytes);
  }

  start(): Promise<void> {
    this.stream.start({
      opened: () => this.opened(),
      data: (chunk) => this.received(chunk),
      closed: (reason) => this.closed(reason),
      drained: () => this.flush(),
    });
    this.pinger = setInterval(() => this.healthPing(), this.options.pingIntervalMs);
    this.pinger.unref();
    return Promise.resolve();
  }

  openSession(id: string, sink: SessionSink): BackendSession {
    this.sinks.set(id, sink);
    this.mux.openSession(id);
    return {
      send: (message) => this.sendFromSession(id, message),
      close: () => {
        this.sinks.delete(id);
        this.apply(this.mux.closeSession(id));
      },
    };
  }

  healthy(): boolean {
    return this.open && this.mux.ready && this.answering;
  }

  restarts(): number {
    return Math.max(0, this.opens - 1);
  }

  /** For tests and metrics: what the multiplexer holds, which must drain to zero when traffic stops. */
  held(): ReturnType<Mux['stats']> & { queued: number } {
    return { ...this.mux.stats(), queued: this.queue.length };
  }

  async close(): Promise<void> {
    clearInterval(this.pinger);
    await this.stream.close();
  }

  private sendFromSession(id: string, message: RpcMessage): SendOutcome {
    if (isRequest(message) && this.queue.length >= this.options.maxQueuedMessages) return 'busy';
    if (isRequest(message) && !this.open && message.method !== 'initialize') {
      this.sinks.get(id)?.deliver(errorResponse(message.id, CONNECTION_CLOSED, 'MCP server is not running'));
      return 'accepted';
    }
    this.apply(this.mux.fromSession(id, message));
    return 'accepted';
  }

  private opened(): void {
    this.open = true;
    this.writable = true;
    this.opens += 1;
    this.openedAt = Date.now();
    this.decoder.reset();
    this.apply(this.mux.backendStarted());
  }

  private closed(reason: string): void {
    this.open = false;
    this.answering = false;
    this.pingOutstanding = false;
    this.missedPings = 0;
    this.queue = [];
    this.apply(this.mux.backendStopped(reason));
  }

  private received(chunk: Buffer): void {
    for (const item of this.decoder.push(chunk)) {
      if (item.kind === 'message') this.apply(this.mux.fromServer(item.message));
      else if (item.kind === 'too-large')
        this.log.warn({ bytes: item.bytes }, 'Dropped oversized message from MCP server');
      else this.log.debug({ text: item.text }, 'Ignored non-JSON-RPC line from MCP server');
    }
  }

  private apply(actions: MuxAction[]): void {
    for (const action of actions) {
      if (action.to === 'server') this.write(encodeLine(action.message));
      else if (action.to === 'session')
        this.sinks.get(action.session)?.deliver(action.message, action.relatedRequestId);
      else this.proxyEvent(action.event, action.detail);
    }
  }

  private proxyEvent(event: 'ready' | 'pong' | 'initialize-failed', detail?: string): void {
    if (event === 'initialize-failed') this.log.error({ detail }, 'MCP server refused initialize');
    if (event === 'ready') this.log.info('Initialized MCP server');
    this.answering = event !== 'initialize-failed';
    if (event === 'pong') {
      this.pingOutstanding = false;
      this.missedPings = 0;
    }
  }

  private write(line: string): void {
    if (!this.open) return;
    if (!this.writable || this.queue.length > 0) {
      this.queue.push(line);
      return;
    }
    this.writable = this.stream.write(line);
  }

  private flush(): void {
    this.writable = true;
    while (this.writable && this.queue.length > 0) this.writable = this.stream.write(this.queue.shift()!);
  }

  private healthPing(): void {
    if (!this.open) return;
    if (!this.mux.ready) {
      if (Date.now() - this.openedAt > this.options.initializeTimeoutMs)
        this.stream.recycle('no answer to initialize');
      return;
    }
    if (this.pingOutstanding) {
      this.answering = false;
      this.missedPings += 1;
      if (this.missedPings >= this.options.recycleAfterMissedPings) {
        this.stream.recycle(`no answer to ${this.missedPings} health pings`);
        return;
      }
    }
    this.pingOutstanding = true;
    this.apply(this.mux.ping());
  }
}
