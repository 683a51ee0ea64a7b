// Admission metrics, in a registry of their own per app (not prom-client's global one), so two apps in
// one test process do not collide and /metrics shows exactly this server. Two families:
// - controller-runtime's names, with the same labels and meaning, so dashboards and alerts written for
//   Go operators (ToolHive's included) work unchanged: requests by webhook path and HTTP code, latency
//   and in-flight requests by path (controller-runtime pkg/webhook/internal/metrics/metrics.go);
// - our own, which say what the HTTP code cannot: the operation and the verdict of the review.
//
// Every review is counted in plain objects found by their label values, and prom-client reads them only
// when /metrics is scraped: its own inc() and observe() check and hash the label object on every call,
// which for the four series a review touches cost more than most admission rules (bench/webhook).
import { Counter, Gauge, Registry, collectDefaultMetrics, type MetricValueWithName } from 'prom-client';

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

type Labels<N extends string> = Record<N, string>;

/** Series of one family, each found by its label values through nested maps (no key is built per call). */
class SeriesTree<S> {
  readonly #root = new Map<string, unknown>();
  readonly #all: S[] = [];
  readonly #create: (values: readonly string[]) => S;

  constructor(create: (values: readonly string[]) => S) {
    this.#create = create;
  }

  get(...values: string[]): S {
    let node = this.#root;
    for (let i = 0; i < values.length - 1; i++) {
      let next = node.get(values[i]!) as Map<string, unknown> | undefined;
      if (next === undefined) node.set(values[i]!, (next = new Map<string, unknown>()));
      node = next;
    }
    const last = values[values.length - 1]!;
    let series = node.get(last) as S | undefined;
    if (series === undefined) {
      series = this.#create(values);
      node.set(last, series);
      this.#all.push(series);
    }
    return series;
  }

  /** Every series, in the order they were first used (the order prom-client would list them in). */
  all(): readonly S[] {
    return this.#all;
  }

  clear(): void {
    this.#root.clear();
    this.#all.length = 0;
  }
}

interface CounterSeries<N extends string> {
  labels: Labels<N>;
  value: number;
}

/** A prom-client Counter whose values are kept here and handed to it when it is collected. */
function counterFamily<N extends string>(
  options: { name: string; help: string; labelNames: readonly N[] },
  registers: Registry[],
): SeriesTree<CounterSeries<N>> {
  const tree = new SeriesTree<CounterSeries<N>>((values) => ({
    labels: labelsOf(options.labelNames, values),
    value: 0,
  }));
  new Counter({
    ...options,
    registers,
    collect() {
      this.reset();
      for (const series of tree.all()) this.inc(series.labels, series.value);
    },
  });
  return tree;
}

interface HistogramSeries<N extends string> {
  labels: Labels<N>;
  /** counts[i]: observations in (bounds[i-1], bounds[i]]; the last slot is above every bound. */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * A histogram registered in a prom-client Registry, exposed exactly as prom-client's Histogram exposes
 * one (the same values and label order), but observed without hashing a label object.
 */
class HistogramFamily<N extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #bounds: readonly number[];
  readonly #series: SeriesTree<HistogramSeries<N>>;

  constructor(options: { name: string; help: string; labelNames: readonly N[]; buckets: readonly number[] }) {
    this.name = options.name;
    this.help = options.help;
    this.#bounds = [...options.buckets].sort((a, b) => a - b);
    this.#series = new SeriesTree((values) => ({
      labels: labelsOf(options.labelNames, values),
      counts: new Array<number>(this.#bounds.length + 1).fill(0),
      sum: 0,
      count: 0,
    }));
  }

  series(...values: string[]): HistogramSeries<N> {
    return this.#series.get(...values);
  }

  observe(series: HistogramSeries<N>, value: number): void {
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    series.counts[i]! += 1;
    series.sum += value;
    series.count += 1;
  }

  /** What the Registry prints: per series, its buckets (le first), +Inf, _sum and _count. */
  getForPromString() {
    const values: (MetricValueWithName<string> & { sharedLabels: Labels<N> })[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels, counts, sum, count } of this.#series.all()) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += counts[i]!;
        values.push({ labels: { le }, sharedLabels: labels, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels: labels, value: count, metricName: bucket });
      values.push({ labels: {}, sharedLabels: labels, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: labels, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** As prom-client's Histogram.get(): each value's own labels (le) first, then the series' labels. */
  get() {
    const data = this.getForPromString();
    const values = data.values.map(({ labels, sharedLabels, value, metricName }) => {
      const splayed = { ...labels, ...sharedLabels };
      return 'le' in labels
        ? { value, metricName, exemplar: null, labels: splayed }
        : { value, metricName, labels: splayed };
    });
    return { ...data, values };
  }

  /** As prom-client's reset(): every series dropped. */
  reset(): void {
    this.#series.clear();
  }
}

function labelsOf<N extends string>(names: readonly N[], values: readonly string[]): Labels<N> {
  return Object.fromEntries(names.map((name, i) => [name, values[i]])) as Labels<N>;
}

export function createAdmissionMetrics(options: { processMetrics?: boolean } = {}): AdmissionMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const requestsTotal = counterFamily(
    {
      name: 'admission_requests_total',
      help: 'Admission reviews answered, by operation, kind of review and verdict.',
      labelNames: ['operation', 'kind_of_review', 'verdict'] as const,
    },
    registers,
  );
  const duration = new HistogramFamily({
    name: 'admission_request_duration_seconds',
    help: 'Time from receiving an admission review to answering it.',
    labelNames: ['kind_of_review'] as const,
    buckets: DURATION_BUCKETS,
  });
  registry.registerMetric(duration as never);
  const webhookRequests = counterFamily(
    {
      name: 'controller_runtime_webhook_requests_total',
      help: 'Total number of admission requests by HTTP status code.',
      labelNames: ['webhook', 'code'] as const,
    },
    registers,
  );
  const webhookLatency = new HistogramFamily({
    name: 'controller_runtime_webhook_latency_seconds',
    help: 'Histogram of the latency of processing admission requests',
    labelNames: ['webhook'] as const,
    buckets: DURATION_BUCKETS,
  });
  registry.registerMetric(webhookLatency as never);
  // Counted in a plain map and handed to the gauge when /metrics is read.
  const inFlight = new Map<string, { count: number; done: () => void }>();
  new Gauge({
    name: 'controller_runtime_webhook_requests_in_flight',
    help: 'Current number of admission requests being served.',
    labelNames: ['webhook'] as const,
    registers,
    collect() {
      for (const [webhook, { count }] of inFlight) this.set({ webhook }, count);
    },
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
      requestsTotal.get(o.operation, o.kind, o.verdict).value += 1;
      duration.observe(duration.series(o.kind), o.seconds);
      webhookRequests.get(o.webhook, String(o.httpStatus)).value += 1;
      webhookLatency.observe(webhookLatency.series(o.webhook), o.seconds);
    },
  };
}
