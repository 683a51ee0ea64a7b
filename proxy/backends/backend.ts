// The contracts between the HTTP fronts and whatever reaches the MCP server. A front opens one
// BackendSession per client session and hands it a SessionSink; the backend decides how sessions
// share the server: stdio backends multiplex all of them onto one stream (multiplexed.ts), HTTP
// backends give each its own upstream session (http.ts).
import type { Caller } from '../caller.ts';
import type { RequestId, RpcMessage } from '../jsonrpc.ts';
import type { UpstreamHandle } from '../shared-state/session-directory.ts';

/** Where a backend puts what the server says to one client session. Called from I/O callbacks. */
export interface SessionSink {
  /**
   * A message for the session. relatedRequestId is the session's own id of the request the message
   * belongs to (its response, its progress, a sampling request it caused) when the backend knows it;
   * the front then prefers that request's stream. Must not block: a slow client queues or is dropped.
   * upstreamEventId: the SSE event id the server sent the message with, where its stream resumes from.
   */
  deliver(message: RpcMessage, relatedRequestId?: RequestId, upstreamEventId?: string): void;
  /** The backend can no longer serve this session (its upstream session ended); it should be closed. */
  ended(reason: string): void;
  /**
   * The server closed the stream of request id before its response, to be polled (SEP-1699); the
   * backend resumes it itself. The front may close the client's stream too and let it poll.
   */
  streamClosed?(id: RequestId): void;
  /** The server answers request id with a stream: the front answers the client with one too. */
  streamOpened?(id: RequestId): void;
}

export interface SessionOptions {
  /**
   * A 2026-07-28-style request with no session: the backend serves one exchange and forgets it. The
   * front closes the BackendSession once the response is delivered.
   */
  stateless?: boolean;
  /** Request headers to pass on to an HTTP upstream (MCP-Protocol-Version, Mcp-Method, Mcp-Name). */
  passHeaders?: Record<string, string>;
}

/** 'busy': the queue toward the server is full; the message was not taken and the client may retry. */
export type SendOutcome = 'accepted' | 'busy';

/** One client session's way to the server. */
export interface BackendSession {
  /**
   * Passes one client message on. Never throws for a closed backend: requests are answered with errors.
   * caller is who sent it (the fronts always pass it; backends that reach the server ignore it, the
   * authorizing wrapper in proxy/authz/ decides and audits by it).
   */
  send(message: RpcMessage, caller?: Caller): SendOutcome;
  /** Ends the session: its requests in flight are cancelled at the server, upstream sessions deleted. */
  close(): void;
  /**
   * Lets go of the session here without ending it at the server (another proxy replica may go on with
   * it: spec.sessionStorage). Absent: close().
   */
  detach?(): void;
  /** How another replica reaches the same upstream session (HTTP backends); undefined until known. */
  handle?(): UpstreamHandle | undefined;
  /**
   * Continues the server's stream of request id from upstreamEventId (a replica that died carried it);
   * what comes is delivered tagged with id. False when the server cannot be asked.
   */
  resume?(id: RequestId, upstreamEventId: string): boolean;
}

export interface Backend {
  /** Starts reaching the server; resolves once started, not once the server answers (see healthy). */
  start(): Promise<void>;
  openSession(id: string, sink: SessionSink, options?: SessionOptions): BackendSession;
  /** A session another replica opened, reached through its handle (HTTP backends with shared sessions). */
  adoptSession?(id: string, sink: SessionSink, handle: UpstreamHandle): BackendSession;
  /**
   * True only while the server answers: a stdio server answered the last health ping, an HTTP server
   * answered the last probe. An open stream that says nothing is not healthy.
   */
  healthy(): boolean;
  /** How many times the server stream was re-opened (process restarts, re-attaches). */
  restarts(): number;
  /** Stops everything it started; sessions get errors for requests in flight. */
  close(): Promise<void>;
}
