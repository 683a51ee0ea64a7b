// A thin JSON client for the few calls the controller writes (apply, delete, status, events, leases).
// Bodies go out as the JSON we built, untouched: client-node's typed serializer would drop fields its
// models do not know. Authentication and TLS come from the KubeConfig through client-node.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
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

  constructor(kubeConfig: KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.#kubeConfig = kubeConfig;
    this.#server = new URL(cluster.server);
  }

  onRequest(observer: RequestObserver): void {
    this.#observers.push(observer);
  }

  async request<T>(req: KubeRequest): Promise<T> {
    const url = new URL(this.#server.pathname.replace(/\/$/, '') + req.path, this.#server);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const options: RequestOptions = { method: req.method, headers: { Accept: 'application/json' } };
    await this.#kubeConfig.applyToHTTPSOptions(options);
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
