// One POST carrying one JSON-RPC request on /mcp, until its response. The answer's form is chosen
// late, by what arrives first: a response alone goes back as plain JSON when the client accepts it
// (cheapest, and what most calls are); a progress notification or a server request belonging to the
// request first turns the answer into an SSE stream that ends with the response (MCP 2025-11-25,
// "Sending Messages to the Server"). A client accepting only one of the two gets that one.
// A plain-JSON answer is HTTP 200 unless the proxy made the response itself with another status
// (answerWithStatus: a rate limit's 429 with Retry-After, as ToolHive answers); on a stream it stays 200.
import type { ServerResponse } from 'node:http';
import { isResponse, type RpcMessage } from '../jsonrpc.ts';
import type { Accepts } from './http.ts';
import { sendJson } from './http.ts';
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

export class Exchange {
  private readonly res: ServerResponse;
  private readonly accepts: Accepts;
  private readonly limits: SseLimits;
  private readonly headers: Record<string, string>;
  private sse: SseStream | undefined;
  private done = false;

  constructor(res: ServerResponse, accepts: Accepts, limits: SseLimits, headers: Record<string, string>) {
    this.res = res;
    this.accepts = accepts;
    this.limits = limits;
    this.headers = headers;
    // Only an SSE-only client gets its stream at once: the others may still get plain JSON.
    if (!accepts.json) this.sse = new SseStream(res, limits, headers);
    res.on('close', () => {
      this.done = true;
    });
  }

  /** False once answered or the client went away. */
  get open(): boolean {
    return !this.done;
  }

  /** True when the message was written here; false when this exchange cannot carry it (JSON-only). */
  deliver(message: RpcMessage): boolean {
    if (this.done) return false;
    if (isResponse(message)) {
      this.finish(message);
      return true;
    }
    if (!this.accepts.sse) return false;
    this.sse ??= new SseStream(this.res, this.limits, this.headers);
    this.sse.send(message);
    return true;
  }

  /** True once this answer is an open SSE stream: other messages of the session may go on it too. */
  get streaming(): boolean {
    return this.sse !== undefined && !this.sse.isClosed && !this.done;
  }

  private finish(response: RpcMessage): void {
    this.done = true;
    if (this.sse) {
      this.sse.send(response);
      this.sse.end();
    } else {
      const marked = statuses.get(response);
      if (marked) sendJson(this.res, marked.status, response, { ...this.headers, ...marked.headers });
      else sendJson(this.res, 200, response, this.headers);
    }
  }
}
