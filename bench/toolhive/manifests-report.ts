// bench/toolhive.ts's manifests workload, its pure parts: what kubectl's answer to one document says, and
// the table of both operators' answers. No I/O here.

/** What the API server (and the admission webhooks on its path) answered one `kubectl apply`. */
export type Outcome = { admitted: true } | { refused: string };

export interface DocumentRow {
  /** `seed/<file>` or ToolHive's `<dir>/<file>`. */
  file: string;
  /** The document's place in its file, from 1. */
  index: number;
  kind: string;
  name: string;
  namespace: string;
  outcome: Outcome;
  /** MCPServers admitted: whether status.phase was Ready within the bound, and the last phase seen. */
  ready?: { ready: boolean; phase: string };
}

export interface OperatorRun {
  operator: string;
  /** What Ready means for this operator on KWOK, one sentence. */
  readyMeaning: string;
  readyBoundSeconds: number;
  rows: DocumentRow[];
}

const PREFIXES = [/^Error from server(?: \([A-Za-z]+\))?: /, /^error: /];

/**
 * kubectl's exit code and stderr for one document: admitted on 0, else refused with the first line that
 * is not a warning (an admitted-looking "Warning: ..." from a webhook or a deprecated version comes
 * first), kubectl's "Error from server (BadRequest): " prefix taken off; a line ending in ":" (the API
 * server's "errors:" list) runs on with the lines after it.
 */
export function classifyApply(code: number, stderr: string): Outcome {
  if (code === 0) return { admitted: true };
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('Warning: '));
  let line = lines.shift();
  if (!line) return { refused: `kubectl exited ${code} with nothing but warnings on stderr` };
  while (line.endsWith(':') && lines.length) line = `${line} ${lines.shift()!}`;
  return { refused: PREFIXES.reduce((l, p) => l.replace(p, ''), line) };
}

/** status.phase of a listed MCPServer ('' when it has none yet). */
export const phaseOf = (item: unknown): string =>
  (item as { status?: { phase?: string } }).status?.phase ?? '';

/**
 * A refusal's reason, shortened for the table: what follows the API server's preamble ("X cannot be
 * handled as a X: ", "admission webhook \"...\" denied the request: ", "failed to create typed patch
 * object (...): "), or the kind kubectl found no resource for; else the line as it is.
 */
export function reasonOf(refused: string): string {
  const handled = refused.match(/cannot be handled as a \w+: (.*)$/);
  if (handled) return handled[1]!;
  const denied = refused.match(/denied the request: (.*)$/);
  if (denied) return `webhook: ${denied[1]!}`;
  const typed = refused.match(/^failed to create typed patch object \([^)]*\): (.*)$/);
  if (typed) return typed[1]!;
  const noKind = refused.match(/no matches for kind "(\w+)" in version "([^"]+)"/);
  if (noKind) return `no such kind: ${noKind[1]} in ${noKind[2]}`;
  return refused;
}

interface KindCount {
  admitted: number;
  refused: number;
}

export function countByKind(rows: DocumentRow[]): Map<string, KindCount> {
  const counts = new Map<string, KindCount>();
  for (const r of rows) {
    const c = counts.get(r.kind) ?? { admitted: 0, refused: 0 };
    if ('admitted' in r.outcome) c.admitted++;
    else c.refused++;
    counts.set(r.kind, c);
  }
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

const pad = (rows: string[][]): string[] => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
};

/** The side-by-side table: per kind, admitted / refused for each operator; then Ready; then every refusal. */
export function manifestsTable(runs: OperatorRun[]): string {
  const kinds = [...new Set(runs.flatMap((r) => r.rows.map((d) => d.kind)))].sort();
  const counts = runs.map((r) => countByKind(r.rows));
  const cell = (c: KindCount | undefined) => (c ? `${c.admitted} / ${c.refused}` : '-');
  const total = (rows: DocumentRow[]) =>
    cell(
      [...countByKind(rows).values()].reduce(
        (a, c) => ({ admitted: a.admitted + c.admitted, refused: a.refused + c.refused }),
        { admitted: 0, refused: 0 },
      ),
    );
  const head = ['kind (admitted / refused)', ...runs.map((r) => r.operator)];
  const body = kinds.map((k) => [k, ...counts.map((c) => cell(c.get(k)))]);
  // Several documents may apply the same MCPServer (ToolHive's examples reuse names): one per object.
  const servers = (r: OperatorRun) => [
    ...new Map(r.rows.filter((d) => d.ready).map((d) => [`${d.namespace}/${d.name}`, d])).values(),
  ];
  const readyRow = [
    `MCPServers admitted, Ready in ${runs[0]?.readyBoundSeconds ?? 0} s`,
    ...runs.map((r) => `${servers(r).filter((d) => d.ready!.ready).length} of ${servers(r).length}`),
  ];
  const out = [
    '',
    ...pad([head, ...body, ['all documents', ...runs.map((r) => total(r.rows))], readyRow]),
    '',
  ];
  for (const r of runs) out.push(`Ready, ${r.operator}: ${r.readyMeaning}`);
  for (const r of runs) {
    const refused = r.rows.filter((d) => 'refused' in d.outcome);
    out.push('', `${r.operator}: ${refused.length} refused`);
    for (const d of refused)
      out.push(
        `  ${d.file} #${d.index} ${d.kind} ${d.name}: ${reasonOf((d.outcome as { refused: string }).refused)}`,
      );
    const notReady = servers(r).filter((d) => !d.ready!.ready);
    if (notReady.length) out.push(`${r.operator}: ${notReady.length} admitted MCPServers not Ready`);
    for (const d of notReady)
      out.push(`  ${d.file} #${d.index} ${d.namespace}/${d.name}: phase "${d.ready!.phase || '(none)'}"`);
  }
  return out.join('\n');
}
