// The run config's `edge` section: how the proxy stands behind an ingress or a load balancer. Written by
// the controller (controller/desired/proxy-edge.ts) from spec.trustProxyHeaders, spec.endpointPrefix,
// spec.proxyReadTimeout and spec.proxyWriteTimeout; read here, checked before the proxy starts.
// Decisions on the timeouts (ToolHive: stacklok/toolhive#5499, #5501, #6285):
// - readTimeout bounds receiving the whole request, headers and body (Go's http.Server ReadTimeout,
//   Node's requestTimeout). Unset or zero means 30 s, ToolHive's default: never unlimited, since a slow
//   upload would otherwise hold a connection for as long as its client likes. Headers alone get at most
//   10 s (ToolHive's ReadHeaderTimeout). Long-lived SSE streams are responses: the read timeout never
//   touches them.
// - writeTimeout bounds a plain answer, from the request's arrival to its last byte (Go's WriteTimeout);
//   past it the connection is closed. An SSE stream (text/event-stream: GET /sse, GET /mcp, a POST whose
//   answer streams) is exempt once it has started, as vMCP's write-deadline middleware exempts its
//   streams: a write timeout must never cut a live stream, whose keep-alives show it is alive. Unset or
//   zero: no write timeout (ToolHive's proxies set none).
import { parseGoDuration } from '../lib/go-duration.ts';
import { endpointPrefixProblem } from '../lib/endpoint-prefix.ts';

export interface RunConfigEdge {
  /** Build URLs from X-Forwarded-Proto, -Host, -Port and -Prefix; without it they are ignored. */
  trustProxyHeaders?: boolean;
  /** The path prefix clients reach the proxy under (an ingress strips it); wins over X-Forwarded-Prefix. */
  endpointPrefix?: string;
  /** Go duration; see the header. */
  readTimeout?: string;
  /** Go duration; see the header. */
  writeTimeout?: string;
}

export interface ServerTimeouts {
  /** Whole request, headers and body. */
  readMs: number;
  /** Headers only: at most readMs. */
  headersMs: number;
  /** Plain (non-stream) answers; 0: none. */
  writeMs: number;
}

export const DEFAULT_READ_TIMEOUT_MS = 30_000;
const HEADERS_TIMEOUT_MS = 10_000;
// Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer Go duration is clamped to it.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The first problem of the section (prefixed `edge.`), or undefined. */
export function edgeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'edge must be an object';
  const edge = value as Partial<Record<keyof RunConfigEdge, unknown>>;
  if (edge.trustProxyHeaders !== undefined && typeof edge.trustProxyHeaders !== 'boolean')
    return 'edge.trustProxyHeaders must be true or false';
  if (edge.endpointPrefix !== undefined) {
    if (typeof edge.endpointPrefix !== 'string') return 'edge.endpointPrefix must be a string';
    const problem = endpointPrefixProblem(edge.endpointPrefix);
    if (problem) return `edge.endpointPrefix ${JSON.stringify(edge.endpointPrefix)} ${problem}`;
  }
  for (const field of ['readTimeout', 'writeTimeout'] as const) {
    const v = edge[field];
    if (v === undefined) continue;
    const nanos = typeof v === 'string' ? parseGoDuration(v) : undefined;
    if (nanos === undefined || nanos < 0)
      return `edge.${field} ${JSON.stringify(v)} must be a Go duration of zero or more ("30s", "5m")`;
  }
  return undefined;
}

const millis = (duration: string | undefined): number => {
  const nanos = duration === undefined ? 0 : (parseGoDuration(duration) ?? 0);
  return nanos <= 0 ? 0 : Math.min(MAX_TIMER_MS, Math.ceil(nanos / 1e6));
};

/** The HTTP server's timeouts for a checked section (or none). */
export function serverTimeouts(edge: RunConfigEdge | undefined): ServerTimeouts {
  const readMs = millis(edge?.readTimeout) || DEFAULT_READ_TIMEOUT_MS;
  return { readMs, headersMs: Math.min(HEADERS_TIMEOUT_MS, readMs), writeMs: millis(edge?.writeTimeout) };
}
