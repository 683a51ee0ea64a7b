// The tables bench/toolhive-node.ts prints: apply to first answer per transport, peer beside peer, each
// trial's pod stages, and the known-failure rows. Pure.
import { spread } from '../lib/realnode-report.ts';
import type { Row } from './node-failures.ts';
import type { PeerName, Transport } from './node-peers.ts';
import type { StartTrial } from './node-session.ts';

export interface PeerResult {
  peer: PeerName;
  nodeSeconds?: number;
  installSeconds?: number;
  /** What stopped this peer's run, if something did. */
  error?: string;
  starts: Map<Transport, StartTrial[]>;
  rows: Map<Row, string>;
}

const s1 = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : '-');

function startCell(trials: StartTrial[] | undefined): string {
  if (!trials?.length) return '-';
  const x = spread(trials.map((t) => t.ms));
  return trials.length === 1 ? s1(x.median) : `${s1(x.median)} (${s1(x.min)}-${s1(x.max)})`;
}

export function startTable(results: PeerResult[], transports: Transport[]): string[] {
  const lines = [
    `| transport | ${results.map((r) => r.peer).join(' | ')} |`,
    `|---|${results.map(() => '--:').join('|')}|`,
  ];
  for (const t of transports)
    lines.push(`| ${t} | ${results.map((r) => startCell(r.starts.get(t))).join(' | ')} |`);
  return lines;
}

/** One line per trial: the time to the answer and when the proxy and server pods were Ready. */
export function trialLines(results: PeerResult[]): string[] {
  const lines: string[] = [];
  for (const r of results)
    for (const [transport, trials] of r.starts)
      for (const t of trials)
        lines.push(
          `   ${r.peer} ${transport} ${t.name}: answered ${s1(t.ms)} s; proxy pod Ready at ${t.proxyReady} s, ` +
            `server pod Ready at ${t.serverReady} s`,
        );
  return lines;
}

export function failureTable(results: PeerResult[], rows: Row[]): string[] {
  const lines = [
    `| action | ${results.map((r) => r.peer).join(' | ')} |`,
    `|---|${results.map(() => '---').join('|')}|`,
  ];
  for (const row of rows)
    lines.push(
      `| ${row} | ${results.map((r) => (r.rows.get(row) ?? '-').replace(/\|/g, '/')).join(' | ')} |`,
    );
  return lines;
}
