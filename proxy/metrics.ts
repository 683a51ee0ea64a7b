// The proxy's Prometheus metrics (lib/prometheus.ts, not prom-client: see there): HTTP requests and their
// latency by front, open sessions by front, refusals by reason, authentication refusals by reason, and
// the backend's restarts and health, read when scraped; rate-limit refusals and failed rate-limit checks
// (proxy/ratelimit/); process metrics unless turned off.
import { registerProcessMetrics } from '../lib/process-metrics.ts';
import { CONTENT_TYPE, Counter, Gauge, Histogram, Registry } from '../lib/prometheus.ts';

export type FrontName = 'streamable-http' | 'sse';

export interface ProxyMetrics {
  /** The text exposition of every metric, values read now. */
  render(): Promise<string>;
  readonly contentType: string;
  /** Counts an HTTP request to an MCP endpoint once answered (for SSE: once its stream ends). */
  observeHttp(front: FrontName, method: string, status: number, seconds: number): void;
  sessionOpened(front: FrontName): void;
  sessionClosed(front: FrontName): void;
  /** A JSON-RPC request refused because a bound was reached (queue, sessions, size). */
  refused(front: FrontName, reason: 'busy' | 'too-large' | 'too-many-sessions'): void;
  /** A request refused by authentication (proxy/auth/failure.ts names the reasons). */
  authFailed(reason: string): void;
  /** A tools/call refused by spec.rateLimiting: the refusing bucket's scope, its tool ('' server-wide). */
  rateLimited(scope: 'shared' | 'perUser', tool: string): void;
  /** A rate-limit check that failed (Redis away or slow): the call went on unlimited. */
  rateLimitError(): void;
  /** A token exchange toward the MCP server (proxy/outgoing-auth/): 'exchanged' or why it failed. */
  tokenExchange(outcome: string): void;
  /** One call to an MCPWebhookConfig webhook (proxy/traffic-webhooks/): its result and duration. */
  webhookCalled(type: string, webhook: string, result: string, seconds: number): void;
  /** A request refused by a webhook: its answer ('denied') or its failure under policy fail ('failure'). */
  webhookRefused(type: string, webhook: string, reason: 'denied' | 'failure'): void;
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
  const requests = registry.register(
    new Counter(
      'mcp_proxy_http_requests_total',
      'HTTP requests to the MCP endpoints, by front, HTTP method and status code.',
      ['front', 'method', 'code'],
    ),
  );
  const latency = registry.register(
    new Histogram(
      'mcp_proxy_http_request_duration_seconds',
      'Time from an HTTP request to the MCP endpoints until its answer ended.',
      ['front', 'method'],
      LATENCY_BUCKETS,
    ),
  );
  const sessions = registry.register(
    new Gauge('mcp_proxy_sessions', 'Open client sessions, by front.', ['front']),
  );
  const refusals = registry.register(
    new Counter('mcp_proxy_refused_total', 'Client messages refused because a bound was reached.', [
      'front',
      'reason',
    ]),
  );
  const authFailures = registry.register(
    new Counter('mcp_proxy_auth_failures_total', 'Requests refused by authentication, by reason.', [
      'reason',
    ]),
  );
  // tool is '' or a tool name from spec.rateLimiting.tools: a bounded set, whatever clients call.
  const rateLimited = registry.register(
    new Counter(
      'mcp_proxy_rate_limited_total',
      'tools/call requests refused by rate limiting, by the scope of the refusing bucket and its tool (empty: server-wide).',
      ['scope', 'tool'],
    ),
  );
  const rateLimitErrors = registry.register(
    new Counter(
      'mcp_proxy_rate_limit_errors_total',
      'Rate-limit checks that failed (Redis unreachable, slow or erroring); the calls went on unlimited.',
    ),
  );
  // outcome: exchanged, no-subject-token, unreachable, refused, malformed (outgoing-auth/failure.ts).
  const tokenExchanges = registry.register(
    new Counter(
      'mcp_proxy_token_exchanges_total',
      'Token exchanges toward the MCP server (outgoingAuth tokenExchange), by outcome: exchanged, or why not.',
      ['outcome'],
    ),
  );
  // webhook names come from the MCPWebhookConfig: a bounded set, whatever clients send.
  const webhookCalls = registry.register(
    new Counter(
      'mcp_proxy_webhook_calls_total',
      'Calls to the MCPWebhookConfig webhooks, by type, webhook and result (allowed, denied, error, timeout).',
      ['type', 'webhook', 'result'],
    ),
  );
  const webhookLatency = registry.register(
    new Histogram(
      'mcp_proxy_webhook_call_duration_seconds',
      'Time from a webhook call until its answer was read (or it failed).',
      ['type', 'webhook'],
      LATENCY_BUCKETS,
    ),
  );
  const webhookRefusals = registry.register(
    new Counter(
      'mcp_proxy_webhook_refused_total',
      'MCP requests refused by a webhook: by its answer (denied) or by its failure under failurePolicy fail (failure).',
      ['type', 'webhook', 'reason'],
    ),
  );
  const restarts = registry.register(
    new Counter(
      'mcp_proxy_backend_restarts_total',
      'Times the MCP server stream was re-opened (process restarts, re-attaches).',
    ),
  );
  const up = registry.register(new Gauge('mcp_proxy_backend_up', '1 while the MCP server answers, else 0.'));
  registry.beforeRender(() => {
    restarts.set([], backend.restarts());
    up.set([], backend.healthy() ? 1 : 0);
  });
  if (options.processMetrics ?? true) registerProcessMetrics(registry);
  return {
    render: () => registry.render(),
    contentType: CONTENT_TYPE,
    observeHttp(front, method, status, seconds) {
      requests.inc([front, method, String(status)]);
      latency.observe([front, method], seconds);
    },
    sessionOpened: (front) => sessions.inc([front]),
    sessionClosed: (front) => sessions.dec([front]),
    refused: (front, reason) => refusals.inc([front, reason]),
    authFailed: (reason) => authFailures.inc([reason]),
    rateLimited: (scope, tool) => rateLimited.inc([scope, tool]),
    rateLimitError: () => rateLimitErrors.inc(),
    tokenExchange: (outcome) => tokenExchanges.inc([outcome]),
    webhookCalled(type, webhook, result, seconds) {
      webhookCalls.inc([type, webhook, result]);
      webhookLatency.observe([type, webhook], seconds);
    },
    webhookRefused: (type, webhook, reason) => webhookRefusals.inc([type, webhook, reason]),
  };
}
