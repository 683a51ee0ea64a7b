// A Backend around the others (outermost: a request refused by authorization or a rate limit is traced
// too) that makes one span per MCP request, from the client's message to the answer delivered back, and
// counts it (instruments.ts). The client's W3C trace context is the span's parent: the traceparent header
// of its HTTP request (trace-context.ts, recorded by the fronts), else params._meta.traceparent (SEP-414).
// The span's own context replaces it beside the message, so an HTTP backend sends the span as the
// server's parent. Spans are sampled by the SDK (sdk.ts); an unsampled one costs a context and no
// attributes. Notifications are not traced: they have no outcome.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
  type Context,
  type Span,
  type TextMapPropagator,
  type Tracer,
} from '@opentelemetry/api';
import type { Backend, SendOutcome, SessionOptions, SessionSink } from '../backends/backend.ts';
import { BackendDecorator, sinkBefore, SessionDecorator, type OpenInner } from '../backends/decorator.ts';
import type { Caller } from '../caller.ts';
import {
  BACKEND_BUSY,
  isRequest,
  isResponse,
  type RequestId,
  type RpcMessage,
  type RpcRequest,
} from '../jsonrpc.ts';
import {
  SESSION_CLOSED,
  outcomeAttributes,
  outcomeOf,
  requestAttributes,
  spanNameOf,
  targetOf,
  type Outcome,
} from './attributes.ts';
import type { McpInstruments } from './instruments.ts';
import { setTraceHeaders, traceHeadersOf, type TraceHeaders } from './trace-context.ts';

export interface TelemetryOptions {
  tracer?: Tracer;
  instruments?: McpInstruments;
  propagator: TextMapPropagator;
  server: string;
  transport: string;
  /** ToolHive's older attribute names too (useLegacyAttributes). */
  legacy: boolean;
  /** Runs after the inner backend closed: exports what is pending and stops the SDK. */
  onClose?: () => Promise<void>;
}

const BUSY: Outcome = { ok: false, errorType: String(BACKEND_BUSY), code: BACKEND_BUSY, message: 'busy' };

export class TelemetryBackend extends BackendDecorator {
  readonly options: TelemetryOptions;

  constructor(inner: Backend, options: TelemetryOptions) {
    super(inner);
    this.options = options;
  }

  protected override closed(): Promise<void> | undefined {
    return this.options.onClose?.();
  }

  protected wrap(id: string, sink: SessionSink, _options: SessionOptions | undefined, open: OpenInner) {
    const session = new TracedSession(this.options, id, sink);
    return session.attach(open(session.sink));
  }
}

interface Pending {
  span?: Span;
  startMs: number;
  method: string;
  target: string;
}

class TracedSession extends SessionDecorator {
  private readonly options: TelemetryOptions;
  private readonly id: string;
  private readonly pending = new Map<RequestId, Pending>();
  private protocolVersion: string | undefined;
  private open = true;
  /** What the inner session delivers to: ends spans, then hands on to the front's sink. */
  readonly sink: SessionSink;

  constructor(options: TelemetryOptions, id: string, outer: SessionSink) {
    super();
    this.options = options;
    this.id = id;
    this.sink = sinkBefore(
      outer,
      (message, related, eventId) => {
        if (isResponse(message) && message.id !== null && message.id !== undefined)
          this.answered(message.id, message);
        outer.deliver(message, related, eventId);
      },
      (reason) => {
        this.endAll();
        outer.ended(reason);
      },
    );
    options.instruments?.sessionOpened();
  }

  send(message: RpcMessage, caller?: Caller): SendOutcome {
    const request = isRequest(message) ? message : undefined;
    if (request) this.begin(request);
    const outcome = this.inner.send(message, caller);
    // The front answers a busy request itself, past this wrapper.
    if (request && outcome === 'busy') this.finish(request.id, BUSY);
    return outcome;
  }

  protected override letGo(): void {
    this.endAll();
  }

  private begin(request: RpcRequest): void {
    const { tracer, propagator } = this.options;
    const method = request.method;
    const target = targetOf(request);
    if (this.pending.has(request.id)) this.finish(request.id, SESSION_CLOSED);
    let span: Span | undefined;
    if (tracer) {
      const parent = parentContext(request, propagator);
      span = tracer.startSpan(spanNameOf(method, target), { kind: SpanKind.SERVER }, parent);
      if (span.isRecording()) span.setAttributes(requestAttributes(request, this.facts(method, target)));
      const carrier: Partial<TraceHeaders> = {};
      propagator.inject(trace.setSpan(parent, span), carrier, defaultTextMapSetter);
      setTraceHeaders(request, carrier.traceparent ? (carrier as TraceHeaders) : undefined);
    }
    this.pending.set(request.id, { span, startMs: performance.now(), method, target });
  }

  private facts(method: string, target: string) {
    const { server, transport, legacy } = this.options;
    const { id: sessionId, protocolVersion } = this;
    return { method, target, sessionId, server, transport, legacy, protocolVersion };
  }

  private answered(id: RequestId, response: Parameters<typeof outcomeOf>[1]): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    if (pending.method === 'initialize' && 'result' in response) {
      const version = (response.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
      if (typeof version === 'string') this.protocolVersion = version;
    }
    this.finish(id, outcomeOf(pending.method, response));
  }

  private finish(id: RequestId, outcome: Outcome): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    const { span } = pending;
    if (span?.isRecording() && !outcome.ok) {
      span.setAttributes(outcomeAttributes(outcome));
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.message });
    }
    span?.end();
    const seconds = (performance.now() - pending.startMs) / 1000;
    this.options.instruments?.requestEnded(pending.method, pending.target, outcome, seconds);
  }

  private endAll(): void {
    for (const id of [...this.pending.keys()]) this.finish(id, SESSION_CLOSED);
    if (this.open) this.options.instruments?.sessionClosed();
    this.open = false;
  }
}

/** The client's context: its HTTP traceparent header, else params._meta.traceparent; else a new trace. */
function parentContext(request: RpcRequest, propagator: TextMapPropagator): Context {
  const carrier = traceHeadersOf(request) ?? metaTrace(request);
  return carrier ? propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter) : ROOT_CONTEXT;
}

function metaTrace(request: RpcRequest): TraceHeaders | undefined {
  const meta = request.params?._meta as Record<string, unknown> | undefined;
  const traceparent = meta?.traceparent;
  if (typeof traceparent !== 'string') return undefined;
  const tracestate = meta?.tracestate;
  return typeof tracestate === 'string' ? { traceparent, tracestate } : { traceparent };
}
