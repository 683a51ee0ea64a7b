// One upstream session to a streamable-HTTP MCP server, over node:http(s) with connections kept alive
// and shared by every session of the backend. It replaces the SDK's StreamableHTTPClientTransport on
// the hot path: that one goes through fetch, web streams and zod for every message and cost the proxy
// milliseconds per call (bench/proxy.ts). Same behaviour where the proxy needs it: Mcp-Session-Id kept
// from the initialize answer, MCP-Protocol-Version once known, JSON or SSE answers to POST, the GET
// stream opened after notifications/initialized (405: the server has none), DELETE to end the session.
// Resumability, as a client: a POST's SSE answer that the server ends before the response (SEP-1699
// polling: the server closes the stream and expects a GET with Last-Event-ID) is resumed by the proxy
// itself after the stream's retry delay, so the client's stream simply goes on; the GET stream is
// reopened with the Last-Event-ID of its last event. Not here: authorization flows (credentials, when
// the proxy has any for the server, come from proxy/outgoing-auth/).
import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { SseDecoder } from '../framing.ts';
import { asMessage, type RpcMessage } from '../jsonrpc.ts';
import { traceHeadersOf, type TraceHeaders } from '../telemetry/trace-context.ts';
import { http, https } from '../node-http.ts';

export type Agents = { http: HttpAgent; https: HttpsAgent };

export const keptAliveAgents = (): Agents => ({
  http: new http.Agent({ keepAlive: true }),
  https: new https.Agent({ keepAlive: true }),
});

/**
 * Resolves once the server answers an OPTIONS request, whatever the status; rejects when nothing comes
 * within timeoutMs. node:http rather than fetch: fetch would load Node's bundled undici into an
 * otherwise idle proxy (about 8 MiB resident, bench/proxy.ts).
 */
