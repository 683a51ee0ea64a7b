// The bench's settings, from the environment (listed in bench/webhook.ts).
import path from 'node:path';
import type { Phases } from './load.ts';
import type { Targets } from './report.ts';
import { DEFAULT_SEED } from './reviews.ts';

export interface Settings {
  phases: Phases;
  /** Each server's recorded time per cell is split into this many turns. */
  slices: number;
  concurrencies: number[];
  targets: Targets;
  seed: string;
  pepr: boolean;
  peprLogLevel: string;
  /** Another tree of this repository (a git worktree) whose `ours` is measured too, as `baseline`. */
  baseline?: string;
}

export function readSettings(env: NodeJS.ProcessEnv): Settings {
  const num = (name: string, fallback: number): number => Number(env[name] ?? fallback);
  const concurrencies = (env.BENCH_CONCURRENCIES ?? '1,16,64').split(',').map(Number);
  const perSecond = num('BENCH_RATE', 1000);
  const concurrency = num('BENCH_TARGET_CONCURRENCY', 16);
  if (!concurrencies.includes(concurrency)) concurrencies.push(concurrency);
  return {
    phases: { warmupMs: num('BENCH_WARMUP_SECONDS', 1) * 1000, durationMs: num('BENCH_SECONDS', 4) * 1000 },
    slices: Math.max(1, num('BENCH_SLICES', 4)),
    concurrencies: concurrencies.sort((a, b) => a - b),
    targets: { concurrency, perSecond },
    seed: env.BENCH_SEED ?? DEFAULT_SEED,
    pepr: env.BENCH_PEPR !== '0',
    peprLogLevel: env.BENCH_PEPR_LOG_LEVEL ?? 'info',
    ...(env.BENCH_BASELINE ? { baseline: path.resolve(env.BENCH_BASELINE) } : {}),
  };
}
