// HTTP and TLS around admission, nothing else: which review is allowed is decided by the injected
// handlers (webhook/review.ts), and which certificate is served by a CertificateSource (certs/).
// createWebhookApp() returns an express app without listening; startWebhookServer() serves it over
// HTTPS. Whatever arrives, the answer is JSON and comes in bounded time: malformed bodies get a 4xx,
// a handler that throws or hangs gets controller-runtime's `Errored` review (allowed: false, code 500)
// with a short message, and the detail goes only to our log. Request bodies are never logged: an
// MCPServer may carry secret values in plain env fields, and nothing here can tell.
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:https';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { CertificateSource, ServingCertificate } from '../certs/source.ts';
import type { Logger } from '../lib/log.ts';
import { type AdmissionMetrics, type ReviewKind, type Verdict, createAdmissionMetrics } from './metrics.ts';
import {
  ADMISSION_V1,
  type AdmissionResult,
  erroredResult,
  operationOf,
  reviewWithResponse,
  uidOf,
  verdictOf,
} from './envelope.ts';
import { MUTATE_PATHS, VALIDATE_PATHS } from './paths.ts';

export type { AdmissionResult } from './envelope.ts';

/** Takes the parsed request body; may throw (answered as Errored) and should not take long (see timeout). */
export type AdmissionHandler = (body: unknown) => Promise<AdmissionResult>;

export interface WebhookAppDeps {
  validate: AdmissionHandler;
  mutate: AdmissionHandler;
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

export function createWebhookApp(deps: WebhookAppDeps): express.Express {
  const metrics = deps.metrics ?? createAdmissionMetrics();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/healthz', (_req, res) => void res.type('text/plain').send('ok'));
  app.get('/readyz', (_req, res) => {
    const missing = deps.readiness();
    res.status(missing.length === 0 ? 200 : 503).type('text/plain');
    res.send(missing.length === 0 ? 'ok' : `not ready: ${missing.join(', ')}`);
  });
  app.get('/metrics', (_req, res, next) => {
    metrics.registry.metrics().then((text) => void res.type(metrics.registry.contentType).send(text), next);
  });
  const parseJson = express.json({ limit: MAX_REVIEW_BYTES, strict: true, type: () => true });
  const routes: [ReviewKind, readonly string[], AdmissionHandler][] = [
    ['validate', VALIDATE_PATHS, deps.validate],
    ['mutate', MUTATE_PATHS, deps.mutate],
  ];
  for (const [kind, paths, handler] of routes) {
    for (const path of paths) {
      const context = {
        kind,
        webhook: path,
        handler,
        metrics,
        log: deps.log,
        timeoutMs: deps.handlerTimeoutMs,
      };
      app.post(path, startTimer(metrics, path), requireJson, parseJson, (req, res) =>
        serveReview(req, res, context),
      );
      app.use(path, (err: unknown, req: Request, res: Response, next: NextFunction) =>
        answerBadBody(err, req, res, next, context),
      );
    }
  }
  app.use((_req, res) => void res.status(404).json({ message: 'not found' }));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    deps.log.error({ err }, 'Failed to serve a request');
    if (!res.headersSent) res.status(500).json({ message: 'internal error' });
  });
  return app;
}

interface ReviewContext {
  kind: ReviewKind;
  webhook: string;
  handler: AdmissionHandler;
  metrics: AdmissionMetrics;
  log: Logger;
  timeoutMs: number | undefined;
}

/** Remembers when the request arrived and counts it in flight until the response is finished. */
function startTimer(metrics: AdmissionMetrics, webhook: string) {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.locals.startedAt = process.hrtime.bigint();
    const done = metrics.startRequest(webhook);
    res.once('close', done);
    next();
  };
}

/** The API server always sends a JSON body; an empty one (400) or another type (415) is not a review. */
function requireJson(req: Request, _res: Response, next: NextFunction): void {
  const empty = req.headers['content-length'] === '0' || req.is('*/*') === null;
  if (!empty && req.is('application/json')) return next();
  const [status, message] = empty
    ? [400, 'request body is empty']
    : [415, 'expected Content-Type application/json'];
  next(Object.assign(new Error(message), { status }));
}

async function serveReview(req: Request, res: Response, context: ReviewContext): Promise<void> {
  const review: unknown = req.body;
  let result: AdmissionResult;
  try {
    result = await withTimeout(context.handler(review), context.timeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS);
  } catch (err) {
    context.log.error(
      { err, webhook: context.webhook, uid: uidOf(review) },
      'Failed to review admission request',
    );
    result = erroredResult(
      review,
      err instanceof HandlerTimeoutError ? err.message : 'internal error while reviewing',
    );
  }
  res.status(result.httpStatus).json(result.body);
  record(res, context, operationOf(review), verdictOf(result), result.httpStatus);
}

/** Body-parser and content-type failures: a 4xx with a short JSON message, never express's HTML page. */
function answerBadBody(
  err: unknown,
  _req: Request,
  res: Response,
  next: NextFunction,
  context: ReviewContext,
): void {
  const { status, type, message } = err as { status?: unknown; type?: unknown; message?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500) return next(err);
  if (type === 'request.aborted') return void res.destroy();
  const short = type === 'entity.parse.failed' ? 'request body is not valid JSON' : String(message);
  context.log.info(
    { webhook: context.webhook, status, reason: type },
    'Rejected malformed admission request',
  );
  res
    .status(status)
    .json(
      reviewWithResponse(ADMISSION_V1, { uid: '', allowed: false, status: { code: status, message: short } }),
    );
  record(res, context, 'unknown', 'bad_request', status);
}

function record(
  res: Response,
  context: ReviewContext,
  operation: string,
  verdict: Verdict,
  httpStatus: number,
): void {
  const startedAt = res.locals.startedAt as bigint | undefined;
  const seconds = startedAt === undefined ? 0 : Number(process.hrtime.bigint() - startedAt) / 1e9;
  context.metrics.observe({
    webhook: context.webhook,
    kind: context.kind,
    operation,
    verdict,
    httpStatus,
    seconds,
  });
  context.log.debug(
    { webhook: context.webhook, operation, verdict, httpStatus, seconds },
    'Answered admission request',
  );
}

class HandlerTimeoutError extends Error {
  override readonly name = 'HandlerTimeoutError';
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new HandlerTimeoutError(`timed out after ${ms} ms while reviewing`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
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
  app: express.Express,
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