export function probe(url: URL, agents: Agents, timeoutMs: number): Promise<void> {
  const secure = url.protocol === 'https:';
  const agent = secure ? agents.https : agents.http;
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(url, { method: 'OPTIONS', agent }, (res) => {
      res.resume();
      resolve();
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

// A GET stream the server ended is opened again after this long, while the session lasts.
const GET_RETRY_MS = 1000;
/** Resumptions of one POST stream in a row that bring nothing before the proxy gives up on it. */
const MAX_EMPTY_RESUMES = 3;

/** One SSE answer being read: the request it answers (POST) and where to resume it from. */
interface StreamState {
  requestId?: string | number;
  lastEventId?: string;
  retryMs: number;
  answered: boolean;
  emptyResumes: number;
}

export class StreamableUpstream {
  /** related: the request whose POST answer carried the message, when it came on one. */
  onmessage?: (message: RpcMessage, related?: string | number, eventId?: string) => void;
  onclose?: () => void;
  onerror?: (err: Error) => void;
  /** The server ended request id's stream before its response; it is being resumed. */
  onstreamclosed?: (requestId: string | number) => void;
  /** The server answers requestId with an SSE stream. */
  onstreamopened?: (requestId: string | number) => void;
  /**
   * Headers that authenticate the proxy to the server (proxy/outgoing-auth/), asked before every
   * request; they never replace the MCP headers below. A rejection fails the request with its error.
   */
  credentials?: () => Record<string, string> | Promise<Record<string, string>>;
  private readonly url: URL;
  private readonly agents: Agents;
  private readonly extraHeaders: Record<string, string>;
  private sessionId: string | undefined;
  private protocolVersion: string | undefined;
  private getStream: IncomingMessage | undefined;
  private getState: StreamState = { retryMs: GET_RETRY_MS, answered: false, emptyResumes: 0 };
  private closed = false;
  private adopted = false;

  constructor(
    url: URL,
    agents: Agents,
    extraHeaders: Record<string, string> = {},
    adopted?: { sessionId?: string; protocolVersion?: string },
  ) {
    this.url = url;
    this.agents = agents;
    this.extraHeaders = extraHeaders;
    if (adopted) {
      // A session another proxy replica initialized: its streams are opened here as they are needed.
      this.sessionId = adopted.sessionId;
      this.protocolVersion = adopted.protocolVersion;
      this.adopted = true;
    }
  }

  /** The upstream's Mcp-Session-Id, once it gave one. */
  get upstreamSessionId(): string | undefined {
    return this.sessionId;
  }

  get negotiatedVersion(): string | undefined {
    return this.protocolVersion;
  }

  /** Continues the server's stream of requestId after lastEventId, at once (resumePost's first step). */
  resumeStream(requestId: string | number, lastEventId: string): void {
    const state: StreamState = { requestId, lastEventId, retryMs: 0, answered: false, emptyResumes: 0 };
    this.resumePost(state, false);
  }

  /** Opens an adopted session's GET stream (here, not in the constructor: credentials are set by then). */
  start(): Promise<void> {
    if (this.adopted) this.openGetStream();
    return Promise.resolve();
  }

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }

  /** Resolves once the server took the message; what it answers comes through onmessage. */
  async send(message: RpcMessage): Promise<void> {
    // The request's W3C trace context (proxy/telemetry/trace-context.ts) goes with its POST.
    const res = await this.request('POST', JSON.stringify(message), true, undefined, traceHeadersOf(message));
    const sessionId = res.headers['mcp-session-id'];
    if (typeof sessionId === 'string') this.sessionId = sessionId;
    if (res.statusCode === 404 && this.sessionId) void this.close();
    if (res.statusCode! >= 300) {
      res.resume();
      throw new Error(`MCP server answered HTTP ${res.statusCode}`);
    }
    if ('method' in message && message.method === 'notifications/initialized') this.openGetStream();
    const requestId = 'method' in message && 'id' in message ? message.id : undefined;
    const streamed = String(res.headers['content-type'] ?? '').startsWith('text/event-stream');
    if (streamed && requestId !== undefined) this.onstreamopened?.(requestId);
    this.read(res, { requestId, retryMs: GET_RETRY_MS, answered: false, emptyResumes: 0 });
  }

  async terminateSession(): Promise<void> {
    if (!this.sessionId) return;
    (await this.request('DELETE')).resume();
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.getStream?.destroy();
    this.onclose?.();
    return Promise.resolve();
  }

  private openGetStream(): void {
    if (this.closed) return;
    const state = this.getState;
    this.request('GET', undefined, true, state.lastEventId).then(
      (res) => {
        if (res.statusCode !== 200 || this.closed) {
          res.resume();
          // A server that cannot resume from the id it gave: a fresh stream, once.
          if (state.lastEventId !== undefined && !this.closed && res.statusCode !== 405) {
            state.lastEventId = undefined;
            setTimeout(() => this.openGetStream(), state.retryMs).unref();
          }
          return;
        }
        this.getStream = res;
        res.once('end', () => setTimeout(() => this.openGetStream(), state.retryMs).unref());
        this.read(res, state);
      },
      (err: Error) => this.onerror?.(err),
    );
  }

  /**
   * A POST's SSE answer ended before its response: GET with its Last-Event-ID after its retry delay,
   * reading on into the same state, until the response comes or resumptions bring nothing.
   */
  private resumePost(state: StreamState, closedByServer = true): void {
    if (this.closed || state.answered || state.lastEventId === undefined) return;
    if (closedByServer && state.emptyResumes === 0 && state.requestId !== undefined)
      this.onstreamclosed?.(state.requestId);
    if (state.emptyResumes >= MAX_EMPTY_RESUMES) {
      return this.onerror?.(new Error(`MCP server stream ${state.lastEventId} could not be resumed`));
    }
    state.emptyResumes += 1;
    setTimeout(() => {
      this.request('GET', undefined, true, state.lastEventId).then(
        (res) => {
          if (res.statusCode !== 200 || this.closed) {
            res.resume();
            return this.onerror?.(new Error(`MCP server answered HTTP ${res.statusCode} to a resumption`));
          }
          this.read(res, state);
        },
        (err: Error) => this.onerror?.(err),
      );
    }, state.retryMs).unref();
  }

  /** Hands on the messages of a JSON or SSE body as they arrive; other bodies are drained. */
  private read(res: IncomingMessage, state: StreamState): void {
    const type = String(res.headers['content-type'] ?? '').toLowerCase();
    res.setEncoding('utf8');
    if (type.startsWith('text/event-stream')) {
      const decoder = new SseDecoder();
      res.on('data', (text: string) => {
        for (const event of decoder.push(text)) {
          if (event.id !== undefined) state.lastEventId = event.id;
          if (event.retry !== undefined) state.retryMs = event.retry;
          if (event.event !== 'message' || event.data.trim() === '') continue;
          state.emptyResumes = 0;
          if (this.deliver(event.data, state.requestId, event.id)) state.answered = true;
        }
      });
      if (state.requestId !== undefined) res.once('end', () => this.resumePost(state));
    } else if (type.startsWith('application/json')) {
      let body = '';
      res.on('data', (text: string) => (body += text));
      res.on('end', () => this.deliver(body));
    } else {
      res.resume();
    }
    res.on('error', (err) => this.onerror?.(err));
  }

  /** Passes the messages of one body or event on; true when one was the response to requestId. */
  private deliver(text: string, requestId?: string | number, eventId?: string): boolean {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.onerror?.(new Error('MCP server sent a message that is not JSON'));
      return false;
    }
    let answered = false;
    for (const item of Array.isArray(parsed) ? parsed : [parsed]) {
      const message = asMessage(item);
      if (!message) continue;
      if (requestId !== undefined && !('method' in message) && 'id' in message && message.id === requestId)
        answered = true;
      this.onmessage?.(message, requestId, eventId);
    }
    return answered;
  }

  /**
   * A request on a kept-alive connection that the server closes as the request leaves (its keep-alive
   * timeout passing at that moment: ECONNRESET, "socket hang up", before any answer) is sent once more on
   * a new connection, as Node's documentation advises: the server closed an idle connection, so it never
   * read the request. Found by test/node/55 as "MCP server unreachable: socket hang up".
   */
  private request(
    method: 'POST' | 'GET' | 'DELETE',
    body?: string,
    retry = true,
    lastEventId?: string,
    trace?: TraceHeaders,
  ): Promise<IncomingMessage> {
    const credentials = this.credentials?.() ?? {};
    if (credentials instanceof Promise)
      return credentials.then((found) =>
        this.sendRequest(method, { ...found, ...trace }, body, retry, lastEventId),
      );
    const headers = trace ? { ...credentials, ...trace } : credentials;
    return this.sendRequest(method, headers, body, retry, lastEventId);
  }

  private sendRequest(
    method: 'POST' | 'GET' | 'DELETE',
    credentials: Record<string, string>,
    body?: string,
    retry = true,
    lastEventId?: string,
  ): Promise<IncomingMessage> {
    const headers: Record<string, string> = { ...this.extraHeaders, ...credentials };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    headers.accept = method === 'GET' ? 'text/event-stream' : 'application/json, text/event-stream';
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.sessionId) headers['mcp-session-id'] = this.sessionId;
    if (this.protocolVersion) headers['mcp-protocol-version'] = this.protocolVersion;
    const secure = this.url.protocol === 'https:';
    const send = secure ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const agent = secure ? this.agents.https : this.agents.http;
      const req = send(this.url, { method, headers, agent }, resolve);
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (retry && req.reusedSocket && err.code === 'ECONNRESET')
          resolve(this.sendRequest(method, credentials, body, false, lastEventId));
        else reject(err);
      });
      req.end(body);
    });
  }
}
