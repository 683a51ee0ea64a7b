// The proxy's Prometheus metrics, in a registry of its own (as webhook/metrics.ts does): HTTP
// requests and their latency by front, open sessions by front, JSON-RPC requests by outcome, and the
// backend's restarts and health, read when scraped.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type FrontName = 'streamable-http' | 'sse';

export interface ProxyMetrics {
  readonly registry: Registry;
  /** Counts an HTTP request to an MCP endpoint once answered (for SSE: once its stream ends). */
  observeHttp(front: FrontName, method: string, status: number, seconds: number): void;
  sessionOpened(front: FrontName): void;
  sessionClosed(front: FrontName): void;
  /** A JSON-RPC request refused because a bound was reached (queue, sessions, size). */
  refused(front: FrontName, reason: 'busy' | 'too-large' | 'too-many-sessions'): void;
}

// Through a stdio server a tools/call takes well under a millisecond of proxy time; calls that do real
// work take seconds. Buckets span both.
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30];

export interface BackendGauges {
  restarts(): number;
  healthy(): boolean;
}

export function createProxyMetrics(
  backend: BackendGauges,
  options: { processMetrics?: boolean } = {},
): ProxyMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const requests = new Counter({
    name: 'mcp_proxy_http_requests_total',
    help: 'HTTP requests to the MCP endpoints, by front, HTTP method and status code.',
    labelNames: ['front', 'method', 'code'] as const,
    registers,
  });
  const latency = new Histogram({
    name: 'mcp_proxy_http_request_duration_seconds',
    help: 'Time from an HTTP request to the MCP endpoints until its answer ended.',
    labelNames: ['front', 'method'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const sessions = new Gauge({
    name: 'mcp_proxy_sessions',
    help: 'Open client sessions, by front.',
    labelNames: ['front'] as const,
    registers,
  });
  const refusals = new Counter({
    name: 'mcp_proxy_refused_total',
    help: 'Client messages refused because a bound was reached.',
    labelNames: ['front', 'reason'] as const,
    registers,
  });
  new Counter({
    name: 'mcp_proxy_backend_restarts_total',
    help: 'Times the MCP server stream was re-opened (process restarts, re-attaches).',
    registers,
    collect() {
      this.reset();
      this.inc(backend.restarts());
    },
  });
  new Gauge({
    name: 'mcp_proxy_backend_up',
    help: '1 while the MCP server answers, else 0.',
    registers,
    collect() {
      this.set(backend.healthy() ? 1 : 0);
    },
  });
  return {
    registry,
    observeHttp(front, method, status, seconds) {
      requests.inc({ front, method, code: String(status) });
      latency.observe({ front, method }, seconds);
    },
    sessionOpened: (front) => sessions.inc({ front }),
    sessionClosed: (front) => sessions.dec({ front }),
    refused: (front, reason) => refusals.inc({ front, reason }),
  };
}
