// The soak's printed output, pure: one row per memory sample, and the summary beneath.
import { memoryTrend, type MemoryTrend, type MissedEvent } from './soak-analysis.ts';

export interface Sample {
  /** Seconds since the churn began. */
  seconds: number;
  operatorRssMiB: number;
  operatorHeapMiB: number | undefined;
  proxyRssMiB: number;
  proxyHeapMiB: number | undefined;
  /** Writes the API server served since the churn began (every client). */
  writes: number;
  /** Churn operations done so far. */
  operations: number;
  live: number;
}

const mib = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(1));

export const SAMPLE_HEADER =
  'minute  operator RSS MiB  operator heap MiB  proxy RSS MiB  proxy heap MiB  writes  operations  live';

export function sampleRow(s: Sample): string {
  return [
    (s.seconds / 60).toFixed(1).padStart(6),
    mib(s.operatorRssMiB).padStart(16),
    mib(s.operatorHeapMiB).padStart(17),
    mib(s.proxyRssMiB).padStart(13),
    mib(s.proxyHeapMiB).padStart(14),
    String(s.writes).padStart(6),
    String(s.operations).padStart(10),
    String(s.live).padStart(4),
  ].join('  ');
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
  operatorRss: MemoryTrend;
  operatorHeap: MemoryTrend;
  proxyRss: MemoryTrend;
  writes: number;
  errors: string[];
}

/** RSS and heap trends of the samples; heap series skip samples where the metric was missing. */
export function trends(
  samples: readonly Sample[],
): Pick<SoakSummary, 'operatorRss' | 'operatorHeap' | 'proxyRss'> {
  const series = (pick: (s: Sample) => number | undefined) =>
    samples.flatMap((s) => {
      const v = pick(s);
      return v === undefined ? [] : [{ seconds: s.seconds, mib: v }];
    });
  return {
    operatorRss: memoryTrend(series((s) => s.operatorRssMiB)),
    operatorHeap: memoryTrend(series((s) => s.operatorHeapMiB)),
    proxyRss: memoryTrend(series((s) => s.proxyRssMiB)),
  };
}

const trendLine = (what: string, t: MemoryTrend): string =>
  `${what}: first ${t.first.toFixed(1)}, last ${t.last.toFixed(1)}, max ${t.max.toFixed(1)} MiB; ` +
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
    trendLine('Operator RSS', s.operatorRss),
    trendLine('Operator heap', s.operatorHeap),
    trendLine('Proxy RSS', s.proxyRss),
  ];
  for (const m of s.missed.slice(0, 20)) lines.push(`  missed: ${m.server}: ${m.what}`);
  for (const e of s.errors) lines.push(`  error: ${e}`);
  return lines.join('\n');
}
