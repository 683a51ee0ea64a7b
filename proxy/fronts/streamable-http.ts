// /mcp: the Streamable HTTP transport of MCP 2025-11-25. POST carries one client message; GET opens
// the session's stream for server-initiated messages; DELETE ends the session. The proxy mints
// Mcp-Session-Id on initialize; a missing id is 400, an unknown or expired one 404. MCP-Protocol-Version
// is checked against the revisions the proxy knows. A POST with no session whose MCP-Protocol-Version
// is a later, sessionless revision (2026-07-28: Mcp-Method and Mcp-Name headers, no initialize) is
// served as a one-off exchange and its headers passed on, so such clients are not broken.
// With authentication (deps.authenticate), every request is authenticated right after the Host/Origin
// check; a session belongs to the caller that initialized it, and another caller's request on it is
// answered 404 as if it did not exist. Each message goes to the backend with its caller.
// SSE answers and GET streams are resumable: events carry ids, a priming event opens each stream for
// clients of 2025-11-25 and later, and a GET with Last-Event-ID replays what the client missed from the
// event store (deps.events) and continues the stream (resumable-stream.ts).
// Not here: JSON-RPC batches (removed in 2025-06-18; answered 400).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeText } from '../framing.ts';
import { carryTrace } from '../telemetry/trace-context.ts';
import {
  BACKEND_BUSY,
  INVALID_REQUEST,
  PARSE_ERROR,
  errorResponse,
  isRequest,
  type RpcMessage,
  type RpcRequest,
} from '../jsonrpc.ts';
import { ANONYMOUS, type Caller } from '../caller.ts';
import { SESSION_PROTOCOL_VERSIONS } from '../negotiate.ts';
import { rebindingProblem } from '../origin.ts';
import { SessionTable } from '../sessions.ts';
import { Exchange } from './exchange.ts';
import type { Front, FrontDeps } from './front.ts';
import { accepts, headerValue, readBody, sendJson, sendRpcError } from './http.ts';
import { SseStream } from './sse-stream.ts';
import { StreamableSession, type Answer } from './streamable-session.ts';
import { SharedSessions } from './shared-sessions.ts';
import { resumeStream } from './stream-resumption.ts';
import { parseEventId } from '../streams/event-id.ts';
import type { ResumableOptions } from './resumable-stream.ts';

const SESSION_HEADER = 'mcp-session-id';
const VERSION_HEADER = 'mcp-protocol-version';
/** The first revision whose clients expect priming events (an SSE event with an id and empty data). */
const PRIMING_SINCE = '2025-11-25';
/** Headers of sessionless revisions, passed on to HTTP upstreams. */
const PASSED_HEADERS = [VERSION_HEADER, 'mcp-method', 'mcp-name'];

interface RelayOptions {
  caller: Caller;
  headers: Record<string, string>;
  version: string | undefined;
  /** Wraps the answer (shared sessions: the initialize answer waits for the session's record). */
  wrap?: false | ((answer: Answer) => Answer);
}

type Parsed = { message: RpcMessage } | { status: number; code: number; problem: string };

export class StreamableHttpFront implements Front {
  readonly paths = ['/mcp'];
  private readonly deps: FrontDeps;
  private readonly sessions: SessionTable<StreamableSession>;
  /** With spec.sessionStorage: sessions recorded for, and adopted from, the other replicas. */
  private readonly shared: SharedSessions | undefined;

