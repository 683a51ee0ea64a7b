// Controller metrics in a registry of their own. Names follow controller-runtime
// (pkg/internal/controller/metrics, client-go workqueue metrics) so dashboards written for Go operators
// work; mcp_operator_api_requests_total is ours and counts what the API server was asked to do, the
// figure that shows a hot loop (or its absence) at a glance.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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

export function createControllerMetrics(options: { processMetrics?: boolean } = {}): ControllerMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const total = new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller and result.',
    labelNames: ['controller', 'result'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller.',
    labelNames: ['controller'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const depth = new Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of the work queue.',
    labelNames: ['name'] as const,
    registers,
  });
  const adds = new Counter({
    name: 'workqueue_adds_total',
    help: 'Total adds handled by the work queue.',
    labelNames: ['name'] as const,
    registers,
  });
  const retries = new Counter({
    name: 'workqueue_retries_total',
    help: 'Total retries handled by the work queue.',
    labelNames: ['name'] as const,
    registers,
  });
  const requests = new Counter({
    name: 'mcp_operator_api_requests_total',
    help: 'Requests the controller made to the API server (informer lists and watches excluded), by verb and HTTP code.',
    labelNames: ['verb', 'code'] as const,
    registers,
  });
  const queue = { name: CONTROLLER_NAME };
  return {
    registry,
    observeReconcile(result, seconds) {
      total.inc({ controller: CONTROLLER_NAME, result });
      duration.observe({ controller: CONTROLLER_NAME }, seconds);
    },
    setDepth: (n) => depth.set(queue, n),
    countAdd: () => adds.inc(queue),
    countRetry: () => retries.inc(queue),
    countRequest: (verb, code) => requests.inc({ verb, code: String(code) }),
  };
}

/** Serves /metrics on the port (0 picks a free one); resolves once listening. */
export async function serveMetrics(registry: Registry, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return server;
}
