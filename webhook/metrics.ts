// Admission metrics, in a registry of their own per app (not prom-client's global one), so two apps in
// one test process do not collide and /metrics shows exactly this server. Two families:
// - controller-runtime's names, with the same labels and meaning, so dashboards and alerts written for
//   Go operators (ToolHive's included) work unchanged: requests by webhook path and HTTP code, latency
//   and in-flight requests by path (controller-runtime pkg/webhook/internal/metrics/metrics.go);
// - our own, which say what the HTTP code cannot: the operation and the verdict of the review.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const requestsTotal = new Counter({
    name: 'admission_requests_total',
    help: 'Admission reviews answered, by operation, kind of review and verdict.',
    labelNames: ['operation', 'kind_of_review', 'verdict'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'admission_request_duration_seconds',
    help: 'Time from receiving an admission review to answering it.',
    labelNames: ['kind_of_review'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const webhookRequests = new Counter({
    name: 'controller_runtime_webhook_requests_total',
    help: 'Total number of admission requests by HTTP status code.',
    labelNames: ['webhook', 'code'] as const,
    registers,
  });
  const webhookLatency = new Histogram({
    name: 'controller_runtime_webhook_latency_seconds',
    help: 'Histogram of the latency of processing admission requests',
    labelNames: ['webhook'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  // Counted in a plain map and handed to the gauge when /metrics is read: the gauge's own inc and dec
  // would hash and check the labels twice per review, on the one hot path of the webhook.
  const inFlight = new Map<string, number>();
  new Gauge({
    name: 'controller_runtime_webhook_requests_in_flight',
    help: 'Current number of admission requests being served.',
    labelNames: ['webhook'] as const,
    registers,
    collect() {
      for (const [webhook, count] of inFlight) this.set({ webhook }, count);
    },
  });
  return {
    registry,
    startRequest(webhook) {
      inFlight.set(webhook, (inFlight.get(webhook) ?? 0) + 1);
      return () => void inFlight.set(webhook, (inFlight.get(webhook) ?? 1) - 1);
    },
    observe(o) {
      requestsTotal.inc({ operation: o.operation, kind_of_review: o.kind, verdict: o.verdict });
      duration.observe({ kind_of_review: o.kind }, o.seconds);
      webhookRequests.inc({ webhook: o.webhook, code: String(o.httpStatus) });
      webhookLatency.observe({ webhook: o.webhook }, o.seconds);
    },
  };
}
