// Readiness polling for the control plane's processes.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export interface TlsClient {
  ca: string;
  cert?: string;
  key?: string;
}

/** GETs a URL once; resolves with the status code and body, or rejects on a network error. */
export function httpGet(
  url: string,
  tls?: TlsClient | 'insecure',
  timeoutMs = 2000,
): Promise<{ status: number; body: string }> {
  return httpRequest('GET', url, tls, undefined, timeoutMs);
}

/** One HTTP(S) request with an optional JSON body; 'insecure' skips server certificate checks. */
export function httpRequest(
  method: string,
  url: string,
  tls?: TlsClient | 'insecure',
  json?: unknown,
  timeoutMs = 2000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const tlsOptions =
      tls === 'insecure'
        ? { rejectUnauthorized: false }
        : tls
          ? { ca: tls.ca, cert: tls.cert, key: tls.key }
          : {};
    const headers = json === undefined ? {} : { 'content-type': 'application/json' };
    const req = lib.request(url, { method, headers, ...tlsOptions, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs}ms`)));
    req.on('error', reject);
    req.end(json === undefined ? undefined : JSON.stringify(json));
  });
}

export interface WaitOptions {
  what: string;
  timeoutMs: number;
  /** Fails fast when the process being waited for has already exited. */
  exited?: Promise<string>;
  intervalMs?: number;
}

/** Polls `check` until it returns true; throws with the last error when time runs out. */
export async function waitUntil(check: () => Promise<boolean>, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let exitReason: string | undefined;
  void opts.exited?.then((r) => (exitReason = r));
  let lastError = 'not ready';
  while (Date.now() < deadline) {
    if (exitReason) throw new Error(`${opts.what} exited (${exitReason}) before it was ready`);
    try {
      if (await check()) return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
  throw new Error(`${opts.what} was not ready after ${opts.timeoutMs}ms: ${lastError}`);
}

/** A port that was free a moment ago. Callers bind it soon after; a rare race shows as a start failure. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Polls until `probe` returns a value other than undefined (a throw counts as not yet), or fails with
 * `what` and the last error after timeoutMs. For tests and benches waiting on a cluster.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs}ms waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`,
  );
}
