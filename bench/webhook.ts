// bench/webhook: AdmissionReviews over HTTPS keep-alive on loopback, validate and mutate, against three
// servers, each in its own process: `bare` (node:https that parses the review and allows it: the ceiling),
// `ours` (bench/servers/ours.ts) and `pepr` (Pepr 1.1.4 with one validate and one mutate action, which
// needs a local control plane at start-up; see lib/pepr.ts). For each kind of review: closed loop at each
// concurrency and open loop at an even rate; the servers take turns within each cell, so a noisy
// neighbour hurts them alike and the ratios stay fair. Prints a table, the ratios against bare with issue
// 3's targets, and one JSON line. Everything it starts, it stops.
//
// Settings (environment): BENCH_SECONDS (4) recorded per server and cell, in BENCH_SLICES (4) turns,
// after BENCH_WARMUP_SECONDS (1); BENCH_CONCURRENCIES (1,16,64), BENCH_RATE (1000 reviews/s),
// BENCH_TARGET_CONCURRENCY (16), BENCH_SEED (mcpserver-custom-pod.yaml from test/fixtures/seed-examples), BENCH_PEPR=0 to skip Pepr,
// BENCH_PEPR_LOG_LEVEL (info, Pepr's default), LOG_LEVEL for the bench's own log (warn).
// BENCH_BASELINE=<dir>: also measure `ours` from another tree of this repository, as `baseline`, in the same
// turns (before/after in one run), e.g. `git worktree add /tmp/webhook-baseline <commit>` with a
// node_modules symlink to this tree's (the compiled server imports its dependencies from the tree).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../lib/log.ts';
import { loopbackCertificates } from '../test/support/certificates.ts';
import { closedLoop, openLoop, summarize, type Phases, type Sample, type Target } from './lib/load.ts';
import {
  REVIEW_KINDS,
  compare,
  comparisonLines,
  modeLabel,
  runTable,
  type Comparison,
  type Memory,
  type Mode,
  type ReviewKind,
  type Run,
} from './lib/report.ts';
import { reviewTemplate, type ReviewTemplate } from './lib/reviews.ts';
import { readSettings, type Settings } from './lib/settings.ts';
import {
  checkAnswers,
  progress,
  sourceRssMb,
  startAll,
  type Started,
  type Stops,
  type Subject,
} from './lib/subjects.ts';

function idleRssMb(subjects: Subject[]): Record<string, number> {
  return Object.fromEntries(subjects.map((s) => [s.name, s.process.rssBytes() / 1024 / 1024]));
}

function modes(settings: Settings): Mode[] {
  const closed = settings.concurrencies.map((concurrency): Mode => ({ loop: 'closed', concurrency }));
  return [...closed, { loop: 'open', perSecond: settings.targets.perSecond }];
}

// A run begins with this much unrecorded traffic, to open the connections and settle.
const SLICE_WARMUP_MS = 100;

/** What every run of the bench shares: the review and the CA that signed the servers' certificate. */
interface Probe {
  template: ReviewTemplate;
  caPem: string;
}

function runOnce(subject: Subject, kind: ReviewKind, mode: Mode, phases: Phases, probe: Probe) {
  const target: Target = {
    ...probe,
    origin: subject.origin,
    path: subject.paths[kind],
    cpuSeconds: () => subject.process.cpuSeconds(),
  };
  return mode.loop === 'closed'
    ? closedLoop(target, mode.concurrency, phases)
    : openLoop(target, mode.perSecond, phases);
}

/**
 * One cell (kind and mode) for every server: a warm-up each, then `slices` short runs each, the servers
 * taking turns and the first one rotating, so a neighbour's burst on this shared machine lands on all of
 * them alike rather than on whoever happened to run during it.
 */
async function measureCell(
  subjects: Subject[],
  kind: ReviewKind,
  mode: Mode,
  settings: Settings,
  probe: Probe,
) {
  const { warmupMs, durationMs } = settings.phases;
  const samples = new Map<Subject, Sample[]>(subjects.map((s) => [s, []]));
  for (const subject of subjects)
    await runOnce(subject, kind, mode, { warmupMs: 0, durationMs: warmupMs }, probe);
  const slice = { warmupMs: SLICE_WARMUP_MS, durationMs: durationMs / settings.slices };
  for (let turn = 0; turn < settings.slices; turn++) {
    for (const subject of subjects.map((_, i) => subjects[(i + turn) % subjects.length]!)) {
      samples.get(subject)!.push(await runOnce(subject, kind, mode, slice, probe));
    }
  }
  return subjects.map((s): Run => ({ kind, mode, server: s.name, result: summarize(samples.get(s)!) }));
}

