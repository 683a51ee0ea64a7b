// HTTP and TLS around admission, nothing else: which review is allowed is decided by the injected
// handlers (webhook/review.ts), and which certificate is served by a CertificateSource (certs/).
// createWebhookApp() returns a request listener without listening (admission paths in review-route.ts); startWebhookServer() serves it over
// HTTPS. Whatever arrives, the answer is JSON and comes in bounded time: malformed bodies get a 4xx,
// a handler that throws or hangs gets controller-runtime's `Errored` review (allowed: false, code 500)
// with a short message, and the detail goes only to our log. Request bodies are never logged: an
// MCPServer may carry secret values in plain env fields, and nothing here can tell.
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CertificateSource, ServingCertificate } from '../certs/source.ts';
import type { Logger } from '../lib/log.ts';
import { CONTENT_TYPE } from '../lib/prometheus.ts';
import { type AdmissionMetrics, type ReviewKind, createAdmissionMetrics } from './metrics.ts';
import { reviewConfigValidate } from './config-review.ts';
import { MUTATE_PATHS, VALIDATE_CONFIG_PATHS, VALIDATE_PATHS } from './paths.ts';
import {
  type AdmissionHandler,
  type ReviewRoute,
  ReviewDeadlines,
  sendJson,
  serveReviewRoute,
} from './review-route.ts';

export type { AdmissionResult } from './envelope.ts';

export type { AdmissionHandler } from './review-route.ts';

export interface WebhookAppDeps {
  validate: AdmissionHandler;
  mutate: AdmissionHandler;
  /** MCPOIDCConfig and MCPAuthzConfig; defaults to their pure review (config-review.ts). */
  validateConfig?: AdmissionHandler;
  log: Logger;
  /** Names of what is not ready yet (certificates, caches); [] when the server may take traffic. */
  readiness: () => string[];
  metrics?: AdmissionMetrics;
  /** How long a handler may take before the review is answered as Errored. */
  handlerTimeoutMs?: number;
}

// controller-runtime's derivation (pkg/webhook/admission/http.go): the API server accepts objects of up
// to 3 MiB (etcd's 1.5 MiB request limit, doubled for JSON's overhead over protobuf); a review holds at
// most two of them (object and oldObject), and the rest of the envelope stays under 1 MiB: 7 MiB.
export const MAX_REVIEW_BYTES = 7 * 1024 * 1024;

// Below the webhook configurations' timeoutSeconds (5 s by default, webhook/configuration.ts): answering
// at 4 s gives the user our message ("timed out while reviewing") rather than the API server's generic
// "context deadline exceeded", and frees the handler's resources before the API server gives up.
export const DEFAULT_HANDLER_TIMEOUT_MS = 4_000;

/** A request listener for node:http(s): the admission paths and the probes, on Node's plain API. */
export type WebhookApp = (req: IncomingMessage, res: ServerResponse) => void;

export function createWebhookApp(deps: WebhookAppDeps): WebhookApp {
  const metrics = deps.metrics ?? createAdmissionMetrics();
  const routes = new Map<string, ReviewRoute>();
  const handlers: [ReviewKind, readonly string[], AdmissionHandler][] = [
    ['validate', VALIDATE_PATHS, deps.validate],
    ['mutate', MUTATE_PATHS, deps.mutate],
    [
      'validate',
      VALIDATE_CONFIG_PATHS,
      deps.validateConfig ?? ((body) => Promise.resolve(reviewConfigValidate(body))),
    ],
  ];
  for (const [kind, paths, handler] of handlers) {
    for (const path of paths) {
      const timeoutMs = deps.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS;
      routes.set(path, {
        kind,
        webhook: path,
        handler,
        metrics,
        log: deps.log,
        deadlines: new ReviewDeadlines(timeoutMs),
        maxBytes: MAX_REVIEW_BYTES,
      });
    }
  }
  const probe = probes(deps, metrics);
  return (req, res) => {
    // The API server calls `<path>?timeout=5s`: the query is not part of the route.
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const route = req.method === 'POST' ? routes.get(path) : undefined;
    if (route) void serveReviewRoute(route, req, res);
    else probe(req, res, path);
  };
}

const TEXT = 'text/plain; charset=utf-8';

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Probes, metrics, and JSON 404s for everything else (GET and HEAD). Three fixed paths need no framework:
 * express here had cost about 18 MiB resident for them (README, "Dependencies").
 */
function probes(
  deps: WebhookAppDeps,
  metrics: AdmissionMetrics,
): (req: IncomingMessage, res: ServerResponse, path: string) => void {
  return (req, res, path) => {
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (read && path === '/healthz') return send(res, 200, TEXT, 'ok');
    if (read && path === '/readyz') {
      const missing = deps.readiness();
      return missing.length === 0
        ? send(res, 200, TEXT, 'ok')
        : send(res, 503, TEXT, `not ready: ${missing.join(', ')}`);
    }
    if (read && path === '/metrics') {
      metrics.registry.render().then(
        (text) => send(res, 200, CONTENT_TYPE, text),
        (err: unknown) => {
          deps.log.error({ err }, 'Failed to serve a request');
          if (!res.headersSent) sendJson(res, 500, { message: 'internal error' });
        },
      );
      return;
    }
    sendJson(res, 404, { message: 'not found' });
  };
}

export interface WebhookServerOptions {
  port: number;
  host?: string;
  log: Logger;
}

export interface WebhookServerHandle {
  /** The port actually bound: the one asked for, or the one the system chose for port 0. */
  port: number;
  close(): Promise<void>;
}

// Go's HTTP transport, which the API server's webhook client builds on, keeps idle connections for
// 90 s. A server that closes them sooner races the client reusing one, and a POST that loses that race
// is not retried: the admission call fails. So idle connections live longer here than there.
const KEEP_ALIVE_TIMEOUT_MS = 120_000;
// A review arrives in one burst; a client that dribbles its headers or body for longer is not the API server.
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Serves app over HTTPS with certSource's certificate, which must have been started. A changed
 * certificate applies to new connections without a restart: setSecureContext() replaces the
 * server's default context, which (unlike an SNICallback) also covers clients that connect to an IP
 * address and so send no server name, as the API server does with a `url: https://127.0.0.1:...` config.
 */
export async function startWebhookServer(
  app: WebhookApp,
  certSource: CertificateSource,
  options: WebhookServerOptions,
): Promise<WebhookServerHandle> {
  const server = createServer(
    { ...tlsOptions(certSource.current()), minVersion: 'TLSv1.2', keepAlive: true },
    app,
  );
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.on('tlsClientError', (err) => options.log.debug({ err }, 'Rejected TLS handshake'));
  const stopWatching = certSource.onChange((certificate) => {
    server.setSecureContext({ ...tlsOptions(certificate), minVersion: 'TLSv1.2' });
    options.log.info('Serving a new certificate to new connections');
  });
  await listen(server, options.port, options.host);
  const port = (server.address() as AddressInfo).port;
  options.log.info({ port, host: options.host }, 'Started webhook server');
  return { port, close: () => closeServer(server, stopWatching) };
}

function tlsOptions(certificate: ServingCertificate): { cert: string; key: string } {
  return { cert: certificate.certPem, key: certificate.keyPem };
}

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server, stopWatching: () => void): Promise<void> {
  stopWatching();
  return new Promise((resolve) => {
    // close() waits for open connections; idle keep-alive ones would hold it for KEEP_ALIVE_TIMEOUT_MS.
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
