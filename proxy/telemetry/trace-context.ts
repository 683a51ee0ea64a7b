// W3C trace context (traceparent, tracestate) that travels with one message through the proxy, kept
// beside the message rather than in it, so nothing between a front and a backend has to carry it and
// nothing reaches the server's JSON. The fronts record the client's headers (carryTrace), the telemetry
// backend (telemetry-backend.ts) replaces them with its span's, and the streamable-HTTP upstream sends
// what it finds (traceHeadersOf) with the POST of that message. Without telemetry the client's context
// passes through unchanged. Loads nothing: the fronts and backends import it whether telemetry is on or not.
import type { IncomingHttpHeaders } from 'node:http';

export interface TraceHeaders {
  traceparent: string;
  tracestate?: string;
}

const byMessage = new WeakMap<object, TraceHeaders>();

/** The trace context recorded for message, if any. */
export const traceHeadersOf = (message: object): TraceHeaders | undefined => byMessage.get(message);

export function setTraceHeaders(message: object, headers: TraceHeaders | undefined): void {
  if (headers) byMessage.set(message, headers);
  else byMessage.delete(message);
}

/** Records the client's traceparent (and tracestate) on message, when its HTTP request had one. */
export function carryTrace(message: object, headers: IncomingHttpHeaders): void {
  const traceparent = headers.traceparent;
  if (typeof traceparent !== 'string') return;
  const tracestate = headers.tracestate;
  byMessage.set(message, typeof tracestate === 'string' ? { traceparent, tracestate } : { traceparent });
}
