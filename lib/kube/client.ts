// A thin JSON client for everything the operator asks the API server: the controller's writes (apply,
// delete, status, events, leases), the webhook's reads and its certificate Secret (typed-calls.ts), and
// the informers' lists and watches (stream()). Bodies go out as the JSON we built, untouched:
// client-node's typed serializer would drop fields its models do not know.
// Authentication and TLS come from ApiAccess (access.ts).
// Connections are kept alive: a new TLS handshake (and a new SecureContext) per request was most of the
// controller's CPU time in bench/controller. The keep-alive agent is made again whenever the TLS
// material changes (a rotated client certificate).
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { ApiAccess } from './access.ts';
import { str } from '../dict.ts';
import { ApiError } from './api-error.ts';

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  /** The Accept header; application/json when unset (a metadata-only list or watch asks for more). */
  accept?: string;
}

/** Called after each request, for metrics and the tests that count writes. */
export type RequestObserver = (method: string, path: string, code: number) => void;

const REQUEST_TIMEOUT_MS = 30_000;

export class KubeClient {
  readonly #access: ApiAccess;
  readonly #observers: RequestObserver[] = [];
  readonly #httpAgent = new HttpAgent({ keepAlive: true });
  #agent: { material: string; agent: HttpsAgent } | undefined;

  constructor(access: ApiAccess) {
    this.#access = access;
  }

  #keepAliveAgent(options: RequestOptions): HttpsAgent {
    const tls = {
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      rejectUnauthorized: options.rejectUnauthorized,
      servername: options.servername,
    };
    const material = [tls.ca, tls.cert, tls.key, tls.rejectUnauthorized, tls.servername]
      .map(String)
      .join('\0');
    if (this.#agent?.material !== material) {
      this.#agent?.agent.destroy();
      this.#agent = { material, agent: new HttpsAgent({ ...tls, keepAlive: true }) };
    }
    return this.#agent.agent;
  }

  /** Closes the kept-alive connections (they would otherwise hold the process open for a while). */
  close(): void {
    this.#agent?.agent.destroy();
    this.#agent = undefined;
    this.#httpAgent.destroy();
  }

  onRequest(observer: RequestObserver): void {
    this.#observers.push(observer);
  }

  async #prepare(req: KubeRequest): Promise<{ url: URL; options: RequestOptions; body?: string }> {
    const server = this.#access.server;
    const url = new URL(server.pathname.replace(/\/$/, '') + req.path, server);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const options: RequestOptions = {
      method: req.method,
      headers: { Accept: req.accept ?? 'application/json' },
    };
    await this.#access.applyTo(options);
    if (url.protocol === 'http:') options.agent ??= this.#httpAgent;
    // A plain https.Agent (or none) becomes the kept-alive one; a proxy agent stays as it is.
    else if (!options.agent || options.agent.constructor === HttpsAgent)
      options.agent = this.#keepAliveAgent(options);
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    if (body !== undefined) {
      options.headers = { ...options.headers, 'Content-Type': req.contentType ?? 'application/json' };
    }
    return { url, options, body };
  }

  async request<T>(req: KubeRequest): Promise<T> {
    const { url, options, body } = await this.#prepare(req);
    const res = await send(url, options, body, REQUEST_TIMEOUT_MS);
    const text = await readAll(res);
    const code = res.statusCode ?? 0;
    for (const observe of this.#observers) observe(req.method, req.path, code);
    if (code >= 400) throw apiError(code, statusOf(text), req);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /**
   * A GET whose answer is a stream of JSON lines (a watch): calls onLine for each complete line and
   * resolves when the server ends the stream or `signal` aborts it. Throws ApiError on an HTTP error.
   * Not counted by the request observers (the metric counts requests, and a watch lasts minutes).
   */
  async stream(req: KubeRequest, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
    const { url, options } = await this.#prepare(req);
    options.signal = signal;
    // Idle for longer than the server's timeoutSeconds plus slack means the connection is dead.
    const idleMs = (Number(req.query?.timeoutSeconds ?? 0) + 60) * 1000;
    const res = await send(url, options, undefined, idleMs);
    const code = res.statusCode ?? 0;
    if (code >= 400) {
      const text = await readAll(res);
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // not a Status: the code says enough
      }
      throw apiError(code, parsed, req);
    }
    await new Promise<void>((resolve, reject) => {
      let partial = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        try {
          for (const line of lines) if (line) onLine(line);
        } catch (err) {
          // onLine's error (an ERROR event, say) ends this stream; the caller decides what next.
          res.destroy();
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      res.on('end', resolve);
      res.on('close', resolve);
      res.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
    });
  }
}

/** An error answer's Status, or {} when it is not JSON (a path no API serves answers `404 page not found`). */
function statusOf(text: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function apiError(code: number, status: Record<string, unknown>, req: KubeRequest): ApiError {
  return new ApiError(
    code,
    str(status.reason),
    str(status.message) || `HTTP ${code} from ${req.method} ${req.path}`,
  );
}

/** The response, once its headers arrive; the socket times out after `idleMs` without data. */
function send(
  url: URL,
  options: RequestOptions,
  body: string | undefined,
  idleMs: number,
): Promise<IncomingMessage> {
  const doRequest = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = doRequest(url, options, resolve);
    req.setTimeout(idleMs, () => req.destroy(new Error(`timed out: ${options.method} ${url.pathname}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The body as text. Its listeners come off once it is read: a kept-alive socket keeps its last request
 * and response reachable, and through listeners still on the response, this promise and the body
 * with it (a list of Secrets' metadata, say, annotations and all: issue 14).
 */
function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (c: Buffer): void => void chunks.push(c);
    const onEnd = (): void => finish();
    const finish = (err?: Error): void => {
      res.off('data', onData).off('end', onEnd).off('error', finish);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).toString('utf8'));
      chunks.length = 0;
    };
    res.on('data', onData).on('end', onEnd).on('error', finish);
  });
}
