// One upstream session to a streamable-HTTP MCP server, over node:http(s) with connections kept alive
// and shared by every session of the backend. It replaces the SDK's StreamableHTTPClientTransport on
// the hot path: that one goes through fetch, web streams and zod for every message and cost the proxy
// milliseconds per call (bench/proxy.ts). Same behaviour where the proxy needs it: Mcp-Session-Id kept
// from the initialize answer, MCP-Protocol-Version once known, JSON or SSE answers to POST, the GET
// stream opened after notifications/initialized (405: the server has none), DELETE to end the session.
// Not here: resumability (Last-Event-ID), authorization flows.
import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { SseDecoder } from '../framing.ts';
import { asMessage, type RpcMessage } from '../jsonrpc.ts';
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

export class StreamableUpstream {
  onmessage?: (message: RpcMessage) => void;
  onclose?: () => void;
  onerror?: (err: Error) => void;
  private readonly url: URL;
  private readonly agents: Agents;
  private readonly extraHeaders: Record<string, string>;
  private sessionId: string | undefined;
  private protocolVersion: string | undefined;
  private getStream: IncomingMessage | undefined;
  private closed = false;

  constructor(url: URL, agents: Agents, extraHeaders: Record<string, string> = {}) {
    this.url = url;
    this.agents = agents;
    this.extraHeaders = extraHeaders;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }

  /** Resolves once the server took the message; what it answers comes through onmessage. */
  async send(message: RpcMessage): Promise<void> {
    const res = await this.request('POST', JSON.stringify(message));
    const sessionId = res.headers['mcp-session-id'];
    if (typeof sessionId === 'string') this.sessionId = sessionId;
    if (res.statusCode === 404 && this.sessionId) void this.close();
    if (res.statusCode! >= 300) {
      res.resume();
      throw new Error(`MCP server answered HTTP ${res.statusCode}`);
    }
    if ('method' in message && message.method === 'notifications/initialized') this.openGetStream();
    this.read(res);
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
    this.request('GET').then(
      (res) => {
        if (res.statusCode !== 200 || this.closed) return void res.resume();
        this.getStream = res;
        res.once('end', () => setTimeout(() => this.openGetStream(), GET_RETRY_MS).unref());
        this.read(res);
      },
      (err: Error) => this.onerror?.(err),
    );
  }

  /** Hands on the messages of a JSON or SSE body as they arrive; other bodies are drained. */
  private read(res: IncomingMessage): void {
    const type = String(res.headers['content-type'] ?? '').toLowerCase();
    res.setEncoding('utf8');
    if (type.startsWith('text/event-stream')) {
      const decoder = new SseDecoder();
      res.on('data', (text: string) => {
        for (const event of decoder.push(text)) if (event.event === 'message') this.deliver(event.data);
      });
    } else if (type.startsWith('application/json')) {
      let body = '';
      res.on('data', (text: string) => (body += text));
      res.on('end', () => this.deliver(body));
    } else {
      res.resume();
    }
    res.on('error', (err) => this.onerror?.(err));
  }

  private deliver(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.onerror?.(new Error('MCP server sent a message that is not JSON'));
    }
    for (const item of Array.isArray(parsed) ? parsed : [parsed]) {
      const message = asMessage(item);
      if (message) this.onmessage?.(message);
    }
  }

  /**
   * A request on a kept-alive connection that the server closes as the request leaves (its keep-alive
   * timeout passing at that moment: ECONNRESET, "socket hang up", before any answer) is sent once more on
   * a new connection, as Node's documentation advises: the server closed an idle connection, so it never
   * read the request. Found by test/node/55 as "MCP server unreachable: socket hang up".
   */
  private request(method: 'POST' | 'GET' | 'DELETE', body?: string, retry = true): Promise<IncomingMessage> {
    const headers: Record<string, string> = { ...this.extraHeaders };
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
          resolve(this.request(method, body, false));
        else reject(err);
      });
      req.end(body);
    });
  }
}
