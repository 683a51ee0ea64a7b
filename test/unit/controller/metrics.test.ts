// controller/metrics.ts on lib/prometheus.ts: the text must stay what prom-client printed (PROM_CLIENT,
// from the same observations before the change); serveMetrics serves it.
import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import { createControllerMetrics, serveMetrics } from '../../../controller/metrics.ts';

const PROM_CLIENT = `# HELP controller_runtime_reconcile_total Total number of reconciliations per controller and result.
# TYPE controller_runtime_reconcile_total counter
controller_runtime_reconcile_total{controller="mcpserver",result="success"} 2
controller_runtime_reconcile_total{controller="mcpserver",result="error"} 1

# HELP controller_runtime_reconcile_time_seconds Length of time per reconciliation per controller.
# TYPE controller_runtime_reconcile_time_seconds histogram
controller_runtime_reconcile_time_seconds_bucket{le="0.001",controller="mcpserver"} 0
controller_runtime_reconcile_time_seconds_bucket{le="0.005",controller="mcpserver"} 1
controller_runtime_reconcile_time_seconds_bucket{le="0.01",controller="mcpserver"} 1
controller_runtime_reconcile_time_seconds_bucket{le="0.025",controller="mcpserver"} 1
controller_runtime_reconcile_time_seconds_bucket{le="0.05",controller="mcpserver"} 1
controller_runtime_reconcile_time_seconds_bucket{le="0.1",controller="mcpserver"} 1
controller_runtime_reconcile_time_seconds_bucket{le="0.25",controller="mcpserver"} 1
controller_runtime_reconcile_time_seconds_bucket{le="0.5",controller="mcpserver"} 1
controller_runtime_reconcile_time_seconds_bucket{le="1",controller="mcpserver"} 2
controller_runtime_reconcile_time_seconds_bucket{le="2.5",controller="mcpserver"} 2
controller_runtime_reconcile_time_seconds_bucket{le="5",controller="mcpserver"} 2
controller_runtime_reconcile_time_seconds_bucket{le="10",controller="mcpserver"} 2
controller_runtime_reconcile_time_seconds_bucket{le="+Inf",controller="mcpserver"} 3
controller_runtime_reconcile_time_seconds_sum{controller="mcpserver"} 20.703
controller_runtime_reconcile_time_seconds_count{controller="mcpserver"} 3

# HELP workqueue_depth Current depth of the work queue.
# TYPE workqueue_depth gauge
workqueue_depth{name="mcpserver"} 4

# HELP workqueue_adds_total Total adds handled by the work queue.
# TYPE workqueue_adds_total counter
workqueue_adds_total{name="mcpserver"} 2

# HELP workqueue_retries_total Total retries handled by the work queue.
# TYPE workqueue_retries_total counter
workqueue_retries_total{name="mcpserver"} 1

# HELP mcp_operator_api_requests_total Requests the controller made to the API server (informer lists and watches excluded), by verb and HTTP code.
# TYPE mcp_operator_api_requests_total counter
mcp_operator_api_requests_total{verb="GET",code="200"} 1
mcp_operator_api_requests_total{verb="PATCH",code="409"} 1
`;

describe('controller/metrics.ts', () => {
  it('exposes controller-runtime, workqueue and API request metrics as prom-client did', async () => {
    const metrics = createControllerMetrics({ processMetrics: false });
    metrics.observeReconcile('success', 0.003);
    metrics.observeReconcile('error', 0.7);
    metrics.observeReconcile('success', 20);
    metrics.setDepth(4);
    metrics.countAdd();
    metrics.countAdd();
    metrics.countRetry();
    metrics.countRequest('GET', 200);
    metrics.countRequest('PATCH', 409);
    expect(await metrics.registry.render()).to.equal(PROM_CLIENT);
  });

  it('serves /metrics as Prometheus text 0.0.4, process metrics included, and 404 elsewhere', async () => {
    const metrics = createControllerMetrics();
    metrics.countAdd();
    const server = await serveMetrics(metrics.registry, 0, '127.0.0.1');
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await fetch(`${base}/metrics`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.equal('text/plain; version=0.0.4; charset=utf-8');
      const text = await res.text();
      expect(text).to.include('\nworkqueue_adds_total{name="mcpserver"} 1\n');
      expect(text).to.match(/^nodejs_heap_space_size_used_bytes\{space="new"\} \d+$/m);
      expect((await fetch(`${base}/other`)).status).to.equal(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
