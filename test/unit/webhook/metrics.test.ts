// webhook/metrics.ts on lib/prometheus.ts: the text must stay what prom-client printed (PROM_CLIENT, from
// the same observations before the change), since dashboards and the server's tests read it.
import { expect } from 'chai';
import { sumSamples } from '../../../lib/prometheus-text.ts';
import { createAdmissionMetrics } from '../../../webhook/metrics.ts';

const PROM_CLIENT = `# HELP admission_requests_total Admission reviews answered, by operation, kind of review and verdict.
# TYPE admission_requests_total counter
admission_requests_total{operation="CREATE",kind_of_review="validate",verdict="allowed"} 1
admission_requests_total{operation="UPDATE",kind_of_review="mutate",verdict="denied"} 1
admission_requests_total{operation="unknown",kind_of_review="validate",verdict="bad_request"} 1

# HELP admission_request_duration_seconds Time from receiving an admission review to answering it.
# TYPE admission_request_duration_seconds histogram
admission_request_duration_seconds_bucket{le="0.0005",kind_of_review="validate"} 1
admission_request_duration_seconds_bucket{le="0.001",kind_of_review="validate"} 1
admission_request_duration_seconds_bucket{le="0.0025",kind_of_review="validate"} 1
admission_request_duration_seconds_bucket{le="0.005",kind_of_review="validate"} 1
admission_request_duration_seconds_bucket{le="0.01",kind_of_review="validate"} 1
admission_request_duration_seconds_bucket{le="0.025",kind_of_review="validate"} 1
admission_request_duration_seconds_bucket{le="0.05",kind_of_review="validate"} 1
admission_request_duration_seconds_bucket{le="0.1",kind_of_review="validate"} 1
admission_request_duration_seconds_bucket{le="0.25",kind_of_review="validate"} 1
admission_request_duration_seconds_bucket{le="0.5",kind_of_review="validate"} 1
admission_request_duration_seconds_bucket{le="1",kind_of_review="validate"} 1
admission_request_duration_seconds_bucket{le="+Inf",kind_of_review="validate"} 2
admission_request_duration_seconds_sum{kind_of_review="validate"} 2.0004
admission_request_duration_seconds_count{kind_of_review="validate"} 2
admission_request_duration_seconds_bucket{le="0.0005",kind_of_review="mutate"} 0
admission_request_duration_seconds_bucket{le="0.001",kind_of_review="mutate"} 0
admission_request_duration_seconds_bucket{le="0.0025",kind_of_review="mutate"} 0
admission_request_duration_seconds_bucket{le="0.005",kind_of_review="mutate"} 1
admission_request_duration_seconds_bucket{le="0.01",kind_of_review="mutate"} 1
admission_request_duration_seconds_bucket{le="0.025",kind_of_review="mutate"} 1
admission_request_duration_seconds_bucket{le="0.05",kind_of_review="mutate"} 1
admission_request_duration_seconds_bucket{le="0.1",kind_of_review="mutate"} 1
admission_request_duration_seconds_bucket{le="0.25",kind_of_review="mutate"} 1
admission_request_duration_seconds_bucket{le="0.5",kind_of_review="mutate"} 1
admission_request_duration_seconds_bucket{le="1",kind_of_review="mutate"} 1
admission_request_duration_seconds_bucket{le="+Inf",kind_of_review="mutate"} 1
admission_request_duration_seconds_sum{kind_of_review="mutate"} 0.003
admission_request_duration_seconds_count{kind_of_review="mutate"} 1

# HELP controller_runtime_webhook_requests_total Total number of admission requests by HTTP status code.
# TYPE controller_runtime_webhook_requests_total counter
controller_runtime_webhook_requests_total{webhook="/validate",code="200"} 1
controller_runtime_webhook_requests_total{webhook="/mutate",code="200"} 1
controller_runtime_webhook_requests_total{webhook="/validate",code="400"} 1

# HELP controller_runtime_webhook_latency_seconds Histogram of the latency of processing admission requests
# TYPE controller_runtime_webhook_latency_seconds histogram
controller_runtime_webhook_latency_seconds_bucket{le="0.0005",webhook="/validate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="0.001",webhook="/validate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="0.0025",webhook="/validate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="0.005",webhook="/validate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="0.01",webhook="/validate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="0.025",webhook="/validate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="0.05",webhook="/validate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="0.1",webhook="/validate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="0.25",webhook="/validate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="0.5",webhook="/validate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="1",webhook="/validate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="+Inf",webhook="/validate"} 2
controller_runtime_webhook_latency_seconds_sum{webhook="/validate"} 2.0004
controller_runtime_webhook_latency_seconds_count{webhook="/validate"} 2
controller_runtime_webhook_latency_seconds_bucket{le="0.0005",webhook="/mutate"} 0
controller_runtime_webhook_latency_seconds_bucket{le="0.001",webhook="/mutate"} 0
controller_runtime_webhook_latency_seconds_bucket{le="0.0025",webhook="/mutate"} 0
controller_runtime_webhook_latency_seconds_bucket{le="0.005",webhook="/mutate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="0.01",webhook="/mutate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="0.025",webhook="/mutate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="0.05",webhook="/mutate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="0.1",webhook="/mutate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="0.25",webhook="/mutate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="0.5",webhook="/mutate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="1",webhook="/mutate"} 1
controller_runtime_webhook_latency_seconds_bucket{le="+Inf",webhook="/mutate"} 1
controller_runtime_webhook_latency_seconds_sum{webhook="/mutate"} 0.003
controller_runtime_webhook_latency_seconds_count{webhook="/mutate"} 1

# HELP controller_runtime_webhook_requests_in_flight Current number of admission requests being served.
# TYPE controller_runtime_webhook_requests_in_flight gauge
controller_runtime_webhook_requests_in_flight{webhook="/validate"} 0
controller_runtime_webhook_requests_in_flight{webhook="/mutate"} 1
`;

