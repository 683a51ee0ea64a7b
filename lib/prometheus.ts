// Prometheus metrics for the controller, the admission webhooks and the proxy: labelled counters, gauges
// and fixed-bucket histograms in registries of their own, rendered in the text exposition format 0.0.4
// byte for byte as prom-client rendered them (a blank line between families, le first on a bucket line),
// so scrapers and dashboards see what they saw before. Not prom-client: loading it costs about 8 MiB
// resident, and each labelled inc() there hashes its label object into a key; here a series is found
// through one map per label name, nothing built per call (the webhook counts four series per review,
// bench/webhook). Pure but for the state the series hold; process metrics are in process-metrics.ts.

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface Metric {
  /** The family's lines, each ending in a newline: HELP, TYPE and one line per sample. */
  render(): string;
}

/** Metrics rendered in registration order; `beforeRender` hooks run first (values read when scraped). */
export class Registry {
  private readonly metrics: Metric[] = [];
  private readonly collectors: (() => void | Promise<void>)[] = [];

  register<M extends Metric>(metric: M): M {
    this.metrics.push(metric);
    return metric;
  }

  beforeRender(collect: () => void | Promise<void>): void {
    this.collectors.push(collect);
  }

  async render(): Promise<string> {
    for (const collect of this.collectors) await collect();
    return this.metrics.map((m) => m.render()).join('\n');
  }
}

type Kind = 'counter' | 'gauge' | 'histogram';

const NO_LABELS: readonly string[] = [];

/** A family of series with the same label names; S holds one series' label text and values. */
abstract class Family<S> implements Metric {
  /** One level per label name, keyed by its value; the last level holds the series. */
  private readonly root = new Map<string, unknown>();
  /** Every series in the order of first use, the order they are rendered in. */
  private readonly all: S[] = [];
  private readonly name: string;
  private readonly help: string;
  private readonly kind: Kind;
  private readonly labelNames: readonly string[];

  constructor(kind: Kind, name: string, help: string, labelNames: readonly string[]) {
    this.kind = kind;
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  /** A new series, all zero; `labels` is its label text, `{a="x",b="y"}` or empty. */
  protected abstract create(labels: string): S;
  protected abstract samples(name: string, series: S): string;

  /** The series for these label values (in labelNames' order), created at its first use. */
  protected series(values: readonly string[]): S {
    const depth = this.labelNames.length;
    if (values.length !== depth)
      throw new Error(
        `${this.name}: expected ${depth} label values (${this.labelNames.join(', ')}), got ${values.length}`,
      );
    let node = this.root;
    for (let i = 0; i < depth - 1; i++) {
      let next = node.get(values[i]!) as Map<string, unknown> | undefined;
      if (next === undefined) node.set(values[i]!, (next = new Map<string, unknown>()));
      node = next;
    }
    const key = depth === 0 ? '' : values[depth - 1]!;
    let series = node.get(key) as S | undefined;
    if (series === undefined) {
      series = this.create(labelText(this.labelNames, values));
      node.set(key, series);
      this.all.push(series);
    }
    return series;
  }

  render(): string {
    // As prom-client: a family without labels shows its one series, zero, before any use.
    if (this.labelNames.length === 0) this.series(NO_LABELS);
    let out = `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.kind}\n`;
    for (const series of this.all) out += this.samples(this.name, series);
    return out;
  }
}

interface ScalarSeries {
  readonly labels: string;
  value: number;
}

/** A counter or gauge: one number per series. `set` is for values read when scraped. */
abstract class Scalar extends Family<ScalarSeries> {
  protected create(labels: string): ScalarSeries {
    return { labels, value: 0 };
  }

  protected samples(name: string, { labels, value }: ScalarSeries): string {
    return `${name}${labels} ${formatNumber(value)}\n`;
  }

  inc(values: readonly string[] = NO_LABELS, by = 1): void {
    this.series(values).value += by;
  }

  set(values: readonly string[], to: number): void {
    this.series(values).value = to;
  }
}

export class Counter extends Scalar {
  constructor(name: string, help: string, labelNames: readonly string[] = NO_LABELS) {
    super('counter', name, help, labelNames);
  }
}

export class Gauge extends Scalar {
  constructor(name: string, help: string, labelNames: readonly string[] = NO_LABELS) {
    super('gauge', name, help, labelNames);
  }

  dec(values: readonly string[] = NO_LABELS, by = 1): void {
    this.series(values).value -= by;
  }
}

interface HistogramSeries {
  readonly labels: string;
  /** counts[i]: observations in (bounds[i-1], bounds[i]]; the last slot is above every bound. */
  readonly counts: number[];
  sum: number;
}

export class Histogram extends Family<HistogramSeries> {
  private readonly bounds: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], bounds: readonly number[]) {
    super('histogram', name, help, labelNames);
    this.bounds = [...bounds].sort((a, b) => a - b);
  }

  protected create(labels: string): HistogramSeries {
    return { labels, counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0 };
  }

  observe(values: readonly string[], value: number): void {
    const series = this.series(values);
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    series.counts[i]! += 1;
    series.sum += value;
  }

  protected samples(name: string, { labels, counts, sum }: HistogramSeries): string {
    // le comes first on bucket lines, as prom-client put it: `{le="0.1",a="x"}`, or `{le="0.1"}`.
    const rest = labels ? `,${labels.slice(1)}` : '}';
    let out = '';
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += counts[i]!;
      out += `${name}_bucket{le="${formatNumber(bound)}"${rest} ${cumulative}\n`;
    });
    cumulative += counts[this.bounds.length]!;
    out += `${name}_bucket{le="+Inf"${rest} ${cumulative}\n`;
    return `${out}${name}_sum${labels} ${formatNumber(sum)}\n${name}_count${labels} ${cumulative}\n`;
  }
}

function labelText(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return '';
  return `{${names.map((name, i) => `${name}="${escapeLabel(values[i]!)}"`).join(',')}}`;
}

const escapeLabel = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

const escapeHelp = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}
