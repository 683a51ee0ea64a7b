// A thin JSON client for the few calls the controller writes (apply, delete, status, events, leases).
// Bodies go out as the JSON we built, untouched: client-node's typed serializer would drop fields its
// models do not know. Authentication and TLS come from the KubeConfig through client-node.
// Connections are kept alive: client-node's own https.Agent is not keep-alive, so every request would
// make a new TLS handshake (and a new SecureContext), which was most of the controller's CPU time in
// bench/controller. The keep-alive agent is made again whenever the TLS material changes.
import { request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { str } from './desired/types.ts';
import { ApiError } from './io.ts';

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
}

/** Called after each request, for metrics and the tests that count writes. */
export type RequestObserver = (method: string, path: string, code: number) => void;

export class KubeClient {
  readonly #kubeConfig: KubeConfig;
  readonly #server: URL;
  readonly #observers: RequestObserver[] = [];
  #agent: { material: string; agent: HttpsAgent } | undefined;

  constructor(kubeConfig: KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.#kubeConfig = kubeConfig;
    this.#server = new URL(cluster.server);
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
  }

  onRequest(observer: RequestObserver): void {
    this.#observers.push(observer);
  }

  async request<T>(req: KubeRequest): Promise<T> {
    const url = new URL(this.#server.pathname.replace(/\/$/, '') + req.path, this.#server);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const options: RequestOptions = { method: req.method, headers: { Accept: 'application/json' } };
    await this.#kubeConfig.applyToHTTPSOptions(options);
    // Only a plain https.Agent is replaced; a proxy agent (cluster.proxyUrl) stays as it is.
    if (options.agent?.constructor === HttpsAgent) options.agent = this.#keepAliveAgent(options);
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    if (body !== undefined) {
      options.headers = { ...options.headers, 'Content-Type': req.contentType ?? 'application/json' };
    }
    const { code, text } = await send(url, options, body);
    for (const observe of this.#observers) observe(req.method, req.path, code);
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (code >= 400) {
      throw new ApiError(
        code,
        str(parsed.reason),
        str(parsed.message) || `HTTP ${code} from ${req.method} ${req.path}`,
      );
    }
    return parsed as T;
  }
}

function send(
  url: URL,
  options: RequestOptions,
  body: string | undefined,
): Promise<{ code: number; text: string }> {
  const doRequest = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = doRequest(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ code: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`timed out: ${options.method} ${url.pathname}`)));
    req.on('error', reject);
    req.end(body);
  });
}
