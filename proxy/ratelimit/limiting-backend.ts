// A Backend around the real one that applies spec.rateLimiting to each tools/call before it goes on,
// as ToolHive's rate-limit middleware does (pkg/ratelimit/middleware.go): every bucket that applies
// (plan.ts) must give a token, in one script call to Redis (token-bucket.ts). A refused call never
// reaches the server: it is answered here with ToolHive's JSON-RPC error 429 "Rate limit exceeded",
// data.retryAfterSeconds, and on a plain-JSON answer HTTP 429 with Retry-After (fronts/exchange.ts).
// When Redis fails or does not answer in time the call goes on (fail open, as ToolHive), counted in
// mcp_proxy_rate_limit_errors_total and logged at most every 30 s.
// The check is asynchronous but send() is not: a session's messages that arrive while one of its calls
// is being checked wait behind it, so the server sees them in the order the client sent them (a
// cancellation never overtakes its request). Checks themselves are not serialised: ioredis pipelines
// them on its one connection, and Redis answers in order.
import type { Logger } from '../../lib/log.ts';
import type { Backend, SendOutcome, SessionOptions, SessionSink } from '../backends/backend.ts';
import { BackendDecorator, SessionDecorator, type OpenInner } from '../backends/decorator.ts';
import { ANONYMOUS, type Caller } from '../caller.ts';
import { answerWithStatus } from '../fronts/exchange.ts';
import {
  BACKEND_BUSY,
  errorResponse,
  isRequest,
  type RpcError,
  type RpcMessage,
  type RpcRequest,
} from '../jsonrpc.ts';
import type { ProxyMetrics } from '../metrics.ts';
import { bucketsFor, retryAfterSeconds, type Bucket, type RatePlan } from './plan.ts';

/** ToolHive's JSON-RPC code for a rate-limited request (pkg/ratelimit CodeRateLimited) and its message. */
export const RATE_LIMITED_CODE = 429;
export const RATE_LIMITED_MESSAGE = 'Rate limit exceeded';
const ERROR_LOG_EVERY_MS = 30_000;

export interface RateLimitingOptions {
  plan: RatePlan;
  /** The server's keyspace (shared-state/redis.ts keyspace()). */
  prefix: string;
  buckets: { consume(buckets: readonly Bucket[]): Promise<number> };
  metrics: Pick<ProxyMetrics, 'rateLimited' | 'rateLimitError'>;
  log: Logger;
  /** Runs after the inner backend closed (a Redis connection this wrapper owns). */
  onClose?: () => void;
}

/** What the check decided: pass, or the bucket that refused. */
type Verdict = { pass: true } | { pass: false; bucket: Bucket };
const PASS: Verdict = { pass: true };

/** The JSON-RPC error ToolHive answers a rate-limited call with; HTTP 429 + Retry-After when plain JSON. */
export function rateLimitedError(id: RpcRequest['id'], retryAfter: number): RpcError {
  const error: RpcError = {
    jsonrpc: '2.0',
    id,
    error: {
      code: RATE_LIMITED_CODE,
      message: RATE_LIMITED_MESSAGE,
      data: { retryAfterSeconds: retryAfter },
    },
  };
  return answerWithStatus(error, 429, { 'retry-after': String(retryAfter) });
}

export class RateLimitingBackend extends BackendDecorator {
  private readonly options: RateLimitingOptions;
  private failuresSinceLog = 0;
  private lastErrorLogMs = 0;

  constructor(inner: Backend, options: RateLimitingOptions) {
    super(inner);
    this.options = options;
  }

  protected override closed(): void {
    this.options.onClose?.();
  }

  protected wrap(_id: string, sink: SessionSink, _options: SessionOptions | undefined, open: OpenInner) {
    return new LimitedSession(this, sink).attach(open(sink));
  }

  /** The verdict for a request, or undefined when no bucket applies (not tools/call, or none configured). */
  check(message: RpcRequest, caller: Caller): Promise<Verdict> | undefined {
    if (message.method !== 'tools/call') return undefined;
    const name = message.params?.name;
    const tool = typeof name === 'string' ? name : undefined;
    const subject = caller.key === ANONYMOUS.key ? undefined : caller.subject;
    const buckets = bucketsFor(this.options.plan, this.options.prefix, tool, subject);
    if (buckets.length === 0) return undefined;
    return this.options.buckets.consume(buckets).then(
      (refused): Verdict => {
        if (refused < 0) return PASS;
        const bucket = buckets[refused]!;
        this.options.metrics.rateLimited(bucket.scope, bucket.tool);
        return { pass: false, bucket };
      },
      (err: unknown): Verdict => {
        this.failedOpen(err);
        return PASS;
      },
    );
  }

  private failedOpen(err: unknown): void {
    this.options.metrics.rateLimitError();
    this.failuresSinceLog += 1;
    const now = Date.now();
    if (now - this.lastErrorLogMs < ERROR_LOG_EVERY_MS) return;
    this.options.log.warn(
      { err, failures: this.failuresSinceLog },
      'Rate-limit check failed, so the call goes on unlimited (fail open, as ToolHive)',
    );
    this.lastErrorLogMs = now;
    this.failuresSinceLog = 0;
  }
}

interface Waiting {
  message: RpcMessage;
  caller: Caller;
  /** Undefined while its check is out. */
  verdict?: Verdict;
}

class LimitedSession extends SessionDecorator {
  private readonly owner: RateLimitingBackend;
  private readonly sink: SessionSink;
  /** Messages behind a check in flight, in arrival order; empty almost always. */
  private queue: Waiting[] = [];
  private closed = false;

  constructor(owner: RateLimitingBackend, sink: SessionSink) {
    super();
    this.owner = owner;
    this.sink = sink;
  }

  send(message: RpcMessage, caller: Caller = ANONYMOUS): SendOutcome {
    const check = !this.closed && isRequest(message) ? this.owner.check(message, caller) : undefined;
    if (!check && this.queue.length === 0) return this.inner.send(message, caller);
    const waiting: Waiting = check ? { message, caller } : { message, caller, verdict: PASS };
    this.queue.push(waiting);
    void check?.then((verdict) => {
      waiting.verdict = verdict;
      this.drain();
    });
    return 'accepted';
  }

  protected override letGo(): void {
    this.closed = true;
    this.queue = [];
  }

  private drain(): void {
    while (!this.closed && this.queue[0]?.verdict) {
      const { message, caller, verdict } = this.queue.shift()! as Required<Waiting>;
      if (!verdict.pass) this.refuse(message as RpcRequest, verdict.bucket);
      else if (this.inner.send(message, caller) === 'busy' && isRequest(message))
        // Told 'accepted' already, the front waits for an answer: the busy one it would have sent.
        this.sink.deliver(
          answerWithStatus(errorResponse(message.id, BACKEND_BUSY, 'MCP server is busy, retry later'), 503, {
            'retry-after': '1',
          }),
          message.id,
        );
    }
  }

  private refuse(request: RpcRequest, bucket: Bucket): void {
    this.sink.deliver(rateLimitedError(request.id, retryAfterSeconds(bucket)), request.id);
  }
}
