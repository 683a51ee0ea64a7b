// The tables bench/node.ts prints: apply to first answer per transport against the bare pod, round
// trips per path and level, and the node's resident memory. Pure.
import type { CallFigures } from './realnode-calls.ts';
import type { RssRow } from './realnode-rss.ts';
import type { FloorTrial, OursTrial, Transport } from './realnode-start.ts';

export const TARGET_RATIO = 1.5;

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: number[]): Spread {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: NaN, min: NaN, max: NaN };
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

const s1 = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : '-');
const cell = (x: Spread) => (Number.isFinite(x.median) ? `${s1(x.median)} (${s1(x.min)}-${s1(x.max)})` : '-');
const signed = (n: number) => `${n >= 0 ? '+' : ''}${n}`;
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : '-');

export interface StartResult {
  transport: Transport;
  ours: OursTrial[];
  floor: FloorTrial[];
}

export function startTable(results: StartResult[]): string[] {
  const lines = [
    '| transport | ours, ClusterIP | ours, port-forward | floor: pod Ready | floor: answered | ' +
      'ClusterIP / answered | port-forward / answered | ClusterIP / Ready |',
    '|---|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of results) {
    const ours = spread(r.ours.map((t) => t.clusterIpMs));
    const forward = spread(r.ours.map((t) => t.portForwardMs ?? NaN));
    const ready = spread(r.floor.map((t) => t.readyMs));
    const answered = spread(r.floor.map((t) => t.answeredMs));
    const mark = (a: number) => (Number.isFinite(a) ? (a <= TARGET_RATIO ? ' (met)' : ' (missed)') : '');
    lines.push(
      `| ${r.transport} | ${cell(ours)} | ${cell(forward)} | ${cell(ready)} | ${cell(answered)} | ` +
        `${ratio(ours.median, answered.median)}${mark(ours.median / answered.median)} | ` +
        `${ratio(forward.median, answered.median)}${mark(forward.median / answered.median)} | ` +
        `${ratio(ours.median, ready.median)} |`,
    );
  }
  return lines;
}

/** One line per trial: where the time went (pod stages in whole seconds after apply, from the API). */
export function trialLines(results: StartResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    for (const [i, t] of r.ours.entries()) {
      const stages = Object.entries(t.pods)
        .map(([component, p]) => `${component} created ${signed(p.created)} Ready ${signed(p.ready)}`)
        .join(', ');
      const f = r.floor[i];
      const forward = t.portForwardMs === undefined ? '' : `, port-forward ${s1(t.portForwardMs)} s`;
      lines.push(
        `  ${t.name}: first echo ${s1(t.clusterIpMs)} s (apply returned ${s1(t.applyMs)} s${forward}); ${stages}` +
          (f ? ` | ${f.name}: Ready ${s1(f.readyMs)} s, answered ${s1(f.answeredMs)} s` : ''),
      );
    }
  }
  return lines;
}

export function callsTable(levels: Map<number, Map<string, CallFigures>>): string[] {
  const lines = [
    '| path | sessions | calls | calls/s | p50 ms | p99 ms | calls/s vs exec -i · attach -i | proxy ms/POST | ' +
      'CPU ms/call: bench · pods · cluster · machine | machine busy |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const [level, figures] of levels) {
    const exec = figures.get('floor, kubectl exec -i');
    const attach = figures.get('floor, kubectl attach -i');
    for (const [name, f] of figures) {
      const vs = name.startsWith('ours')
        ? `${ratio(f.perSecond, exec?.perSecond ?? NaN)} · ${ratio(f.perSecond, attach?.perSecond ?? NaN)}`
        : '';
      const proxy = f.proxyMeanMs === undefined ? '' : f.proxyMeanMs.toFixed(2);
      const { bench, pods, cluster, machine } = f.cpuMsPerCall;
      const cpu = [bench, pods, cluster, machine].map((x) => x.toFixed(2)).join(' · ');
      lines.push(
        `| ${name} | ${level} | ${f.calls} | ${f.perSecond.toFixed(0)} | ${f.p50Ms.toFixed(2)} | ` +
          `${f.p99Ms.toFixed(2)} | ${vs} | ${proxy} | ${cpu} | ${f.machineBusyPercent.toFixed(0)}% |`,
      );
    }
  }
  return lines;
}

const NODE_DAEMONS = ['containerd', 'kubelet', 'kube-proxy', 'kube-router', 'containerd-shim-runc-v2 (all)'];
const CONTROL_PLANE = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

export function rssTable(idle: RssRow[], loaded: RssRow[]): string[] {
  const lines = ['| process | count idle · loaded | RSS MiB idle | RSS MiB loaded |', '|---|--:|--:|--:|'];
  const byName = (rows: RssRow[], what: string) => rows.find((r) => r.what === what);
  const total = (rows: RssRow[], names: string[]) =>
    rows.filter((r) => names.includes(r.what)).reduce((a, r) => a + r.mib, 0);
  for (const row of idle) {
    const after = byName(loaded, row.what);
    lines.push(
      `| ${row.what} | ${row.count} · ${after?.count ?? '-'} | ${row.mib.toFixed(1)} | ${after ? after.mib.toFixed(1) : '-'} |`,
    );
  }
  for (const [label, names] of [
    ['node (containerd, kubelet, shims, kube-proxy, kube-router)', NODE_DAEMONS],
    ['control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler)', CONTROL_PLANE],
  ] as const) {
    lines.push(
      `| **${label}** | | ${total(idle, [...names]).toFixed(1)} | ${total(loaded, [...names]).toFixed(1)} |`,
    );
  }
  return lines;
}
