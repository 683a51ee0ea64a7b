// bench/toolhive.ts's table: one row per operator and size. Pure.
import type { Result } from './measure.ts';
import { sum } from './workload.ts';

const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');

export function table(results: Result[], loadAverage: string): string {
  const head = [
    'operator',
    'MCPServers',
    'created',
    'Ready half · all',
    'writes/server (operator · events · all)',
    'refused',
    'at rest (operator · all)',
    'RSS idle · Ready · rest',
    'CPU s (start · to Ready · rest)',
  ];
  const rows = results.map((r) => [
    r.subject,
    String(r.count),
    `${f1(r.createSeconds)} s`,
    `${f1(r.halfReadySeconds)} · ${f1(r.readySeconds)} s`,
    [sum(r.writes.operator) / r.count, r.writes.events / r.count, r.writes.all / r.count]
      .map((n) => n.toFixed(2))
      .join(' · '),
    String(r.writes.refused),
    `${sum(r.steady.operator)} · ${r.steady.all} in ${r.steadySeconds.toFixed(0)} s`,
    `${r.rssMiB.idle.toFixed(0)} · ${r.rssMiB.ready.toFixed(0)} · ${r.rssMiB.steady.toFixed(0)} MiB`,
    `${f1(r.cpuSeconds.start)} · ${f1(r.cpuSeconds.toReady)} · ${f1(r.cpuSeconds.steady)}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const out = ['', line(head), ...rows.map(line), ''];
  out.push(
    'Ready: status.phase, each by its own meaning. ToolHive: one pod of its proxy-runner Deployment Running',
    'with its containers ready (on KWOK its proxy runner never runs, so the MCP server StatefulSet it would',
    'create is never made). Ours: the server StatefulSet and the proxy Deployment both have a ready pod.',
    'writes: kube-apiserver apiserver_request_total, mutating verbs, from before the first creation to 2 s after',
    'the last Ready, per MCPServer, the bench own POSTs taken out. operator = on MCPServers, their status and',
    'the children kinds (nothing else in the cluster writes those); events = everyone; all = every writer',
    '(kube-controller-manager, scheduler and KWOK too). refused: of the operator writes, those answered 4xx/5xx',
    '(409 Conflict on a stale status update, mostly). at rest: the same counts over the window after.',
    `load average at the end: ${loadAverage}`,
    '',
  );
  for (const r of results) out.push(`${r.subject} ${r.count} writes: ${JSON.stringify(r.writes.operator)}`);
  for (const r of results) out.push(`${r.subject} ${r.count} at rest: ${JSON.stringify(r.steady.operator)}`);
  return out.join('\n');
}
