// The contract every front meets, and the limits they share. A front turns one HTTP dialect of MCP
// into BackendSessions: streamable-http.ts (/mcp, MCP 2025-11-25) and sse.ts (/sse and /messages,
// the 2024-11-05 HTTP+SSE transport). Routing between fronts, /health and /metrics are in server.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../lib/log.ts';
import type { Backend } from '../backends/backend.ts';
import type { Caller } from '../caller.ts';
import type { RunConfigEdge } from '../edge-config.ts';
import type { ProxyMetrics } from '../metrics.ts';
import type { AllowedNames } from '../origin.ts';
import type { EventStore } from '../streams/event-store.ts';
import type { SessionDirectory } from '../shared-state/session-directory.ts';

export interface FrontLimits {
  /** Largest request body, and so largest client message, in bytes. */
  maxMessageBytes: number;
  maxSessions: number;
  idleSessionMs: number;
  keepAliveMs: number;
  /** Unsent bytes an SSE stream may hold before its client counts as too slow and is cut off. */
  maxBufferedBytes: number;
  /** Messages kept for a session that has no stream open to receive them; the oldest go first. */
  maxBacklogMessages: number;
  /**
   * A tool call's SSE answer still running after this long has its connection closed, and the client
   * polls with GET and Last-Event-ID (MCP 2025-11-25, SEP-1699): connections are not held for long
   * calls. 0 (the default): streams stay open until the response.
   */
  pollAfterMs?: number;
}

export interface FrontDeps {
  backend: Backend;
  allowed: AllowedNames;
  limits: FrontLimits;
  metrics: ProxyMetrics;
  log: Logger;
  /** Where the /mcp front's SSE events are kept for replay (Last-Event-ID). */
  events: EventStore;
  /** The reconnection delay the priming event of a stream asks for. */
  retryMs: number;
  /** With spec.sessionStorage: where sessions are found that another proxy replica opened. */
  directory?: SessionDirectory;
  /**
   * Establishes who sent the request (proxy/auth/). Resolves undefined when it has answered the request
   * itself (401 or 403 with WWW-Authenticate). Absent: every request is ANONYMOUS (caller.ts).
   */
  authenticate?: (req: IncomingMessage, res: ServerResponse) => Promise<Caller | undefined>;
  /** Behind an ingress: how the URLs handed to clients are built (forwarded.ts). Absent: relative ones. */
  edge?: RunConfigEdge;
}

export interface Front {
  /** The URL paths it answers; server.ts sends it every request on them, whatever the method. */
  readonly paths: readonly string[];
  /**
   * Answers one request. Never rejects: errors become HTTP answers (4xx for the client's mistakes,
   * 500 with detail only in the log for ours). May keep the response open (SSE) after resolving.
   */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  /** Open sessions, for metrics and tests. */
  sessionCount(): number;
  /** Closes idle sessions; server.ts calls it on a timer. */
  expireIdle(): void;
  /** Closes every session and stream, for shutdown. */
  close(): void;
}