describe('webhook/metrics.ts', () => {
  it('exposes admission and controller-runtime webhook metrics as prom-client did', async () => {
    const metrics = createAdmissionMetrics({ processMetrics: false });
    const done = metrics.startRequest('/validate');
    metrics.startRequest('/mutate');
    const review = { operation: 'CREATE', verdict: 'allowed', httpStatus: 200, seconds: 0.0004 } as const;
    metrics.observe({ ...review, webhook: '/validate', kind: 'validate' });
    metrics.observe({
      ...review,
      webhook: '/mutate',
      kind: 'mutate',
      operation: 'UPDATE',
      verdict: 'denied',
      seconds: 0.003,
    });
    metrics.observe({
      webhook: '/validate',
      kind: 'validate',
      operation: 'unknown',
      verdict: 'bad_request',
      httpStatus: 400,
      seconds: 2,
    });
    done();
    expect(await metrics.registry.render()).to.equal(PROM_CLIENT);
  });

  it('counts every review in its series, and requests in flight until answered', async () => {
    const metrics = createAdmissionMetrics({ processMetrics: false });
    const answered = Array.from({ length: 1000 }, () => metrics.startRequest('/validate'));
    const review = {
      webhook: '/validate',
      kind: 'validate',
      operation: 'CREATE',
      verdict: 'allowed',
      httpStatus: 200,
      seconds: 0.001,
    } as const;
    for (const done of answered.slice(0, 600)) {
      metrics.observe(review);
      done();
    }
    const text = await metrics.registry.render();
    expect(sumSamples(text, 'admission_requests_total')).to.equal(600);
    expect(sumSamples(text, 'controller_runtime_webhook_latency_seconds_count')).to.equal(600);
    expect(sumSamples(text, 'controller_runtime_webhook_requests_in_flight')).to.equal(400);
    expect(text.split('\n').filter((line) => line.startsWith('admission_requests_total{'))).to.have.length(1);
  });

  it('adds the process metrics unless turned off, with the heap per space the soak reads', async () => {
    const text = await createAdmissionMetrics().registry.render();
    for (const name of [
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_external_memory_bytes',
    ])
      expect(text).to.include(`\n# TYPE ${name} gauge\n`);
    expect(
      sumSamples(text, 'nodejs_heap_space_size_total_bytes', (l) => l === '{space="new"}'),
    ).to.be.greaterThan(0);
    expect(await createAdmissionMetrics({ processMetrics: false }).registry.render()).not.to.match(
      /^(process|nodejs)_/m,
    );
  });
});
