// One admission path served on Node's plain request/response, without express: this is the only hot path
// of the webhook (every `kubectl apply` of an MCPServer), and express's per-request work (prototype
// swaps, router walk, body-parser's content negotiation) cost several times the review itself
// (bench/webhook). The probes and /metrics are on the same plain API (server.ts).
// Whatever arrives, the answer is JSON in bounded time: malformed bodies get a 4xx, a handler that throws
// or hangs gets controller-runtime's `Errored` review (allowed: false, code 500) with a short message,
// the detail only in our log. Request bodies are never logged.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../lib/log.ts';
import type { AdmissionMetrics, ReviewKind, Verdict } from './metrics.ts';
import {
  ADMISSION_V1,
  type AdmissionResult,
  erroredResult,
  operationOf,
  reviewWithResponse,
  uidOf,
  verdictOf,
} from './envelope.ts';

/** Takes the parsed request body; may throw (answered as Errored) and should not take long (see timeout). */
export type AdmissionHandler = (body: unknown) => Promise<AdmissionResult>;

export interface ReviewRoute {
  kind: ReviewKind;
  /** The path, used as the `webhook` metrics label. */
  webhook: string;
  handler: AdmissionHandler;
  metrics: AdmissionMetrics;
  log: Logger;
  /** The time limit of this route's handler (timeoutMs of them all). */
  deadlines: ReviewDeadlines;
  maxBytes: number;
}

class BadRequest extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

class HandlerTimeoutError extends Error {
  override readonly name = 'HandlerTimeoutError';
}

function isJsonContentType(header: string | undefined): boolean {
  if (header === 'application/json') return true; // what the API server sends: no splitting needed
  const type = header?.split(';', 1)[0]?.trim().toLowerCase();
  return type === 'application/json' || (type?.endsWith('+json') ?? false);
}

/** The whole body, refusing more than maxBytes as soon as it is declared or received (413). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > maxBytes) {
      req.resume(); // read off and drop the body: closing while the client still sends loses our 413
      return reject(new BadRequest(413, 'entity.too.large', 'request entity too large'));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume(); // drain, so the connection can answer and stay usable
        reject(new BadRequest(413, 'entity.too.large', 'request entity too large'));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

async function parseReviewBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const contentLength = req.headers['content-length'];
  const hasBody =
    contentLength !== undefined ? contentLength !== '0' : req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) throw new BadRequest(400, 'empty', 'request body is empty');
  if (!isJsonContentType(req.headers['content-type'])) {
    throw new BadRequest(415, 'content.type', 'expected Content-Type application/json');
  }
  const body = await readBody(req, maxBytes);
  if (body.length === 0) throw new BadRequest(400, 'empty', 'request body is empty');
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new BadRequest(400, 'entity.parse.failed', 'request body is not valid JSON');
  }
}

interface Deadline {
  at: number;
  reject: (err: Error) => void;
  settled: boolean;
}

/**
 * The time limits of one route's reviews. They all get the same limit, so they expire in the order they
 * started: one timer, armed for the oldest review still pending, serves them all. A Node timer per review
 * (setTimeout, then clearTimeout) cost more than several admission rules together (bench/webhook).
 */
