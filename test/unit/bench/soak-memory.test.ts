import { expect } from 'chai';
import { dockerfileEnv, imageEnv } from '../../../bench/lib/soak-image.ts';
import {
  nativeMiB,
  parseHeapMetrics,
  parseProcStatCpuSeconds,
  parseProcStatus,
} from '../../../bench/lib/soak-memory.ts';
import { SAMPLE_HEADER, sampleRow, trends, type Sample } from '../../../bench/lib/soak-report.ts';

const STATUS = `Name:\tnode
VmPeak:\t 1234567 kB
VmRSS:\t  225280 kB
RssAnon:\t  163840 kB
RssFile:\t   61440 kB
RssShmem:\t       0 kB
Threads:\t11
`;

const METRICS = `# HELP nodejs_heap_size_total_bytes Process heap size from Node.js in bytes.
# TYPE nodejs_heap_size_total_bytes gauge
nodejs_heap_size_total_bytes 104857600
nodejs_heap_size_used_bytes 62914560
nodejs_external_memory_bytes 5242880
nodejs_heap_space_size_total_bytes{space="new"} 33554432
nodejs_heap_space_size_used_bytes{space="new"} 1048576
nodejs_heap_space_size_total_bytes{space="old"} 62914560
nodejs_heap_space_size_used_bytes{space="old"} 52428800
nodejs_heap_size_used_bytes_other 1
`;

describe('bench/lib/soak-memory', () => {
  it('reads VmRSS, RssAnon and RssFile from /proc/<pid>/status in MiB', () => {
    expect(parseProcStatus(STATUS)).to.deep.equal({ rssMiB: 220, anonMiB: 160, fileMiB: 60 });
    expect(parseProcStatus('Name:\tx\n')).to.deep.equal({ rssMiB: 0, anonMiB: 0, fileMiB: 0 });
  });

  it('reads user plus system CPU seconds from /proc/<pid>/stat, a command with spaces included', () => {
    const stat = '4242 (node main) S 1 4242 4242 0 -1 4194560 9 0 0 0 1234 266 0 0 20 0 11 0 5 6 7';
    expect(parseProcStatCpuSeconds(stat)).to.equal(15);
  });

  it('reads the heap committed, used, external and each space from /metrics', () => {
    expect(parseHeapMetrics(METRICS)).to.deep.equal({
      totalMiB: 100,
      usedMiB: 60,
      externalMiB: 5,
      spaces: { new: { totalMiB: 32, usedMiB: 1 }, old: { totalMiB: 60, usedMiB: 50 } },
    });
    expect(parseHeapMetrics('process_cpu_seconds_total 1\n')).to.equal(undefined);
  });

  it('attributes what the heap and external memory do not explain to native memory', () => {
    const heap = parseHeapMetrics(METRICS);
    expect(nativeMiB(parseProcStatus(STATUS), heap)).to.equal(160 - 100 - 5);
    expect(nativeMiB(parseProcStatus(STATUS), undefined)).to.equal(undefined);
  });
});

describe('bench/lib/soak-image dockerfileEnv', () => {
  it("takes the final stage's ENV, every form, and ignores the build stage's", () => {
    const dockerfile = [
      'FROM node:24 AS build',
      'ENV BUILD_ONLY=1',
      'RUN true',
      'FROM gcr.io/distroless/nodejs24-debian12:nonroot',
      '# ENV COMMENTED=1',
      'ENV NODE_ENV=production',
      'ENV MALLOC_ARENA_MAX=2 \\',
      '    NODE_OPTIONS="--max-semi-space-size=4 --foo=\\"x y\\""',
      'ENV LEGACY some value',
      'ENTRYPOINT ["/nodejs/bin/node"]',
    ].join('\n');
    expect(dockerfileEnv(dockerfile)).to.deep.equal({
      NODE_ENV: 'production',
      MALLOC_ARENA_MAX: '2',
      NODE_OPTIONS: '--max-semi-space-size=4 --foo="x y"',
      LEGACY: 'some value',
    });
  });
});

describe('bench/lib/soak-report memory columns', () => {
  const sample = (seconds: number, anon: number): Sample => ({
    seconds,
    operator: { rssMiB: anon + 60, anonMiB: anon, fileMiB: 60 },
    operatorHeap: parseHeapMetrics(METRICS),
    operatorCpuSeconds: 12,
    proxyRssMiB: 70,
    proxyHeapMiB: undefined,
    writes: 10,
    operations: 2,
    live: 60,
  });

  it('prints one column per header, native included, and "-" for a missing figure', () => {
    const row = sampleRow(sample(90, 160)).trim().split(/\s+/);
    expect(row).to.have.length(SAMPLE_HEADER.split(/\s{2,}/).filter(Boolean).length);
    expect(row.slice(0, 9)).to.deep.equal([
      '1.5',
      '220.0',
      '160.0',
      '60.0',
      '100.0',
      '60.0',
      '32.0',
      '5.0',
      '55.0',
    ]);
    expect(row[9]).to.equal('12');
    expect(row[11]).to.equal('-');
  });

  it('trends each series, skipping samples without the figure', () => {
    const samples = [sample(0, 160), { ...sample(1800, 170), operatorHeap: undefined }, sample(3600, 180)];
    const byName = Object.fromEntries(trends(samples).map((t) => [t.what, t.trend]));
    expect(byName['Operator RssAnon']).to.include({ first: 160, last: 180, min: 160, max: 180 });
    expect(byName['Operator native (anon - heap - external)']).to.include({ first: 55, last: 75 });
    expect(byName['Proxy heap used']).to.include({ first: 0, last: 0 });
  });
});

describe('bench/lib/soak-image imageEnv', () => {
  it("runs the soak's operator with the image's V8 young-generation setting, read from the Dockerfile", () => {
    const env = imageEnv();
    expect(env.NODE_ENV).to.equal('production');
    expect(env.NODE_OPTIONS).to.match(/--max-semi-space-size=\d+/);
  });
});
