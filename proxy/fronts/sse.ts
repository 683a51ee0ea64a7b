// /sse and /messages: the HTTP+SSE transport of MCP 2024-11-05, for older clients. GET /sse opens the
// session's only stream and names, in an `endpoint` event, the URL to POST client messages to
// (/messages?sessionId=...); every server message for the session goes on that stream, and the
// session ends when it closes. Not here: Mcp-Session-Id and protocol version headers (that revision
// has neither), resumability. With authentication, GET /sse and every POST /messages are authenticated;
// the session belongs to the caller that opened it, and another caller's POST gets 404.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BackendSession, SessionSink } from '../backends/backend.ts';
import { decodeText } from '../framing.ts';
import { carryTrace } from '../telemetry/trace-context.ts';
import { ANONYMOUS, type Caller } from '../caller.ts';
import { BACKEND_BUSY, INVALID_REQUEST, PARSE_ERROR, type RpcMessage } from '../jsonrpc.ts';
import { publicBase, publicUrl } from '../forwarded.ts';
import { rebindingProblem } from '../origin.ts';
import { SessionTable, type Entry } from '../sessions.ts';
import type { Front, FrontDeps } from './front.ts';
import { accepts, headerValue, readBody, sendRpcError } from './http.ts';
import { SseStream } from './sse-stream.ts';

const MESSAGES_PATH = '/messages';

class SseSession implements Entry, SessionSink {
  backend: BackendSession | undefined;
  readonly stream: SseStream;
  readonly ownerKey: string;

  constructor(stream: SseStream, ownerKey: string) {
    this.stream = stream;
    this.ownerKey = ownerKey;
  }

  deliver(message: RpcMessage): void {
    this.stream.send(message);
  }

  ended(): void {
    this.stream.end();
  }

  busy(): boolean {
    return !this.stream.isClosed;
  }

  close(): void {
    this.backend?.close();
    this.stream.end();
  }
}

export class SseFront implements Front {
  readonly paths = ['/sse', MESSAGES_PATH];
  private readonly deps: FrontDeps;
  private readonly sessions: SessionTable<SseSession>;

  constructor(deps: FrontDeps) {
    this.deps = deps;
    this.sessions = new SessionTable({
      idleMs: deps.limits.idleSessionMs,
      maxSessions: deps.limits.maxSessions,
      onClose: () => deps.metrics.sessionClosed('sse'),
    });
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.deps.metrics.observeHttp('sse', req.method ?? '', res.statusCode, seconds);
    });
    const problem = rebindingProblem(req.headers.host, headerValue(req, 'origin'), this.deps.allowed);
    if (problem) return sendRpcError(res, 403, INVALID_REQUEST, `Forbidden: ${problem}`);
    try {
      const caller = this.deps.authenticate ? await this.deps.authenticate(req, res) : ANONYMOUS;
      if (!caller) return;
      if (url.pathname === '/sse' && req.method === 'GET') return this.open(req, res, caller);
      if (url.pathname === MESSAGES_PATH && req.method === 'POST')
        return await this.post(req, res, url, caller);
      res.setHeader('allow', url.pathname === '/sse' ? 'GET' : 'POST');
      return sendRpcError(res, 405, INVALID_REQUEST, 'Method not allowed');
    } catch (err) {
      this.deps.log.error({ err }, 'Failed to serve SSE transport request');
      return sendRpcError(res, 500, -32603, 'Internal error');
    }
  }

  sessionCount(): number {
    return this.sessions.size;
  }

  expireIdle(): void {
    this.sessions.expireIdle();
  }

  close(): void {
    this.sessions.closeAll('proxy shutting down');
  }

  private open(req: IncomingMessage, res: ServerResponse, caller: Caller): void {
    if (!accepts(headerValue(req, 'accept')).sse)
      return sendRpcError(res, 406, INVALID_REQUEST, 'Not Acceptable: accept text/event-stream');
    if (this.sessions.full) {
      this.deps.metrics.refused('sse', 'too-many-sessions');
      return sendRpcError(res, 503, BACKEND_BUSY, 'Too many sessions');
    }
    const id = this.sessions.mintId();
    const limits = {
      keepAliveMs: this.deps.limits.keepAliveMs,
      maxBufferedBytes: this.deps.limits.maxBufferedBytes,
    };
    const session = new SseSession(new SseStream(res, limits), caller.key);
    session.backend = this.deps.backend.openSession(id, session);
    this.sessions.add(id, session);
    this.deps.metrics.sessionOpened('sse');
    session.stream.whenClosed(() => this.sessions.close(id, 'stream closed'));
    // Behind an ingress, the URL the client must POST to (forwarded.ts); else relative to its own.
    const messages = publicUrl(publicBase(req.headers, this.deps.edge), MESSAGES_PATH);
    session.stream.sendEvent('endpoint', `${messages}?sessionId=${id}`);
  }

  private async post(req: IncomingMessage, res: ServerResponse, url: URL, caller: Caller): Promise<void> {
    const session = this.sessions.get(url.searchParams.get('sessionId') ?? '');
    if (!session || session.ownerKey !== caller.key)
      return sendRpcError(res, 404, -32001, 'Session not found');
    const body = await readBody(req, this.deps.limits.maxMessageBytes);
    if ('tooLarge' in body) {
      this.deps.metrics.refused('sse', 'too-large');
      return sendRpcError(
        res,
        413,
        INVALID_REQUEST,
        `Message larger than ${this.deps.limits.maxMessageBytes} bytes`,
      );
    }
    const decoded = decodeText(body.text);
    if (decoded?.kind !== 'message')
      return sendRpcError(res, 400, PARSE_ERROR, 'Parse error: body is not one JSON-RPC message');
    carryTrace(decoded.message, req.headers);
    if (session.backend!.send(decoded.message, caller) === 'busy') {
      this.deps.metrics.refused('sse', 'busy');
      return sendRpcError(res, 503, BACKEND_BUSY, 'MCP server is busy, retry later');
    }
    res.writeHead(202).end('Accepted');
  }
}
