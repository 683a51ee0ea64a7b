// lib/prometheus.ts against prom-client, the library it stands in for: the same observations must
// give the same samples (names, labels, values), whatever the line order or label order.
import { expect } from 'chai';
import * as client from 'prom-client';
import { Counter, Gauge, Histogram, Registry } from '../../../lib/prometheus.ts';

/** Samples as `name{sorted labels} value` lines, sorted; HELP and TYPE lines kept as they are. */
function normalized(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!sample || line.startsWith('#')) return line;
      const labels = (sample[2] ?? '').match(/\w+="(?:[^"\\]|\\.)*"/g) ?? [];
      return `${sample[1]}{${labels.sort().join(',')}} ${Number(sample[3])}`;
    })
    .sort();
}

describe('lib/prometheus.ts', () => {
  it('renders counters, gauges and histograms as prom-client does', async () => {
    const theirs = new client.Registry();
    const registers = [theirs];
    const ours = new Registry();
    const bounds = [0.001, 0.01, 0.1, 1];
    const help = 'A help text with a \\ backslash\nand a newline.';

    const theirCounter = new client.Counter({ name: 'c_total', help, labelNames: ['a', 'b'], registers });
    const ourCounter = ours.register(new Counter('c_total', help, ['a', 'b']));
    const theirGauge = new client.Gauge({ name: 'g', help: 'g', labelNames: ['a'], registers });
    const ourGauge = ours.register(new Gauge('g', 'g', ['a']));
    const theirPlain = new client.Gauge({ name: 'plain', help: 'p', registers });
    const ourPlain = ours.register(new Gauge('plain', 'p'));
    const theirHistogram = new client.Histogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: ['a'],
      buckets: bounds,
      registers,
    });
    const ourHistogram = ours.register(new Histogram('h_seconds', 'h', ['a'], bounds));

    for (const [a, b] of [
      ['x', 'POST'],
      ['x', 'POST'],
      ['y "quoted" \\ and\nnewline', 'GET'],
    ] as const) {
      theirCounter.inc({ a, b });
      ourCounter.inc([a, b]);
    }
    theirCounter.inc({ a: 'x', b: 'GET' }, 2.5);
    ourCounter.inc(['x', 'GET'], 2.5);
    theirGauge.inc({ a: 'streamable-http' });
    ourGauge.inc(['streamable-http']);
    theirGauge.inc({ a: 'sse' }, 3);
    ourGauge.inc(['sse'], 3);
    theirGauge.dec({ a: 'sse' });
    ourGauge.dec(['sse']);
    theirPlain.set(7);
    ourPlain.set([], 7);
    // On a bound, just under and over, and past every bound.
    for (const seconds of [0.0005, 0.001, 0.0011, 0.05, 0.1, 0.7, 3]) {
      theirHistogram.observe({ a: 'x' }, seconds);
      ourHistogram.observe(['x'], seconds);
    }
    theirHistogram.observe({ a: 'z' }, 0.02);
    ourHistogram.observe(['z'], 0.02);

    expect(normalized(await ours.render())).to.deep.equal(normalized(await theirs.metrics()));
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

  it('refuses label values that do not match the label names', () => {
    const counter = new Counter('c_total', 'c', ['a', 'b']);
    expect(() => counter.inc(['only-one'])).to.throw(/expected 2 label values/);
  });
});
