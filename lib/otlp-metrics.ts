// The operator's own metrics (the controller's reconcile metrics, the webhooks' admission metrics) pushed
// over OTLP/HTTP as well as served on /metrics: the same registries (lib/prometheus.ts) are rendered every
// interval and their text turned into one OTLP JSON export request, counters as cumulative monotonic sums,
// gauges as gauges, histograms from their _bucket/_sum/_count lines. No OpenTelemetry SDK: the registries
// already hold the values, and the SDK would keep a second copy. Turned on by MCP_OPERATOR_OTLP_ENDPOINT
// (the Helm value telemetry.otlpEndpoint), an OTLP/HTTP base URL such as http://otel-collector:4318.
import type { Logger } from './log.ts';

interface Sample {
  labels: Record<string, string>;
  value: number;
}
interface Family {
  name: string;
  help: string;
  type: string;
  samples: Map<string, Sample[]>;
}

const LINE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g;

/** The families of a text exposition, samples grouped by their full name (x, x_bucket, x_sum, ...). */
export function parseExposition(text: string): Family[] {
  const families = new Map<string, Family>();
  let current: Family | undefined;
  for (const line of text.split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      current = families.get(meta[2]!) ?? { name: meta[2]!, help: '', type: 'untyped', samples: new Map() };
      families.set(current.name, current);
      if (meta[1] === 'HELP') current.help = meta[3]!;
      else current.type = meta[3]!;
      continue;
    }
    const match = LINE.exec(line);
    if (!match || !current) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL))
      labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const list = current.samples.get(match[1]!) ?? [];
    list.push({ labels, value: Number(match[3]) });
    current.samples.set(match[1]!, list);
  }
  return [...families.values()];
}

type KeyValue = { key: string; value: { stringValue: string } };
const attributes = (labels: Record<string, string>, drop = ''): KeyValue[] =>
  Object.entries(labels)
    .filter(([k]) => k !== drop)
    .map(([key, v]) => ({ key, value: { stringValue: v } }));
const seriesKey = (labels: Record<string, string>, drop = ''): string =>
  JSON.stringify(Object.entries(labels).filter(([k]) => k !== drop));

/** One OTLP metric (JSON encoding) for a family, or undefined for a type OTLP has no match for here. */
export function otlpMetric(
  family: Family,
  startNs: string,
  nowNs: string,
): Record<string, unknown> | undefined {
  const times = { startTimeUnixNano: startNs, timeUnixNano: nowNs };
  const points = (name: string) =>
    (family.samples.get(name) ?? []).map((s) => ({
      ...times,
      attributes: attributes(s.labels),
      asDouble: s.value,
    }));
  const base = { name: family.name, description: family.help };
  if (family.type === 'counter')
    return {
      ...base,
      sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: points(family.name) },
    };
  if (family.type === 'gauge' || family.type === 'untyped')
    return { ...base, gauge: { dataPoints: points(family.name) } };
  if (family.type !== 'histogram') return undefined;
  const series = new Map<string, { labels: Record<string, string>; bounds: number[]; counts: number[] }>();
  for (const s of family.samples.get(`${family.name}_bucket`) ?? []) {
    const key = seriesKey(s.labels, 'le');
    const entry = series.get(key) ?? { labels: { ...s.labels }, bounds: [], counts: [] };
    delete entry.labels.le;
    entry.bounds.push(Number(s.labels.le));
    entry.counts.push(s.value);
    series.set(key, entry);
  }
  const sums = new Map(
    (family.samples.get(`${family.name}_sum`) ?? []).map((s) => [seriesKey(s.labels), s.value]),
  );
  const dataPoints = [...series].map(([key, { labels, bounds, counts }]) => {
    // Prometheus buckets are cumulative and end in +Inf; OTLP's are per bucket, bounds without +Inf.
    const perBucket = counts.map((c, i) => c - (i > 0 ? counts[i - 1]! : 0));
    return {
      ...times,
      attributes: attributes(labels),
      count: String(counts.at(-1) ?? 0),
      sum: sums.get(key) ?? 0,
      explicitBounds: bounds.filter((b) => Number.isFinite(b)),
      bucketCounts: perBucket.map(String),
    };
  });
  return { ...base, histogram: { aggregationTemporality: 2, dataPoints } };
}

/** The export request for a rendered registry. */
export function exportRequest(text: string, serviceName: string, startNs: string, nowNs: string): unknown {
  const metrics = parseExposition(text).flatMap((f) => otlpMetric(f, startNs, nowNs) ?? []);
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
        scopeMetrics: [{ scope: { name: 'mcp-operator' }, metrics }],
      },
    ],
  };
}

export interface OtlpPushOptions {
  /** OTLP/HTTP base URL; metrics go to <endpoint>/v1/metrics. */
  endpoint: string;
  serviceName: string;
  render: () => Promise<string>;
  log: Logger;
  intervalMs?: number;
}

const nowNs = (): string => (BigInt(Date.now()) * 1_000_000n).toString();

/** Pushes every intervalMs (15 s); stop() pushes once more and ends. A failed push is logged, not retried. */
export function startOtlpPush(options: OtlpPushOptions): { stop(): Promise<void>; push(): Promise<void> } {
  const start = nowNs();
  const url = `${options.endpoint.replace(/\/+$/, '')}/v1/metrics`;
  let failing = false;
  const push = async () => {
    const body = JSON.stringify(exportRequest(await options.render(), options.serviceName, start, nowNs()));
    const ok = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    }).then(
      (res) => res.ok,
      () => false,
    );
    if (ok === !failing) return;
    failing = !ok;
    if (failing) options.log.warn({ url }, 'OTLP metrics push failed; retrying at the next interval');
    else options.log.info({ url }, 'OTLP metrics push works again');
  };
  const timer = setInterval(() => void push(), options.intervalMs ?? 15_000);
  timer.unref();
  options.log.info({ url, serviceName: options.serviceName }, 'Pushing metrics over OTLP');
  return {
    push,
    stop: async () => {
      clearInterval(timer);
      await push();
    },
  };
}

/** The variable that turns the push on (the chart sets it from telemetry.otlpEndpoint). */
export const OTLP_ENDPOINT_ENV = 'MCP_OPERATOR_OTLP_ENDPOINT';

/** A push when MCP_OPERATOR_OTLP_ENDPOINT is set, else undefined. */
export function otlpPushFromEnv(
  env: NodeJS.ProcessEnv,
  serviceName: string,
  render: () => Promise<string>,
  log: Logger,
): ReturnType<typeof startOtlpPush> | undefined {
  const endpoint = env[OTLP_ENDPOINT_ENV];
  if (!endpoint) return undefined;
  const intervalMs = Number(env.MCP_OPERATOR_OTLP_INTERVAL_MS) || undefined;
  return startOtlpPush({ endpoint, serviceName, render, log, intervalMs });
}
