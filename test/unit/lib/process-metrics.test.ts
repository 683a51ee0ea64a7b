// lib/process-metrics.ts: the process's own metrics under prom-client's default names, read when scraped.
import { expect } from 'chai';
import { getHeapSpaceStatistics } from 'node:v8';
import { parseHeapMetrics } from '../../../bench/lib/soak-memory.ts';
import { registerProcessMetrics, spaceLabel } from '../../../lib/process-metrics.ts';
import { Registry } from '../../../lib/prometheus.ts';
import { sumSamples } from '../../../lib/prometheus-text.ts';

const MiB = 2 ** 20;

function processRegistry(): Registry {
  const registry = new Registry();
  registerProcessMetrics(registry);
  return registry;
}

describe('lib/process-metrics.ts', () => {
  it('names V8 heap spaces as prom-client did', () => {
    expect(spaceLabel('new_space')).to.equal('new');
    expect(spaceLabel('new_large_object_space')).to.equal('new_large_object');
    expect(spaceLabel('read_only_space')).to.equal('read_only');
    expect(spaceLabel('not_a_space_name')).to.equal('not_a_space_name');
  });

  it("exposes every V8 heap space's size, used and available, under prom-client's names and help", async () => {
    const text = await processRegistry().render();
    const spaces = getHeapSpaceStatistics().map((s) => spaceLabel(s.space_name));
    expect(spaces).to.include.members(['new', 'old']);
    for (const what of ['total', 'used', 'available']) {
      const name = `nodejs_heap_space_size_${what}_bytes`;
      expect(text).to.include(
        `# HELP ${name} Process heap space size ${what} from Node.js in bytes.\n# TYPE ${name} gauge\n`,
      );
      const labelled = text
        .split('\n')
        .filter((line) => line.startsWith(`${name}{`))
        .map((line) => /^\w+\{space="(\w+)"\} \d+$/.exec(line)?.[1]);
      expect(labelled, name).to.deep.equal(spaces);
    }
  });

  it("gives the soak's reader its heap figures, the young generation's included", async () => {
    const heap = parseHeapMetrics(await processRegistry().render());
    expect(heap?.totalMiB).to.be.greaterThan(0);
    expect(heap?.usedMiB).to.be.greaterThan(0);
    expect(heap?.externalMiB).to.be.greaterThan(0);
    expect(heap?.spaces['new']?.totalMiB).to.be.greaterThan(0);
    expect(heap?.spaces['old']?.usedMiB).to.be.greaterThan(0);
  });

  it('reads the values when scraped', async () => {
    const registry = processRegistry();
    const before = sumSamples(await registry.render(), 'nodejs_external_memory_bytes');
    const held = new ArrayBuffer(16 * MiB);
    const after = sumSamples(await registry.render(), 'nodejs_external_memory_bytes');
    expect(after - before).to.be.at.least(8 * MiB);
    expect(held.byteLength).to.equal(16 * MiB);
  });

  it('leaves no timer behind, registered or scraped', async () => {
    const timers = () =>
      process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;
    await new Promise((resolve) => setImmediate(resolve)); // past mocha's own timeout timer's start
    const before = timers();
    const registry = processRegistry();
    await registry.render();
    expect(timers()).to.equal(before);
  });
});