async function measure(subjects: Subject[], settings: Settings, template: ReviewTemplate, caPem: string) {
  const runs: Run[] = [];
  for (const kind of REVIEW_KINDS) {
    for (const mode of modes(settings)) {
      progress(`${kind} ${modeLabel(mode)}`);
      runs.push(...(await measureCell(subjects, kind, mode, settings, { caPem, template })));
    }
  }
  return runs;
}

function report(
  settings: Settings,
  template: ReviewTemplate,
  started: Started,
  measured: {
    runs: Run[];
    notes: string[];
    rss: Record<string, Memory>;
    sourceRssMb: number;
    load: number[];
  },
): void {
  const date = new Date().toISOString();
  const cpus = os.cpus().length;
  const { phases, targets } = settings;
  console.log(
    `bench/webhook ${date}: seed ${template.seed} (${template.bytes} bytes as an AdmissionReview), ` +
      `${phases.durationMs / 1000} s per run after ${phases.warmupMs / 1000} s warm-up, ${cpus} cores, ` +
      `load average ${measured.load.map((l) => l.toFixed(1)).join(' -> ')}`,
  );
  console.log(runTable(measured.runs));
  for (const note of measured.notes) console.log(`  ${note}`);
  const comparisons: Comparison[] = [];
  for (const subject of started.subjects.filter((s) => s.name !== 'bare')) {
    const mine = REVIEW_KINDS.flatMap((kind) => compare(measured.runs, kind, subject.name, targets) ?? []);
    comparisons.push(...mine);
    const judged = subject.name === 'ours';
    console.log(`${subject.name} vs bare${judged ? ' (targets of issue 3)' : ''}:`);
    for (const line of comparisonLines(mine, measured.rss[subject.name], targets, judged)) console.log(line);
    if (judged)
      console.log(`  RSS idle ${measured.sourceRssMb.toFixed(0)} MB after start when run from source`);
  }
  const bareRss = measured.rss.bare;
  if (bareRss)
    console.log(
      `bare RSS idle ${bareRss.idleAfterStartMb.toFixed(0)} MB after start, ${bareRss.idleAfterLoadMb.toFixed(0)} MB after load`,
    );
  console.log(`pepr: ${started.peprStatus}`);
  const json = { bench: 'webhook', date, cpus, seed: template.seed, settings, pepr: started.peprStatus };
  const rssMb = { ...measured.rss, oursFromSource: { idleAfterStartMb: measured.sourceRssMb } };
  console.log(JSON.stringify({ ...json, rssMb, comparisons, runs: measured.runs }));
}

async function main(): Promise<void> {
  const settings = readSettings(process.env);
  const log = createLogger('bench-webhook', process.env.LOG_LEVEL ?? 'warn');
  const template = reviewTemplate(settings.seed);
  const certs = loopbackCertificates();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'bench-webhook-'));
  const stops: Stops = [];
  try {
    const load = [os.loadavg()[0]!];
    const started = await startAll(settings, certs, workDir, stops, log);
    const notes = await checkAnswers(started.subjects, template, certs);
    await sleep(2000);
    const atStart = idleRssMb(started.subjects);
    const sourceRss = await sourceRssMb(certs, workDir);
    const runs = await measure(started.subjects, settings, template, certs.ca.certPem);
    await sleep(3000);
    const afterLoad = idleRssMb(started.subjects);
    const rss = Object.fromEntries(
      Object.entries(atStart).map(([name, mb]) => [
        name,
        { idleAfterStartMb: mb, idleAfterLoadMb: afterLoad[name]! },
      ]),
    );
    load.push(os.loadavg()[0]!);
    report(settings, template, started, { runs, notes, rss, sourceRssMb: sourceRss, load });
  } finally {
    for (const stop of stops.reverse()) await stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
