// The proxy's HTTP server: routes each path to its front, answers /health, /metrics and (with
// authentication) the Protected Resource Metadata paths, all open, and runs the idle-session sweep. No MCP here: the fronts speak it, the backend reaches the server.
// Timeouts (edge-config.ts): Node's requestTimeout and headersTimeout bound reading a request; the write
// timeout is ours, per request, and spares responses that are SSE streams.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../lib/log.ts';
import type { Backend } from './backends/backend.ts';
import { serverTimeouts, type ServerTimeouts } from './edge-config.ts';
import type { Front } from './fronts/front.ts';
import { sendJson } from './fronts/http.ts';
import type { ProxyMetrics } from './metrics.ts';
import { http } from './node-http.ts';

export interface ProxyServerDeps {
  backend: Backend;
  fronts: Front[];
  metrics: ProxyMetrics;
  log: Logger;
  /** How often idle sessions are looked for. */
  sweepIntervalMs: number;
  /** Answers the open well-known paths of authentication (RFC 9728 metadata); true when it did. */
  wellKnown?: (pathname: string, res: ServerResponse, req: IncomingMessage) => boolean;
  /** Read and write timeouts; absent: edge-config.ts's defaults (30 s to read a request, no write timeout). */
  timeouts?: ServerTimeouts;
}

export interface RunningProxy {
  /** The bound address, e.g. http://127.0.0.1:40123 (the port is the real one when 0 was asked). */
  url: string;
  close(): Promise<void>;
}

const isStream = (res: ServerResponse): boolean =>
  res.headersSent && /^text\/event-stream/i.test(String(res.getHeader('content-type') ?? ''));

/** Closes the connection of a plain answer not finished within writeMs of the request's arrival. */
function armWriteTimeout(req: IncomingMessage, res: ServerResponse, writeMs: number, log: Logger): void {
  const timer = setTimeout(() => {
    if (res.writableFinished || isStream(res)) return;
    log.info(
      { path: req.url?.split('?')[0], method: req.method, writeMs },
      'Closed a connection past the write timeout',
    );
    res.destroy();
  }, writeMs);
  timer.unref();
  res.once('close', () => clearTimeout(timer));
}

export function createProxyServer(deps: ProxyServerDeps): Server {
  const byPath = new Map<string, Front>();
  for (const front of deps.fronts) for (const path of front.paths) byPath.set(path, front);
  const timeouts = deps.timeouts ?? serverTimeouts(undefined);
  const options = {
    requestTimeout: timeouts.readMs,
    headersTimeout: timeouts.headersMs,
    // Node checks both only this often (30 s by default): a short read timeout needs a finer check.
    connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(timeouts.headersMs / 4))),
  };
  return http.createServer(options, (req, res) => {
    if (timeouts.writeMs > 0) armWriteTimeout(req, res, timeouts.writeMs, deps.log);
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const front = byPath.get(url.pathname);
    if (front) {
      void front.handle(req, res, url);
      return;
    }
    if (deps.wellKnown?.(url.pathname, res, req)) return;
    if (url.pathname === '/health') {
      const healthy = deps.backend.healthy();
      return sendJson(res, healthy ? 200 : 503, { status: healthy ? 'ok' : 'unavailable' });
    }
    if (url.pathname === '/metrics') {
      void deps.metrics.render().then((text) => {
        res.writeHead(200, { 'content-type': deps.metrics.contentType }).end(text);
      });
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  });
}

/** Starts the backend, then listens; close() stops both and ends every session. */
export async function startProxy(
  deps: ProxyServerDeps,
  listen: { host: string; port: number },
): Promise<RunningProxy> {
  await deps.backend.start();
  const server = createProxyServer(deps);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const sweep = setInterval(() => deps.fronts.forEach((f) => f.expireIdle()), deps.sweepIntervalMs);
  sweep.unref();
  const { port } = server.address() as AddressInfo;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  deps.log.info({ host: listen.host, port }, 'Started MCP proxy');
  return {
    url: `http://${host}:${port}`,
    async close() {
      clearInterval(sweep);
      deps.fronts.forEach((f) => f.close());
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await deps.backend.close();
    },
  };
}
