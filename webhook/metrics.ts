// Admission metrics, in a registry of their own per app, so two apps in one test process do not collide
// and /metrics shows exactly this server. Two families:
// - controller-runtime's names, with the same labels and meaning, so dashboards and alerts written for
//   Go operators (ToolHive's included) work unchanged: requests by webhook path and HTTP code, latency
//   and in-flight requests by path (controller-runtime pkg/webhook/internal/metrics/metrics.go);
// - our own, which say what the HTTP code cannot: the operation and the verdict of the review.
//
// The series are lib/prometheus.ts's, found by their label values without hashing a label object: the
// four a review touches must cost less than most admission rules (bench/webhook).
import { registerProcessMetrics } from '../lib/process-metrics.ts';
import { Counter, Gauge, Histogram, Registry } from '../lib/prometheus.ts';

export type ReviewKind = 'validate' | 'mutate';
export type Verdict = 'allowed' | 'denied' | 'errored' | 'bad_request';

export interface AdmissionObservation {
  /** The route path, controller-runtime's `webhook` label. */
  webhook: string;
  kind: ReviewKind;
  /** CREATE, UPDATE...; 'unknown' when the request could not be read. */
  operation: string;
  verdict: Verdict;
  httpStatus: number;
  seconds: number;
}

export interface AdmissionMetrics {
  readonly registry: Registry;
  /** Counts a request as started; call the returned function once it is answered. */
  startRequest(webhook: string): () => void;
  observe(observation: AdmissionObservation): void;
}

// Admission answers in well under a millisecond when it needs no lookups and in a few milliseconds
// when it reads a Secret; the default buckets (5 ms and up) would put nearly everything in the first.
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export function createAdmissionMetrics(options: { processMetrics?: boolean } = {}): AdmissionMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) registerProcessMetrics(registry);
  const requestsTotal = registry.register(
    new Counter(
      'admission_requests_total',
      'Admission reviews answered, by operation, kind of review and verdict.',
      ['operation', 'kind_of_review', 'verdict'],
    ),
  );
  const duration = registry.register(
    new Histogram(
      'admission_request_duration_seconds',
      'Time from receiving an admission review to answering it.',
      ['kind_of_review'],
      DURATION_BUCKETS,
    ),
  );
  const webhookRequests = registry.register(
    new Counter(
      'controller_runtime_webhook_requests_total',
      'Total number of admission requests by HTTP status code.',
      ['webhook', 'code'],
    ),
  );
  const webhookLatency = registry.register(
    new Histogram(
      'controller_runtime_webhook_latency_seconds',
      'Histogram of the latency of processing admission requests',
      ['webhook'],
      DURATION_BUCKETS,
    ),
  );
  const inFlightGauge = registry.register(
    new Gauge(
      'controller_runtime_webhook_requests_in_flight',
      'Current number of admission requests being served.',
      ['webhook'],
    ),
  );
  // A count per webhook with its `done` made once (nothing allocated per request), handed to the gauge
  // when /metrics is read.
  const inFlight = new Map<string, { count: number; done: () => void }>();
  registry.beforeRender(() => {
    for (const [webhook, { count }] of inFlight) inFlightGauge.set([webhook], count);
  });
  return {
    registry,
    startRequest(webhook) {
      let counter = inFlight.get(webhook);
      if (counter === undefined) {
        const created = { count: 0, done: () => void (created.count -= 1) };
        inFlight.set(webhook, (counter = created));
      }
      counter.count += 1;
      return counter.done;
    },
    observe(o) {
      requestsTotal.inc([o.operation, o.kind, o.verdict]);
      duration.observe([o.kind], o.seconds);
      webhookRequests.inc([o.webhook, String(o.httpStatus)]);
      webhookLatency.observe([o.webhook], o.seconds);
    },
  };
}
