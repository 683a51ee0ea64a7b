// Turns the runs into what the bench prints: a table of every run, the ratios against the bare server
// with the targets of issue 3, and one JSON line with everything (for scripts and for the README).
import type { RunResult } from './load.ts';

export type ReviewKind = 'validate' | 'mutate';
export const REVIEW_KINDS: readonly ReviewKind[] = ['validate', 'mutate'];

export type Mode = { loop: 'closed'; concurrency: number } | { loop: 'open'; perSecond: number };

export interface Run {
  kind: ReviewKind;
  mode: Mode;
  server: string;
  result: RunResult;
}

export interface Memory {
  idleAfterStartMb: number;
  idleAfterLoadMb: number;
}

export const modeLabel = (mode: Mode): string =>
  mode.loop === 'closed' ? `closed c=${mode.concurrency}` : `open ${mode.perSecond}/s`;

const fixed = (value: number, digits: number): string =>
  Number.isFinite(value) ? value.toFixed(digits) : '-';

function row(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
}

export function runTable(runs: Run[]): string {
  const widths = [8, 13, 8, 9, 7, 7, 12, 6];
  const header = ['kind', 'mode', 'server', 'reviews/s', 'p50 ms', 'p99 ms', 'CPU µs/rev', 'errors'];
  const lines = runs.map(({ kind, mode, server, result: r }) =>
    row(
      [kind, modeLabel(mode), server, fixed(r.perSecond, 0), fixed(r.p50Ms, 2), fixed(r.p99Ms, 2)].concat([
        fixed(r.cpuMicrosPerReview, 0),
        String(r.errors),
      ]),
      widths,
    ),
  );
  return [row(header, widths), ...lines].join('\n');
}

export interface Targets {
  /** Throughput is compared at this closed-loop concurrency. */
  concurrency: number;
  perSecond: number;
}

export interface Comparison {
  kind: ReviewKind;
  server: string;
  throughputRatio: number;
  p50DeltaMs: number;
  cpuRatio: number;
}

const find = (runs: Run[], kind: ReviewKind, server: string, mode: Mode): RunResult | undefined =>
  runs.find((r) => r.kind === kind && r.server === server && modeLabel(r.mode) === modeLabel(mode))?.result;

/** How `server` compares with `bare` for one kind of review; undefined when a run is missing. */
export function compare(
  runs: Run[],
  kind: ReviewKind,
  server: string,
  targets: Targets,
): Comparison | undefined {
  const closed: Mode = { loop: 'closed', concurrency: targets.concurrency };
  const open: Mode = { loop: 'open', perSecond: targets.perSecond };
  const [bareClosed, bareOpen] = [find(runs, kind, 'bare', closed), find(runs, kind, 'bare', open)];
  const [closedRun, openRun] = [find(runs, kind, server, closed), find(runs, kind, server, open)];
  if (!bareClosed || !bareOpen || !closedRun || !openRun) return undefined;
  return {
    kind,
    server,
    throughputRatio: closedRun.perSecond / bareClosed.perSecond,
    p50DeltaMs: openRun.p50Ms - bareOpen.p50Ms,
    cpuRatio: openRun.cpuMicrosPerReview / bareOpen.cpuMicrosPerReview,
  };
}

const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');

/** The targets of issue 3, for our server; other servers get the same lines without verdicts. */
export function comparisonLines(
  comparisons: Comparison[],
  memory: Memory | undefined,
  targets: Targets,
  judged: boolean,
): string[] {
  const judge = (met: boolean): string => (judged ? `  ${verdict(met)}` : '');
  const lines = comparisons.map((c) =>
    [
      `  ${c.kind.padEnd(8)}`,
      `throughput at c=${targets.concurrency} ${fixed(c.throughputRatio * 100, 0)}% of bare (>= 70%)${judge(c.throughputRatio >= 0.7)};`,
      `p50 at ${targets.perSecond}/s bare ${c.p50DeltaMs >= 0 ? '+' : ''}${fixed(c.p50DeltaMs, 2)} ms (<= +0.3)${judge(c.p50DeltaMs <= 0.3)};`,
      `CPU/review at ${targets.perSecond}/s ${fixed(c.cpuRatio, 2)}x bare (<= 2x)${judge(c.cpuRatio <= 2)}`,
    ].join(' '),
  );
  if (memory) {
    // Judged idle after start; after load V8 keeps the heap it grew to, which the line shows too.
    lines.push(
      `  RSS idle ${fixed(memory.idleAfterStartMb, 0)} MB after start (< 100 MB)${judge(memory.idleAfterStartMb < 100)}, ` +
        `${fixed(memory.idleAfterLoadMb, 0)} MB after load`,
    );
  }
  return lines;
}
