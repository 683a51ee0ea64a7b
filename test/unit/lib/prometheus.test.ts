// lib/prometheus.ts against prom-client, the library it replaced: the same observations must give the
// same text, byte for byte. PROM_CLIENT is what prom-client 15.1.3 printed for them (its Registry.metrics()).
import { expect } from 'chai';
import { Counter, Gauge, Histogram, Registry } from '../../../lib/prometheus.ts';

const PROM_CLIENT = `# HELP c_total A help text with a \\\\ backslash\\nand a newline.
# TYPE c_total counter
c_total{a="x",b="POST"} 2
c_total{a="y \\"quoted\\" \\\\ and\\nnewline",b="GET"} 1
c_total{a="x",b="GET"} 2.5

# HELP g g
# TYPE g gauge
g{a="streamable-http"} 1
g{a="sse"} 2

# HELP plain p
# TYPE plain gauge
plain 7

# HELP h_seconds h
# TYPE h_seconds histogram
h_seconds_bucket{le="0.001",a="x"} 2
h_seconds_bucket{le="0.01",a="x"} 3
h_seconds_bucket{le="0.1",a="x"} 5
h_seconds_bucket{le="1",a="x"} 6
h_seconds_bucket{le="+Inf",a="x"} 7
h_seconds_sum{a="x"} 3.8526
h_seconds_count{a="x"} 7
h_seconds_bucket{le="0.001",a="z"} 0
h_seconds_bucket{le="0.01",a="z"} 0
h_seconds_bucket{le="0.1",a="z"} 1
h_seconds_bucket{le="1",a="z"} 1
h_seconds_bucket{le="+Inf",a="z"} 1
h_seconds_sum{a="z"} 0.02
h_seconds_count{a="z"} 1

# HELP unused_seconds u
# TYPE unused_seconds histogram
unused_seconds_bucket{le="1"} 0
unused_seconds_bucket{le="2"} 0
unused_seconds_bucket{le="+Inf"} 0
unused_seconds_sum 0
unused_seconds_count 0

# HELP unused_total u
# TYPE unused_total counter
unused_total 0
`;

describe('lib/prometheus.ts', () => {
  it('renders counters, gauges and histograms as prom-client did', async () => {
    const registry = new Registry();
    const help = 'A help text with a \\ backslash\nand a newline.';
    const counter = registry.register(new Counter('c_total', help, ['a', 'b']));
    const gauge = registry.register(new Gauge('g', 'g', ['a']));
    const plain = registry.register(new Gauge('plain', 'p'));
    const histogram = registry.register(new Histogram('h_seconds', 'h', ['a'], [0.001, 0.01, 0.1, 1]));
    registry.register(new Histogram('unused_seconds', 'u', [], [2, 1]));
    registry.register(new Counter('unused_total', 'u'));

    for (const [a, b] of [
      ['x', 'POST'],
      ['x', 'POST'],
      ['y "quoted" \\ and\nnewline', 'GET'],
    ] as const)
      counter.inc([a, b]);
    counter.inc(['x', 'GET'], 2.5);
    gauge.inc(['streamable-http']);
    gauge.inc(['sse'], 3);
    gauge.dec(['sse']);
    plain.set([], 7);
    // On a bound, just under and over, and past every bound.
    for (const seconds of [0.0005, 0.001, 0.0011, 0.05, 0.1, 0.7, 3]) histogram.observe(['x'], seconds);
    histogram.observe(['z'], 0.02);

    expect(await registry.render()).to.equal(PROM_CLIENT);
  });

  it('reads values when scraped, through beforeRender', async () => {
    const registry = new Registry();
    const up = registry.register(new Gauge('up', 'up'));
    let healthy = false;
    registry.beforeRender(() => up.set([], healthy ? 1 : 0));
    expect(await registry.render()).to.include('\nup 0\n');
    healthy = true;
    expect(await registry.render()).to.include('\nup 1\n');
  });

  it('keeps apart label values that would join into the same string', () => {
    const counter = new Counter('c_total', 'c', ['a', 'b']);
    counter.inc(['x\u0000y', 'z']);
    counter.inc(['x', 'y\u0000z'], 2);
    expect(counter.render()).to.equal(
      '# HELP c_total c\n# TYPE c_total counter\n' +
        'c_total{a="x\u0000y",b="z"} 1\n' +
        'c_total{a="x",b="y\u0000z"} 2\n',
    );
  });

  it('refuses label values that do not match the label names', () => {
    const counter = new Counter('c_total', 'c', ['a', 'b']);
    counter.inc(['x', 'y']);
    expect(() => counter.inc(['x'])).to.throw(/c_total: expected 2 label values \(a, b\), got 1/);
    expect(() => counter.inc(['x', 'y', 'z'])).to.throw(/expected 2 label values/);
  });
});
