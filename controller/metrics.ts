// Controller metrics in a registry of their own. Names follow controller-runtime
// (pkg/internal/controller/metrics, client-go workqueue metrics) so dashboards written for Go operators
// work; mcp_operator_api_requests_total is ours and counts what the API server was asked to do, the
// figure that shows a hot loop (or its absence) at a glance.
import { createServer, type Server } from 'node:http';
import { registerProcessMetrics } from '../lib/process-metrics.ts';
import { CONTENT_TYPE, Counter, Gauge, Histogram, Registry } from '../lib/prometheus.ts';

export const CONTROLLER_NAME = 'mcpserver';

export type ReconcileResult = 'success' | 'error' | 'requeue_after';

export interface ControllerMetrics {
  readonly registry: Registry;
  observeReconcile(result: ReconcileResult, seconds: number): void;
  setDepth(depth: number): void;
  countAdd(): void;
  countRetry(): void;
  countRequest(verb: string, code: number): void;
}

const RECONCILE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createControllerMetrics(options: { processMetrics?: boolean } = {}): ControllerMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) registerProcessMetrics(registry);
  const total = registry.register(
    new Counter(
      'controller_runtime_reconcile_total',
      'Total number of reconciliations per controller and result.',
      ['controller', 'result'],
    ),
  );
  const duration = registry.register(
    new Histogram(
      'controller_runtime_reconcile_time_seconds',
      'Length of time per reconciliation per controller.',
      ['controller'],
      RECONCILE_BUCKETS,
    ),
  );
  const depth = registry.register(new Gauge('workqueue_depth', 'Current depth of the work queue.', ['name']));
  const adds = registry.register(
    new Counter('workqueue_adds_total', 'Total adds handled by the work queue.', ['name']),
  );
  const retries = registry.register(
    new Counter('workqueue_retries_total', 'Total retries handled by the work queue.', ['name']),
  );
  const requests = registry.register(
    new Counter(
      'mcp_operator_api_requests_total',
      'Requests the controller made to the API server (informer lists and watches excluded), by verb and HTTP code.',
      ['verb', 'code'],
    ),
  );
  // One controller and one queue, both named mcpserver.
  const named = [CONTROLLER_NAME];
  return {
    registry,
    observeReconcile(result, seconds) {
      total.inc([CONTROLLER_NAME, result]);
      duration.observe(named, seconds);
    },
    setDepth: (n) => depth.set(named, n),
    countAdd: () => adds.inc(named),
    countRetry: () => retries.inc(named),
    countRequest: (verb, code) => requests.inc([verb, String(code)]),
  };
}

/** Serves /metrics on the port (0 picks a free one); resolves once listening. */
export async function serveMetrics(registry: Registry, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.render().then(
      (text) => res.writeHead(200, { 'Content-Type': CONTENT_TYPE }).end(text),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return server;
}
