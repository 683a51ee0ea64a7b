// What the /mcp front keeps per client session: the backend session, the POSTs waiting for their
// responses, the GET stream for everything else, and a bounded backlog for when no stream is open.
// Which stream a message takes: a response, its request's POST; a message tied to a request (by the
// backend's relatedRequestId), that POST if it can carry it; otherwise the GET stream, else the only
// POST streaming at the moment, else the backlog. The spec forbids sending one message on two
// streams, so nothing is ever broadcast across a session's streams.
// Streams are resumable (resumable-stream.ts): the session knows its unfinished ones by id, so a GET
// with Last-Event-ID continues one on a new connection.
import type { RequestId, RpcMessage } from '../jsonrpc.ts';
import { idKey, isResponse } from '../jsonrpc.ts';
import type { BackendSession, SessionSink } from '../backends/backend.ts';
import { ANONYMOUS } from '../caller.ts';
import type { Entry } from '../sessions.ts';
import type { StreamContext } from './exchange.ts';
import { ResumableStream, type ResumableOptions } from './resumable-stream.ts';
import type { SseStream } from './sse-stream.ts';

/** Where a request's answer goes: an Exchange (a POST), or a resumed stream (resumed-answer.ts). */
export interface Answer {
  /** True when the message was taken; false when this answer cannot carry it. */
  deliver(message: RpcMessage, upstreamId?: string): boolean;
  readonly open: boolean;
  /** True while a client connection carries it as SSE. */
  readonly streaming: boolean;
  /** Ends the client's connection so it polls, when it can come back; true when ended. */
  poll?(): boolean;
  /** Turns the answer into a stream now, when the client accepts one. */
  stream?(): void;
}

export class StreamableSession implements Entry, SessionSink {
  readonly id: string;
  backend: BackendSession | undefined;
  /** The key of the caller that opened the session (caller.ts); only that caller may use it. */
  ownerKey = ANONYMOUS.key;
  /** The MCP revision the session's client asked for in its initialize. */
  protocolVersion: string | undefined;
  private readonly answers = new Map<string, Answer>();
  private readonly streams = new Map<string, ResumableStream>();
  private getStream: ResumableStream | undefined;
  private backlog: RpcMessage[] = [];
  private readonly maxBacklog: number;
  private readonly streamOptions: ResumableOptions;
  private readonly onEnded: (reason: string) => void;
  private readonly pollAfterMs: number;

  constructor(
    id: string,
    maxBacklog: number,
    streamOptions: ResumableOptions & { pollAfterMs?: number },
    onEnded: (reason: string) => void,
  ) {
    this.id = id;
    this.pollAfterMs = streamOptions.pollAfterMs ?? 0;
    this.maxBacklog = maxBacklog;
    this.streamOptions = streamOptions;
    this.onEnded = onEnded;
  }

  /** What an SSE answer to request id needs to be resumable. */
  streamContext(requestId: RequestId, prime: boolean, streamAtOnce = false): StreamContext {
    return {
      info: { sessionId: this.id, requestId },
      prime,
      streamAtOnce,
      pollAfterMs: this.pollAfterMs,
      options: { ...this.streamOptions, onFinished: () => this.dropFinished() },
      register: (stream) => this.streams.set(stream.id, stream),
    };
  }

  /** Remembers a POST so the response to id finds it; the caller sends the request afterwards. */
  expect(id: RequestId, answer: Answer): void {
    this.answers.set(idKey(id), answer);
  }

  /** Whether a POST of this session already waits for the response to id. */
  isExpecting(id: RequestId): boolean {
    return this.answers.has(idKey(id));
  }

  forget(id: RequestId): void {
    this.answers.delete(idKey(id));
  }

  /** A stream continued here that another connection or replica started. */
  adoptStream(stream: ResumableStream): void {
    this.streams.set(stream.id, stream);
  }

  /** An unfinished stream of this session, by id. */
  stream(id: string): ResumableStream | undefined {
    return this.streams.get(id);
  }

  get hasGetStream(): boolean {
    return this.getStream?.attached === true;
  }

  /** Opens the session's GET stream and hands it what waited in the backlog. */
  attachGetStream(sse: SseStream, prime: boolean): void {
    const stream = new ResumableStream({ sessionId: this.id }, this.streamOptions);
    this.streams.set(stream.id, stream);
    this.getStream = stream;
    stream.start(sse, prime);
    this.flushBacklog(stream);
  }

  /** A GET with Last-Event-ID of the session's GET stream: what it missed, then it is the GET stream again. */
  async resumeGetStream(stream: ResumableStream, sse: SseStream, afterSeq: number): Promise<void> {
    this.streams.set(stream.id, stream);
    await stream.resume(sse, afterSeq);
    this.getStream = stream;
    this.flushBacklog(stream);
  }

  /** Whether stream is (or was) this session's GET stream. */
  isGetStream(stream: ResumableStream): boolean {
    return this.getStream === stream;
  }

  deliver(message: RpcMessage, relatedRequestId?: RequestId, upstreamId?: string): void {
    if (isResponse(message)) {
      if (message.id === undefined || message.id === null) return;
      const key = idKey(message.id);
      this.answers.get(key)?.deliver(message, upstreamId);
      this.answers.delete(key);
      return;
    }
    const related = relatedRequestId === undefined ? undefined : this.answers.get(idKey(relatedRequestId));
    if (related?.deliver(message, upstreamId)) return;
    if (this.hasGetStream) return this.getStream!.send(message, upstreamId);
    const streaming = [...this.answers.values()].filter((a) => a.streaming);
    if (streaming.length === 1 && streaming[0]!.deliver(message)) return;
    this.backlog.push(message);
    if (this.backlog.length > this.maxBacklog) this.backlog.shift();
  }

  ended(reason: string): void {
    this.onEnded(reason);
  }

  /** The server streams its answer to request id: so does the proxy. */
  streamOpened(id: RequestId): void {
    this.answers.get(idKey(id))?.stream?.();
  }

  /** The server closed request id's stream to be polled: the client's connection is closed the same way. */
  streamClosed(id: RequestId): void {
    this.answers.get(idKey(id))?.poll?.();
  }

  busy(): boolean {
    if (this.hasGetStream) return true;
    for (const answer of this.answers.values()) if (answer.open) return true;
    return false;
  }

  /**
   * Shared sessions (spec.sessionStorage) outlive this replica's hold on them: when it lets go
   * (idle here, shutting down) the upstream session stays for the other replicas.
   */
  shared = false;

  close(reason?: string): void {
    const keep = this.shared && reason !== 'session ended' && reason !== 'upstream session closed';
    if (keep && this.backend?.detach) this.backend.detach();
    else this.backend?.close();
    for (const stream of this.streams.values()) stream.end();
    this.streams.clear();
    this.answers.clear();
    this.backlog = [];
  }

  private flushBacklog(stream: ResumableStream): void {
    const waiting = this.backlog;
    this.backlog = [];
    for (const message of waiting) stream.send(message);
  }

  /** A finished POST stream stays in the event store for replay; the session lets go of it. */
  private dropFinished(): void {
    for (const [id, stream] of this.streams) {
      if (stream.finished && !this.isGetStream(stream)) this.streams.delete(id);
    }
  }
}
