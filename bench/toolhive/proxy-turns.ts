// Closed loops of tools/call through two paths taking alternating turns (ABBA), as bench/proxy-features.ts
// measures: each path's sessions call echo back to back for a turn of sliceMs while the other path idles,
// so the machine's noise falls on both; calls/s is of the summed turns, p50 of every call timed in them.
import type { BenchPath, BenchSession } from '../lib/mcp-paths.ts';

interface Tally {
  calls: number;
  latencies: number[];
}

async function closedLoop(sessions: BenchSession[], ms: number, tally: Tally): Promise<void> {
  const deadline = performance.now() + ms;
  await Promise.all(
    sessions.map(async (session) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const start = performance.now();
        await session.echo(`m${i}`);
        tally.latencies.push(performance.now() - start);
        tally.calls++;
      }
    }),
  );
}

/** The median of ms (NaN when empty). */
export function p50(ms: number[]): number {
  return [...ms].sort((x, y) => x - y)[Math.floor(ms.length / 2)] ?? NaN;
}

/** Which path goes first in turn `turn`: A, then B B A A B B ... (ABBA). */
export const order = (turn: number): ['a', 'b'] | ['b', 'a'] => (turn % 2 === 0 ? ['a', 'b'] : ['b', 'a']);

export interface TurnResult {
  a: { perSecond: number; p50: number };
  b: { perSecond: number; p50: number };
  /** tools/call made through each path, warm-up included (what CPU time is divided by). */
  made: { a: number; b: number };
}

/** `sessions` sessions on each path, 500 ms of warm-up each, then `slices` turns of sliceMs per path. */
export async function turns(
  a: BenchPath,
  b: BenchPath,
  sessions: number,
  slices: number,
  sliceMs: number,
): Promise<TurnResult> {
  const connect = (p: BenchPath) => Promise.all(Array.from({ length: sessions }, () => p.connect()));
  const opened = { a: await connect(a), b: await connect(b) };
  const tally = (): Tally => ({ calls: 0, latencies: [] });
  const warm = { a: tally(), b: tally() };
  const timed = { a: tally(), b: tally() };
  try {
    await closedLoop(opened.a, 500, warm.a);
    await closedLoop(opened.b, 500, warm.b);
    for (let turn = 0; turn < slices; turn++)
      for (const which of order(turn)) await closedLoop(opened[which], sliceMs, timed[which]);
  } finally {
    await Promise.all([...opened.a, ...opened.b].map((s) => s.close()));
  }
  const seconds = (slices * sliceMs) / 1000;
  const figures = (t: Tally) => ({ perSecond: t.calls / seconds, p50: p50(t.latencies) });
  return {
    a: figures(timed.a),
    b: figures(timed.b),
    made: { a: warm.a.calls + timed.a.calls, b: warm.b.calls + timed.b.calls },
  };
}
