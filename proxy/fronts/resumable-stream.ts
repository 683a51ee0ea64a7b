// One resumable SSE stream of the /mcp front (MCP 2025-11-25, "Resumability and Redelivery"): a POST's
// answer or the session's GET stream. Every message is stored (streams/event-store.ts) before it is
// written, with an id `<stream>_<seq>`, so a client that lost the connection sends GET with
// Last-Event-ID and gets, on the new connection, what it missed and then the rest. The stream outlives
// its connections: with no connection attached, messages are only stored. Writes keep their order
// through one promise chain (the Redis store answers asynchronously).
import type { RpcMessage } from '../jsonrpc.ts';
import { eventId, newStreamId } from '../streams/event-id.ts';
import type { EventStore, StoredEvent, StreamInfo } from '../streams/event-store.ts';
import type { SseStream } from './sse-stream.ts';

export interface ResumableOptions {
  store: EventStore;
  /** The reconnection delay sent with the priming event. */
  retryMs: number;
  /** Called once the stream's last message was written or stored (the POST's response). */
  onFinished?: () => void;
  /** Called when storing failed (Redis away): the message is still written to the connection. */
  onStoreError?: (err: unknown) => void;
}

export class ResumableStream {
  readonly id: string;
  private readonly options: ResumableOptions;
  private out: SseStream | undefined;
  private chain: Promise<unknown>;
  private finishedFlag = false;

  /** A new stream (opened in the store), or, with id, one another connection or replica started. */
  constructor(info: StreamInfo, options: ResumableOptions, id?: string) {
    this.options = options;
    this.id = id ?? newStreamId();
    this.chain = id ? Promise.resolve() : options.store.open(this.id, info).catch(options.onStoreError);
  }

  get finished(): boolean {
    return this.finishedFlag;
  }

  /** True while a client connection is attached and open. */
  get attached(): boolean {
    return this.out !== undefined && !this.out.isClosed;
  }

  /** The first connection: the priming event (when the client's revision knows it), then what comes. */
  start(sse: SseStream, prime: boolean): void {
    this.attachOutput(sse);
    if (prime) sse.prime(eventId(this.id, 0), this.options.retryMs);
  }

  /**
   * A new connection resuming after seq: what the store holds after it, then the live messages. An
   * earlier connection still open is ended (one connection per stream). Resolves once replayed.
   */
  resume(sse: SseStream, afterSeq: number, replayed?: StoredEvent[]): Promise<void> {
    const done = this.enqueue(async () => {
      const events = replayed ?? (await this.options.store.replay(this.id, afterSeq))?.events ?? [];
      if (this.out && this.out !== sse) this.out.end();
      this.attachOutput(sse);
      for (const event of events) sse.send(event.message, eventId(this.id, event.seq));
      if (this.finishedFlag) sse.end();
    });
    return done.then(() => undefined);
  }

  /** Stores and writes one message; last marks the stream's final message (its response). */
  send(message: RpcMessage, upstreamId?: string, last = false): void {
    if (last) this.finishedFlag = true;
    void this.enqueue(async () => {
      let seq: number | undefined;
      try {
        seq = await this.options.store.append(this.id, message, upstreamId, last);
      } catch (err) {
        this.options.onStoreError?.(err);
      }
      const out = this.out;
      if (out && !out.isClosed) {
        out.send(message, seq ? eventId(this.id, seq) : undefined);
        if (last) out.end();
      }
      if (last) this.options.onFinished?.();
    });
  }

  /**
   * Ends the connection (not the stream: it can still be resumed), after what was sent before: an
   * error answer delivered just before its session ends still reaches the client.
   */
  end(): void {
    void this.enqueue(() => Promise.resolve(this.out?.end()));
  }

  private attachOutput(sse: SseStream): void {
    this.out = sse;
    sse.whenClosed(() => {
      if (this.out === sse) this.out = undefined;
    });
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