  constructor(deps: FrontDeps) {
    this.deps = deps;
    this.shared = deps.directory && new SharedSessions(deps.directory, deps.backend, deps.log);
    this.sessions = new SessionTable({
      idleMs: deps.limits.idleSessionMs,
      maxSessions: deps.limits.maxSessions,
      onClose: () => deps.metrics.sessionClosed('streamable-http'),
    });
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.deps.metrics.observeHttp('streamable-http', req.method ?? '', res.statusCode, seconds);
    });
    const problem = rebindingProblem(req.headers.host, headerValue(req, 'origin'), this.deps.allowed);
    if (problem) return sendRpcError(res, 403, INVALID_REQUEST, `Forbidden: ${problem}`);
    try {
      const caller = this.deps.authenticate ? await this.deps.authenticate(req, res) : ANONYMOUS;
      if (!caller) return;
      if (req.method === 'POST') return await this.post(req, res, caller);
      if (req.method === 'GET') return await this.get(req, res, caller);
      if (req.method === 'DELETE') return await this.delete(req, res, caller);
      res.setHeader('allow', 'GET, POST, DELETE');
      return sendRpcError(res, 405, INVALID_REQUEST, 'Method not allowed');
    } catch (err) {
      this.deps.log.error({ err }, 'Failed to serve /mcp request');
      return sendRpcError(res, 500, -32603, 'Internal error');
    }
  }

  sessionCount(): number {
    return this.sessions.size;
  }

  expireIdle(): void {
    this.sessions.expireIdle();
    this.deps.events.sweep?.();
  }

  close(): void {
    this.sessions.closeAll('proxy shutting down');
  }

  /**
   * The session, when it exists and belongs to caller; another caller's session is not revealed. With
   * shared sessions, one this replica does not hold is adopted from the directory.
   */
  private async sessionOf(id: string, caller: Caller): Promise<StreamableSession | undefined> {
    const local = this.sessions.get(id);
    if (local) {
      if (local.ownerKey !== caller.key) return undefined;
      this.shared?.touch(id);
      return local;
    }
    if (!this.shared || this.sessions.full) return undefined;
    const adopted = await this.shared.adopt(id, caller, () => this.newSession(id, () => this.endSession(id)));
    if (!adopted) return undefined;
    const raced = this.sessions.get(id);
    if (raced) {
      adopted.backend?.detach?.();
      return raced;
    }
    adopted.shared = true;
    this.sessions.add(id, adopted);
    this.deps.metrics.sessionOpened('streamable-http');
    return adopted;
  }

  private async post(req: IncomingMessage, res: ServerResponse, caller: Caller): Promise<void> {
    const accept = accepts(headerValue(req, 'accept'));
    if (!accept.json && !accept.sse)
      return sendRpcError(
        res,
        406,
        INVALID_REQUEST,
        'Not Acceptable: accept application/json or text/event-stream',
      );
    const version = headerValue(req, VERSION_HEADER);
    const parsed = await this.parse(req);
    if ('problem' in parsed) return sendRpcError(res, parsed.status, parsed.code, parsed.problem);
    const { message } = parsed;
    if (isRequest(message) && message.method === 'initialize')
      return this.initialize(message, accept, res, caller);
    const sessionId = headerValue(req, SESSION_HEADER);
    if (!sessionId && version !== undefined && version > latestSessionVersion()) {
      return this.stateless(message, req, res, accept, caller);
    }
    if (version !== undefined && !SESSION_PROTOCOL_VERSIONS.includes(version)) {
      return sendRpcError(
        res,
        400,
        INVALID_REQUEST,
        `Bad Request: unsupported MCP-Protocol-Version ${version}`,
      );
    }
    if (!sessionId)
      return sendRpcError(res, 400, INVALID_REQUEST, 'Bad Request: Mcp-Session-Id header is required');
    const session = await this.sessionOf(sessionId, caller);
    if (!session) return sendRpcError(res, 404, -32001, 'Session not found');
    // Priming follows the revision the session was initialized with: a client may send an older
    // MCP-Protocol-Version header on one request (the conformance suite does).
    this.relay(session, message, res, accept, {
      caller,
      headers: {},
      version: session.protocolVersion ?? version,
    });
  }

  private newSession(id: string, onEnded: () => void): StreamableSession {
    return new StreamableSession(id, this.deps.limits.maxBacklogMessages, this.streamOptions(), onEnded);
  }

  private streamOptions(): ResumableOptions & { pollAfterMs?: number } {
    return {
      pollAfterMs: this.deps.limits.pollAfterMs ?? 0,
      store: this.deps.events,
      retryMs: this.deps.retryMs,
      onStoreError: (err) => this.deps.log.warn({ err }, 'Failed to store an SSE event for replay'),
    };
  }

  private async parse(req: IncomingMessage): Promise<Parsed> {
    const type = headerValue(req, 'content-type') ?? '';
    if (!type.toLowerCase().startsWith('application/json')) {
      return {
        status: 415,
        code: INVALID_REQUEST,
        problem: 'Unsupported Media Type: Content-Type must be application/json',
      };
    }
    const body = await readBody(req, this.deps.limits.maxMessageBytes);
    if ('tooLarge' in body) {
      this.deps.metrics.refused('streamable-http', 'too-large');
      return {
        status: 413,
        code: INVALID_REQUEST,
        problem: `Message larger than ${this.deps.limits.maxMessageBytes} bytes`,
      };
    }
    const decoded = decodeText(body.text);
    if (decoded?.kind === 'message') {
      carryTrace(decoded.message, req.headers);
      return { message: decoded.message };
    }
    if (body.text.trimStart().startsWith('['))
      return {
        status: 400,
        code: INVALID_REQUEST,
        problem: 'Bad Request: JSON-RPC batches are not supported',
      };
    return { status: 400, code: PARSE_ERROR, problem: 'Parse error: body is not one JSON-RPC message' };
  }

  private initialize(
    request: RpcRequest,
    accept: ReturnType<typeof accepts>,
    res: ServerResponse,
    caller: Caller,
  ): void {
    if (this.sessions.full) {
      this.deps.metrics.refused('streamable-http', 'too-many-sessions');
      return sendRpcError(res, 503, BACKEND_BUSY, 'Too many sessions');
    }
    const id = this.sessions.mintId();
    const session = this.newSession(id, () => this.endSession(id));
    session.ownerKey = caller.key;
    const version = request.params?.protocolVersion;
    if (typeof version === 'string') session.protocolVersion = version;
    session.backend = this.deps.backend.openSession(id, session);
    session.shared = this.shared !== undefined;
    this.sessions.add(id, session);
    this.deps.metrics.sessionOpened('streamable-http');
    this.relay(session, request, res, accept, {
      caller,
      headers: { 'mcp-session-id': id },
      version: session.protocolVersion,
      wrap: this.shared && ((answer) => this.shared!.recordOnAnswer(session, answer)),
    });
  }

  /** A sessionless (2026-07-28) exchange: a session of one request, closed once it is answered. */
  private stateless(
    message: RpcMessage,
    req: IncomingMessage,
    res: ServerResponse,
    accept: ReturnType<typeof accepts>,
    caller: Caller,
  ): void {
    const passHeaders: Record<string, string> = {};
    for (const name of PASSED_HEADERS) {
      const value = headerValue(req, name);
      if (value !== undefined) passHeaders[name] = value;
    }
    const id = this.sessions.mintId();
    const session = this.newSession(id, () => session.close());
    session.backend = this.deps.backend.openSession(id, session, { stateless: true, passHeaders });
    res.once('close', () => session.close());
    this.relay(session, message, res, accept, { caller, headers: {}, version: undefined });
  }

  private relay(
    session: StreamableSession,
    message: RpcMessage,
    res: ServerResponse,
    accept: ReturnType<typeof accepts>,
    { caller, headers, version, wrap }: RelayOptions,
  ): void {
    if (!isRequest(message)) {
      session.backend!.send(message, caller);
      res.writeHead(202, headers).end();
      return;
    }
    const limits = this.sseLimits();
    // A second request with an id still in flight would take the first POST's place, and the first would
    // never be answered (found by test/fuzz): refuse it, as JSON-RPC ids must be unique while pending.
    if (session.isExpecting(message.id)) {
      return sendJson(
        res,
        400,
        errorResponse(
          message.id,
          INVALID_REQUEST,
          'Invalid Request: a request with this id is already in flight',
        ),
        headers,
      );
    }
    const prime = version !== undefined && version >= PRIMING_SINCE;
    const pollAt = (this.deps.limits.pollAfterMs ?? 0) > 0 && message.method === 'tools/call';
    const context = session.streamContext(message.id, prime, pollAt);
    const exchange = new Exchange(res, accept, limits, headers, context);
    session.expect(message.id, wrap ? wrap(exchange) : exchange);
    // A resumable answer stays expected when its connection drops: the client may come back for it.
    res.once('close', () => {
      if (!exchange.resumable) session.forget(message.id);
    });
    if (session.backend!.send(message, caller) === 'busy') {
      this.deps.metrics.refused('streamable-http', 'busy');
      session.forget(message.id);
      sendJson(res, 503, errorResponse(message.id, BACKEND_BUSY, 'MCP server is busy, retry later'), {
        'retry-after': '1',
        ...headers,
      });
    }
  }

  private async get(req: IncomingMessage, res: ServerResponse, caller: Caller): Promise<void> {
    if (!accepts(headerValue(req, 'accept')).sse)
      return sendRpcError(res, 406, INVALID_REQUEST, 'Not Acceptable: accept text/event-stream');
    const sessionId = headerValue(req, SESSION_HEADER);
    if (!sessionId)
      return sendRpcError(res, 400, INVALID_REQUEST, 'Bad Request: Mcp-Session-Id header is required');
    const session = await this.sessionOf(sessionId, caller);
    if (!session) return sendRpcError(res, 404, -32001, 'Session not found');
    const last = parseEventId(headerValue(req, 'last-event-id'));
    if (last) {
      const deps = {
        events: this.deps.events,
        sseLimits: this.sseLimits(),
        streamOptions: this.streamOptions(),
      };
      return resumeStream(session, last, res, deps);
    }
    if (session.hasGetStream)
      return sendRpcError(res, 409, INVALID_REQUEST, 'Conflict: the session already has a GET stream');
    const version = headerValue(req, VERSION_HEADER) ?? session.protocolVersion;
    session.attachGetStream(
      new SseStream(res, this.sseLimits()),
      version !== undefined && version >= PRIMING_SINCE,
    );
  }

  private sseLimits(): { keepAliveMs: number; maxBufferedBytes: number } {
    return { keepAliveMs: this.deps.limits.keepAliveMs, maxBufferedBytes: this.deps.limits.maxBufferedBytes };
  }

  private async delete(req: IncomingMessage, res: ServerResponse, caller: Caller): Promise<void> {
    const sessionId = headerValue(req, SESSION_HEADER);
    if (!sessionId)
      return sendRpcError(res, 400, INVALID_REQUEST, 'Bad Request: Mcp-Session-Id header is required');
    if (!(await this.sessionOf(sessionId, caller)) || !this.endSession(sessionId))
      return sendRpcError(res, 404, -32001, 'Session not found');
    res.writeHead(200).end();
  }

  private endSession(id: string): boolean {
    this.shared?.remove(id);
    return this.sessions.close(id, 'session ended');
  }
}

function latestSessionVersion(): string {
  return [...SESSION_PROTOCOL_VERSIONS].sort().at(-1)!;
}
