// The soak's printed output, pure: one row per memory sample, and the summary beneath.
import { memoryTrend, type MemoryTrend, type MissedEvent } from './soak-analysis.ts';
import { nativeMiB, type HeapFigures, type ProcessMemory } from './soak-memory.ts';

export interface Sample {
  /** Seconds since the churn began. */
  seconds: number;
  /** The operator's resident memory (/proc/<pid>/status). */
  operator: ProcessMemory;
  /** The operator's V8 heap and external memory (its /metrics); undefined if unreadable. */
  operatorHeap: HeapFigures | undefined;
  /** The operator's CPU time so far (user + system), so a memory setting's CPU cost shows. */
  operatorCpuSeconds: number;
  proxyRssMiB: number;
  proxyHeapMiB: number | undefined;
  /** Writes the API server served since the churn began (every client). */
  writes: number;
  /** Churn operations done so far. */
  operations: number;
  live: number;
}

const mib = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(1));

/** The young generation's committed size (prom-client labels V8's new_space space="new"). */
export const newSpaceMiB = (heap: HeapFigures | undefined): number | undefined =>
  (heap?.spaces.new ?? heap?.spaces.new_space)?.totalMiB;

/** The columns, their header and how each reads a sample. */
const COLUMNS: [header: string, value: (s: Sample) => string][] = [
  ['minute', (s) => (s.seconds / 60).toFixed(1)],
  ['op RSS', (s) => mib(s.operator.rssMiB)],
  ['anon', (s) => mib(s.operator.anonMiB)],
  ['file', (s) => mib(s.operator.fileMiB)],
  ['heap total', (s) => mib(s.operatorHeap?.totalMiB)],
  ['heap used', (s) => mib(s.operatorHeap?.usedMiB)],
  ['new space', (s) => mib(newSpaceMiB(s.operatorHeap))],
  ['external', (s) => mib(s.operatorHeap?.externalMiB)],
  ['native', (s) => mib(nativeMiB(s.operator, s.operatorHeap))],
  ['op CPU s', (s) => s.operatorCpuSeconds.toFixed(0)],
  ['proxy RSS', (s) => mib(s.proxyRssMiB)],
  ['proxy heap', (s) => mib(s.proxyHeapMiB)],
  ['writes', (s) => String(s.writes)],
  ['operations', (s) => String(s.operations)],
  ['live', (s) => String(s.live)],
];

export const SAMPLE_HEADER = COLUMNS.map(([h]) => h.padStart(Math.max(h.length, 6))).join('  ');

export const SAMPLE_LEGEND =
  'MiB; op = the operator: RSS = anon + file (/proc/<pid>/status), heap total = V8 heap committed, ' +
  'new space = its young generation committed, external = ArrayBuffers and other off-heap buffers, ' +
  'native = anon - heap total - external (malloc, stacks, code); op CPU s = its CPU time so far';

export function sampleRow(s: Sample): string {
  return COLUMNS.map(([h, value]) => value(s).padStart(Math.max(h.length, 6))).join('  ');
}

export interface SoakSummary {
  minutes: number;
  operations: { create: number; update: number; delete: number };
  liveAtEnd: number;
  deletedTotal: number;
  missedEvents: number;
  missed: MissedEvent[];
  convergedSeconds: number;
  failedAdmissions: number;
  failedWrites: number;
  /** Creates and updates sent (each must reach the validating webhook). */
  admittedWrites: number;
  /** The API server's count of calls to our validating webhook, and of those it rejected. */
  validatingWebhookCalls: number;
  webhookRejections: number;
  proxy: { sessions: number; calls: number; failedSessions: number; failedCalls: number };
  memory: MemoryTrends;
  writes: number;
  errors: string[];
}

/** Trends of every memory series, in the order they are printed. */
export type MemoryTrends = { what: string; trend: MemoryTrend }[];

const SERIES: [what: string, pick: (s: Sample) => number | undefined][] = [
  ['Operator RSS', (s) => s.operator.rssMiB],
  ['Operator RssAnon', (s) => s.operator.anonMiB],
  ['Operator RssFile', (s) => s.operator.fileMiB],
  ['Operator heap committed', (s) => s.operatorHeap?.totalMiB],
  ['Operator heap used', (s) => s.operatorHeap?.usedMiB],
  ['Operator new space committed', (s) => newSpaceMiB(s.operatorHeap)],
  ['Operator external', (s) => s.operatorHeap?.externalMiB],
  ['Operator native (anon - heap - external)', (s) => nativeMiB(s.operator, s.operatorHeap)],
  ['Proxy RSS', (s) => s.proxyRssMiB],
  ['Proxy heap used', (s) => s.proxyHeapMiB],
];

/** The trend of each memory series; a series skips samples where its figure was missing. */
export function trends(samples: readonly Sample[]): MemoryTrends {
  return SERIES.map(([what, pick]) => ({
    what,
    trend: memoryTrend(
      samples.flatMap((s) => {
        const v = pick(s);
        return v === undefined || !Number.isFinite(v) ? [] : [{ seconds: s.seconds, mib: v }];
      }),
    ),
  }));
}

const trendLine = (what: string, t: MemoryTrend): string =>
  `${what}: first ${t.first.toFixed(1)}, last ${t.last.toFixed(1)}, min ${t.min.toFixed(1)}, max ${t.max.toFixed(1)} MiB; ` +
  `slope over the second half ${t.slopePerHour >= 0 ? '+' : ''}${t.slopePerHour.toFixed(1)} MiB/hour`;

export function summaryText(s: SoakSummary): string {
  const ops = s.operations;
  const lines = [
    `Operations: ${ops.create + ops.update + ops.delete} in ${s.minutes.toFixed(1)} min ` +
      `(${ops.create} create, ${ops.update} update, ${ops.delete} delete); live at the end ${s.liveAtEnd}, deleted ${s.deletedTotal}`,
    `Missed events: ${s.missedEvents} (checked ${s.convergedSeconds.toFixed(0)} s after the churn stopped)`,
    `Failed admissions: ${s.failedAdmissions}; failed writes: ${s.failedWrites}; ` +
      `validating webhook calls ${s.validatingWebhookCalls} (rejected ${s.webhookRejections}) for ${s.admittedWrites} creates and updates`,
    `Proxy: ${s.proxy.sessions} sessions, ${s.proxy.calls} calls; failed sessions ${s.proxy.failedSessions}, failed calls ${s.proxy.failedCalls}`,
    `API server writes during the churn: ${s.writes}`,
    ...s.memory.map(({ what, trend }) => trendLine(what, trend)),
  ];
  for (const m of s.missed.slice(0, 20)) lines.push(`  missed: ${m.server}: ${m.what}`);
  for (const e of s.errors) lines.push(`  error: ${e}`);
  return lines.join('\n');
}
