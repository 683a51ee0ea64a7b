// One POST carrying one JSON-RPC request on /mcp, until its response. The answer's form is chosen
// late, by what arrives first: a response alone goes back as plain JSON when the client accepts it
// (cheapest, and what most calls are); a progress notification or a server request belonging to the
// request first turns the answer into an SSE stream that ends with the response (MCP 2025-11-25,
// "Sending Messages to the Server"). A client accepting only one of the two gets that one.
// An SSE answer is resumable (resumable-stream.ts): it opens with a priming event, and when the client
// loses the connection the request stays in flight, its messages stored for a GET with Last-Event-ID.
// A plain-JSON answer is HTTP 200 unless the proxy made the response itself with another status
// (answerWithStatus: a rate limit's 429 with Retry-After, as ToolHive answers); on a stream it stays 200.
import type { ServerResponse } from 'node:http';
import { isResponse, type RpcMessage } from '../jsonrpc.ts';
import type { StreamInfo } from '../streams/event-store.ts';
import type { Accepts } from './http.ts';
import { sendJson } from './http.ts';
import { ResumableStream, type ResumableOptions } from './resumable-stream.ts';
import { SseStream, type SseLimits } from './sse-stream.ts';

/** Responses the proxy made itself whose plain-JSON answer is not HTTP 200, with their extra headers. */
const statuses = new WeakMap<RpcMessage, { status: number; headers: Record<string, string> }>();

/** Marks a response the proxy made: answered as plain JSON, its HTTP status is `status`, with `headers`. */
export function answerWithStatus<M extends RpcMessage>(
  message: M,
  status: number,
  headers: Record<string, string>,
): M {
  statuses.set(message, { status, headers });
  return message;
}

/** What an SSE answer needs to be resumable; the session provides it. */
export interface StreamContext {
  info: StreamInfo;
  options: ResumableOptions;
  /** Whether the client's revision knows priming events (2025-11-25 and later). */
  prime: boolean;
  /** Ends the connection of a call still running after this long so the client polls; 0: never. */
  pollAfterMs?: number;
  /** Whether to answer as a stream from the start when the client accepts one (tools/call). */
  streamAtOnce?: boolean;
  /** Keeps the stream findable by its id while it is unfinished. */
  register(stream: ResumableStream): void;
}

export class Exchange {
  private readonly res: ServerResponse;
  private readonly accepts: Accepts;
  private readonly limits: SseLimits;
  private readonly headers: Record<string, string>;
  private readonly context: StreamContext;
  private sseStream: ResumableStream | undefined;
  private done = false;

  constructor(
    res: ServerResponse,
    accepts: Accepts,
    limits: SseLimits,
    headers: Record<string, string>,
    context: StreamContext,
  ) {
    this.res = res;
    this.accepts = accepts;
    this.limits = limits;
    this.headers = headers;
    this.context = context;
    // An SSE-only client gets its stream at once, and so does a tools/call of a client that accepts
    // SSE when the proxy polls (context.streamAtOnce: pollAfterMs set). Otherwise plain JSON unless
    // something else comes first: a message of the request, or the server streaming its own answer
    // (stream()), which the proxy mirrors so that the client can resume it. An answer the proxy makes
    // itself (a rate limit's 429) stays plain JSON with its status.
    if (!accepts.json || (accepts.sse && context.streamAtOnce)) this.startStream();
    res.on('close', () => {
      // A resumable answer outlives its connection; a plain one is over.
      if (!this.sseStream) this.done = true;
    });
  }

  /** False once answered, or once a client with a plain (not yet streaming) answer went away. */
  get open(): boolean {
    return !this.done;
  }

  /** True once the answer is a resumable stream: the request stays in flight when the client leaves. */
  get resumable(): boolean {
    return this.sseStream !== undefined;
  }

  /** True when the message was taken here; false when this exchange cannot carry it (JSON-only). */
  deliver(message: RpcMessage, upstreamId?: string): boolean {
    if (this.done) return false;
    if (isResponse(message)) {
      this.finish(message, upstreamId);
      return true;
    }
    if (!this.accepts.sse) return false;
    if (!this.sseStream) this.startStream();
    this.sseStream!.send(message, upstreamId);
    return true;
  }

  /** True while this answer is an SSE stream with a connection: other messages of the session may go on it. */
  get streaming(): boolean {
    return this.sseStream !== undefined && this.sseStream.attached && !this.done;
  }

  /** The server streams its answer: the client's becomes a stream too, when it accepts one. */
  stream(): void {
    if (!this.done && this.accepts.sse && !this.sseStream) this.startStream();
  }

  /**
   * Ends the client's connection of a call still running, so that it polls (GET with Last-Event-ID):
   * when the server closed its own stream (SEP-1699), or after pollAfterMs. Only a primed stream: its
   * client knows how to come back. True when the connection was ended.
   */
  poll(): boolean {
    if (this.done || !this.context.prime || !this.sseStream?.attached) return false;
    this.sseStream.end();
    return true;
  }

  private startStream(): void {
    this.sseStream = new ResumableStream(this.context.info, this.context.options);
    this.sseStream.start(new SseStream(this.res, this.limits, this.headers), this.context.prime);
    this.context.register(this.sseStream);
    const after = this.context.pollAfterMs ?? 0;
    if (after > 0 && this.context.prime) {
      const timer = setTimeout(() => this.poll(), after);
      timer.unref();
      this.res.once('close', () => clearTimeout(timer));
    }
  }

  private finish(response: RpcMessage, upstreamId?: string): void {
    this.done = true;
    if (this.sseStream) return this.sseStream.send(response, upstreamId, true);
    const marked = statuses.get(response);
    if (marked) sendJson(this.res, marked.status, response, { ...this.headers, ...marked.headers });
    else sendJson(this.res, 200, response, this.headers);
  }
}