export class ReviewDeadlines {
  readonly ms: number;
  /** Pending reviews from #head on, oldest first; settled ones are dropped from the front. */
  readonly #queue: Deadline[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(ms: number) {
    this.ms = ms;
  }

  /** Rejects with HandlerTimeoutError unless settle() comes first. */
  start(reject: (err: Error) => void): Deadline {
    const deadline = { at: performance.now() + this.ms, reject, settled: false };
    this.#queue.push(deadline);
    if (this.#timer === undefined) this.#arm(this.ms);
    return deadline;
  }

  settle(deadline: Deadline): void {
    deadline.settled = true;
    // The timer stays armed: when it fires with nothing left to expire, it is not armed again.
    this.#dropSettled();
  }

  #dropSettled(): void {
    const queue = this.#queue;
    while (this.#head < queue.length && queue[this.#head]!.settled) this.#head++;
    if (this.#head === queue.length) {
      queue.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= queue.length) {
      queue.splice(0, this.#head); // a review that hangs keeps the ones after it queued: compact now and then
      this.#head = 0;
    }
  }

  #arm(delayMs: number): void {
    // Unreferenced: an open connection keeps the process alive while its review is pending, and an idle
    // server must not be held up by a timer that would only find nothing to expire.
    this.#timer = setTimeout(() => this.#expire(), Math.max(1, Math.ceil(delayMs))).unref();
  }

  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    const queue = this.#queue;
    while (this.#head < queue.length) {
      const deadline = queue[this.#head]!;
      if (!deadline.settled && deadline.at > now) break;
      this.#head++;
      if (!deadline.settled) {
        deadline.settled = true;
        deadline.reject(new HandlerTimeoutError(`timed out after ${this.ms} ms while reviewing`));
      }
    }
    this.#dropSettled();
    if (this.#head < queue.length) this.#arm(queue[this.#head]!.at - now);
  }
}

// One promise per review and no timer of its own (see ReviewDeadlines): Promise.race with a timeout
// promise and .finally() made four promises and their reactions for every review.
function withTimeout<T>(work: Promise<T>, deadlines: ReviewDeadlines): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const deadline = deadlines.start(reject);
    work.then(
      (value) => {
        deadlines.settle(deadline);
        resolve(value);
      },
      (err: unknown) => {
        deadlines.settle(deadline);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function review(route: ReviewRoute, body: unknown): Promise<AdmissionResult> {
  try {
    return await withTimeout(route.handler(body), route.deadlines);
  } catch (err) {
    route.log.error({ err, webhook: route.webhook, uid: uidOf(body) }, 'Failed to review admission request');
    return erroredResult(
      body,
      err instanceof HandlerTimeoutError ? err.message : 'internal error while reviewing',
    );
  }
}

function record(
  route: ReviewRoute,
  startedAt: number,
  operation: string,
  verdict: Verdict,
  httpStatus: number,
): void {
  const seconds = (performance.now() - startedAt) / 1e3;
  route.metrics.observe({
    webhook: route.webhook,
    kind: route.kind,
    operation,
    verdict,
    httpStatus,
    seconds,
  });
  if (route.log.isLevelEnabled('debug')) {
    route.log.debug(
      { webhook: route.webhook, operation, verdict, httpStatus, seconds },
      'Answered admission request',
    );
  }
}

function answerBadRequest(route: ReviewRoute, res: ServerResponse, err: BadRequest, startedAt: number): void {
  route.log.info(
    { webhook: route.webhook, status: err.status, reason: err.reason },
    'Rejected malformed admission request',
  );
  // No `connection: close` on 413: closing while the client still sends makes the kernel reset the
  // connection, and the client loses this answer (EPIPE). The body is read off and dropped instead
  // (readBody resumes it), bounded by the server's request timeout.
  const response = { uid: '', allowed: false, status: { code: err.status, message: err.message } };
  sendJson(res, err.status, reviewWithResponse(ADMISSION_V1, response));
  record(route, startedAt, 'unknown', 'bad_request', err.status);
}

/** Serves POSTs to one admission path. */
export async function serveReviewRoute(
  route: ReviewRoute,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  // performance.now(), not hrtime.bigint(): the same monotonic clock without a BigInt per review.
  const startedAt = performance.now();
  // `on`, not `once`: a response closes once, and `once` wraps the listener anew for every review.
  res.on('close', route.metrics.startRequest(route.webhook));
  let body: unknown;
  try {
    body = await parseReviewBody(req, route.maxBytes);
  } catch (err) {
    if (err instanceof BadRequest) return answerBadRequest(route, res, err, startedAt);
    route.log.info(
      { err, webhook: route.webhook },
      'Dropped an admission request whose body could not be read',
    );
    res.destroy();
    return;
  }
  const result = await review(route, body);
  sendJson(res, result.httpStatus, result.body);
  record(route, startedAt, operationOf(body), verdictOf(result), result.httpStatus);
}
