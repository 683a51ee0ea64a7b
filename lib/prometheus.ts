// The little of Prometheus the proxy needs: labelled counters, gauges and fixed-bucket histograms,
// rendered in the text exposition format 0.0.4. Not prom-client: loading it costs the proxy about
// 8 MiB resident (one per MCPServer pod, bench/proxy.ts) and each labelled inc() hashes its label
// object; here a series is found by its label values joined into one string. Pure but for the state
// the series hold; process metrics are in process-metrics.ts.

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface Metric {
  /** The metric's lines: HELP, TYPE and one line per sample. */
  render(): string;
}

/** Metrics rendered in registration order; `collect` hooks run first (values read when scraped). */
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
    return this.metrics.map((m) => m.render()).join('');
  }
}

type Kind = 'counter' | 'gauge' | 'histogram';

/** A family of series with the same label names; values of type S per set of label values. */
abstract class Family<S> implements Metric {
  protected readonly series = new Map<string, { labels: string; value: S }>();
  private readonly name: string;
  private readonly help: string;
  private readonly kind: Kind;
  protected readonly labelNames: readonly string[];

  constructor(kind: Kind, name: string, help: string, labelNames: readonly string[]) {
    this.kind = kind;
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  protected abstract initial(): S;
  protected abstract samples(name: string, labels: string, value: S): string;

  /** The series for these label values (in labelNames' order), created at its first use. */
  protected at(values: readonly string[]): { labels: string; value: S } {
    const key = values.join('\u0000');
    let series = this.series.get(key);
    if (!series) {
      series = { labels: labelText(this.labelNames, values), value: this.initial() };
      this.series.set(key, series);
    }
    return series;
  }

  render(): string {
    let out = `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.kind}\n`;
    for (const { labels, value } of this.series.values()) out += this.samples(this.name, labels, value);
    return out;
  }
}

/** A counter or gauge: one number per series. */
class Scalar extends Family<{ n: number }> {
  protected initial() {
    return { n: 0 };
  }

  protected samples(name: string, labels: string, value: { n: number }): string {
    return `${name}${labels} ${formatNumber(value.n)}\n`;
  }

  add(values: readonly string[], by: number): void {
    this.at(values).value.n += by;
  }

  set(values: readonly string[], to: number): void {
    this.at(values).value.n = to;
  }
}

export class Counter extends Scalar {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super('counter', name, help, labelNames);
  }

  inc(values: readonly string[] = [], by = 1): void {
    this.add(values, by);
  }
}

export class Gauge extends Scalar {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super('gauge', name, help, labelNames);
  }

  inc(values: readonly string[] = [], by = 1): void {
    this.add(values, by);
  }

  dec(values: readonly string[] = [], by = 1): void {
    this.add(values, -by);
  }
}

interface Buckets {
  /** counts[i]: observations in (bounds[i-1], bounds[i]]; the last slot is above every bound. */
  counts: number[];
  sum: number;
}

export class Histogram extends Family<Buckets> {
  private readonly bounds: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], bounds: readonly number[]) {
    super('histogram', name, help, labelNames);
    this.bounds = [...bounds].sort((a, b) => a - b);
  }

  protected initial(): Buckets {
    return { counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0 };
  }

  observe(values: readonly string[], value: number): void {
    const buckets = this.at(values).value;
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    buckets.counts[i]! += 1;
    buckets.sum += value;
  }

  protected samples(name: string, labels: string, { counts, sum }: Buckets): string {
    // Bucket lines take the series' labels plus le; labels is `{a="x"}` or empty.
    const withLe = (le: string) => (labels ? `${labels.slice(0, -1)},le="${le}"}` : `{le="${le}"}`);
    let out = '';
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += counts[i]!;
      out += `${name}_bucket${withLe(formatNumber(bound))} ${cumulative}\n`;
    });
    cumulative += counts[this.bounds.length]!;
    out += `${name}_bucket${withLe('+Inf')} ${cumulative}\n`;
    return `${out}${name}_sum${labels} ${formatNumber(sum)}\n${name}_count${labels} ${cumulative}\n`;
  }
}

function labelText(names: readonly string[], values: readonly string[]): string {
  if (names.length !== values.length)
    throw new Error(`expected ${names.length} label values (${names.join(', ')}), got ${values.length}`);
  if (names.length === 0) return '';
  return `{${names.map((name, i) => `${name}="${escapeLabel(values[i]!)}"`).join(',')}}`;
}

const escapeLabel = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

const escapeHelp = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}
