// What the /mcp front keeps per client session: the backend session, the POSTs waiting for their
// responses, the GET stream for everything else, and a bounded backlog for when no stream is open.
// Which stream a message takes: a response, its request's POST; a message tied to a request (by the
// backend's relatedRequestId), that POST if it can carry it; otherwise the GET stream, else the only
// POST streaming at the moment, else the backlog. The spec forbids sending one message on two
// streams, so nothing is ever broadcast across a session's streams.
import type { RequestId, RpcMessage } from '../jsonrpc.ts';
import { idKey, isResponse } from '../jsonrpc.ts';
import type { BackendSession, SessionSink } from '../backends/backend.ts';
import { ANONYMOUS } from '../caller.ts';
import type { Entry } from '../sessions.ts';
import type { Exchange } from './exchange.ts';
import type { SseStream } from './sse-stream.ts';

export class StreamableSession implements Entry, SessionSink {
  backend: BackendSession | undefined;
  /** The key of the caller that opened the session (caller.ts); only that caller may use it. */
  ownerKey = ANONYMOUS.key;
  private readonly exchanges = new Map<string, Exchange>();
  private getStream: SseStream | undefined;
  private backlog: RpcMessage[] = [];
  private readonly maxBacklog: number;
  private readonly onEnded: (reason: string) => void;

  constructor(maxBacklog: number, onEnded: (reason: string) => void) {
    this.maxBacklog = maxBacklog;
    this.onEnded = onEnded;
  }

  /** Remembers a POST so the response to id finds it; the caller sends the request afterwards. */
  expect(id: RequestId, exchange: Exchange): void {
    this.exchanges.set(idKey(id), exchange);
  }

  /** Whether a POST of this session already waits for the response to id. */
  isExpecting(id: RequestId): boolean {
    return this.exchanges.has(idKey(id));
  }

  forget(id: RequestId): void {
    this.exchanges.delete(idKey(id));
  }

  get hasGetStream(): boolean {
    return this.getStream !== undefined && !this.getStream.isClosed;
  }

  /** Opens the session's one GET stream and hands it what waited in the backlog. */
  attachGetStream(stream: SseStream): void {
    this.getStream = stream;
    stream.whenClosed(() => {
      if (this.getStream === stream) this.getStream = undefined;
    });
    const waiting = this.backlog;
    this.backlog = [];
    for (const message of waiting) stream.send(message);
  }

  deliver(message: RpcMessage, relatedRequestId?: RequestId): void {
    if (isResponse(message)) {
      if (message.id === undefined || message.id === null) return;
      const key = idKey(message.id);
      this.exchanges.get(key)?.deliver(message);
      this.exchanges.delete(key);
      return;
    }
    const related = relatedRequestId === undefined ? undefined : this.exchanges.get(idKey(relatedRequestId));
    if (related?.deliver(message)) return;
    if (this.hasGetStream) return this.getStream!.send(message);
    const streaming = [...this.exchanges.values()].filter((e) => e.streaming);
    if (streaming.length === 1 && streaming[0]!.deliver(message)) return;
    this.backlog.push(message);
    if (this.backlog.length > this.maxBacklog) this.backlog.shift();
  }

  ended(reason: string): void {
    this.onEnded(reason);
  }

  busy(): boolean {
    if (this.hasGetStream) return true;
    for (const exchange of this.exchanges.values()) if (exchange.open) return true;
    return false;
  }

  close(): void {
    this.backend?.close();
    this.getStream?.end();
    this.exchanges.clear();
    this.backlog = [];
  }
}
