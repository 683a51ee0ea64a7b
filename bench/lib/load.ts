// The load generator, in the bench process: undici Pools over HTTPS keep-alive on loopback (undici costs
// the client about half the CPU per request of node:https, which matters when client and server share
// two cores). Two shapes:
//   closed loop: `concurrency` connections, each sending its next review as soon as the last is answered;
//   open loop:   reviews sent at an even rate whatever the answers, latency counted from each send, so a
//                slow server builds a queue instead of slowing the sender (no coordinated omission).
// Each run has a warm-up that is not recorded; the server's CPU time is sampled where recording starts
// and once every recorded review is answered, so it covers exactly the recorded reviews.
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { ReviewTemplate } from './reviews.ts';

export interface Target {
  origin: string;
  path: string;
  caPem: string;
  template: ReviewTemplate;
  /** The server process's CPU time (user + system) so far, in seconds. */
  cpuSeconds(): number;
}

export interface Phases {
  warmupMs: number;
  durationMs: number;
}

/** What one run recorded; a measurement is the sum of several runs taken in turns (see summarize). */
export interface Sample {
  histogram: RecordableHistogram;
  requests: number;
  errors: number;
  seconds: number;
  cpuSeconds: number;
  firstError?: string;
}

export interface RunResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuMicrosPerReview: number;
  firstError?: string;
}

/** Counts the answers of one run; `recording` turns on after the warm-up. */
class Recorder {
  readonly histogram: RecordableHistogram = createHistogram();
  recording = false;
  requests = 0;
  errors = 0;
  firstError: string | undefined;
  #startedAt = 0;
  #cpuAtStart = 0;

  readonly #target: Target;

  constructor(target: Target) {
    this.#target = target;
  }

  /** `at`: when recording is meant to start, for an open loop whose timer fired late. */
  start(at: number = performance.now()): void {
    this.recording = true;
    this.#startedAt = at;
    this.#cpuAtStart = this.#target.cpuSeconds();
  }

  answered(sentAt: number, error: string | undefined, counted: boolean = this.recording): void {
    if (!counted) return;
    if (error !== undefined) {
      this.errors++;
      this.firstError ??= error;
      return;
    }
    this.requests++;
    this.histogram.record(Math.max(1, Math.round((performance.now() - sentAt) * 1e6)));
  }

  sample(): Sample {
    const sample: Sample = {
      histogram: this.histogram,
      requests: this.requests,
      errors: this.errors,
      seconds: this.recording ? (performance.now() - this.#startedAt) / 1000 : 0,
      cpuSeconds: this.recording ? this.#target.cpuSeconds() - this.#cpuAtStart : 0,
    };
    return this.firstError === undefined ? sample : { ...sample, firstError: this.firstError };
  }
}

/** Throughput over the recorded time, latency percentiles and CPU per review over all the samples. */
export function summarize(samples: Sample[]): RunResult {
  const histogram = createHistogram();
  for (const sample of samples) histogram.add(sample.histogram);
  const sum = (pick: (s: Sample) => number): number => samples.reduce((total, s) => total + pick(s), 0);
  const [requests, errors, seconds] = [sum((s) => s.requests), sum((s) => s.errors), sum((s) => s.seconds)];
  const result: RunResult = {
    requests,
    errors,
    seconds,
    perSecond: requests / seconds,
    p50Ms: requests === 0 ? NaN : histogram.percentile(50) / 1e6,
    p99Ms: requests === 0 ? NaN : histogram.percentile(99) / 1e6,
    cpuMicrosPerReview: (sum((s) => s.cpuSeconds) * 1e6) / (requests + errors),
  };
  const firstError = samples.find((s) => s.firstError !== undefined)?.firstError;
  return firstError === undefined ? result : { ...result, firstError };
}

function newPool(target: Target, connections: number): Pool {
  return new Pool(target.origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    connect: { ca: target.caPem, servername: 'localhost' },
  });
}

/** Sends review n; resolves with an error description, or undefined when the review was allowed. */
async function sendReview(pool: Pool, target: Target, n: number): Promise<string | undefined> {
  const { uid, body } = target.template.body(n);
  try {
    const res = await pool.request({
      path: target.path,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) return `HTTP ${res.statusCode}: ${text.slice(0, 200)}`;
    // Cheap checks, as parsing every answer would cost the client more than some servers spend.
    if (!text.includes(`"uid":"${uid}"`) || !text.includes('"allowed":true')) {
      return `not allowed or wrong uid: ${text.slice(0, 200)}`;
    }
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

let sequence = 0;

export async function closedLoop(target: Target, concurrency: number, phases: Phases): Promise<Sample> {
  const pool = newPool(target, concurrency);
  const recorder = new Recorder(target);
  const recordFrom = performance.now() + phases.warmupMs;
  const stopAt = recordFrom + phases.durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < stopAt) {
      const sentAt = performance.now();
      const error = await sendReview(pool, target, sequence++);
      if (!recorder.recording && performance.now() >= recordFrom) recorder.start();
      recorder.answered(sentAt, error);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
    return recorder.sample();
  } finally {
    await pool.destroy();
  }
}

// Enough connections that a burst after a late timer does not queue in the client; a server slower
// than the rate queues anyway, which is what an open loop should show.
const OPEN_LOOP_CONNECTIONS = 32;

export async function openLoop(target: Target, perSecond: number, phases: Phases): Promise<Sample> {
  const pool = newPool(target, OPEN_LOOP_CONNECTIONS);
  const recorder = new Recorder(target);
  const intervalMs = 1000 / perSecond;
  const total = Math.round(((phases.warmupMs + phases.durationMs) / 1000) * perSecond);
  const warmup = Math.round((phases.warmupMs / 1000) * perSecond);
  const inFlight = new Set<Promise<void>>();
  const startedAt = performance.now();
  try {
    for (let i = 0; i < total;) {
      // Send every review that is due, then sleep until the next one: timers fire late by up to a
      // millisecond or two, and catching up keeps the average rate exact.
      for (const now = performance.now(); i < total && startedAt + i * intervalMs <= now; i++) {
        if (i === warmup) recorder.start(startedAt + i * intervalMs);
        const [sentAt, counted] = [performance.now(), recorder.recording];
        const sent = sendReview(pool, target, sequence++).then((error) =>
          recorder.answered(sentAt, error, counted),
        );
        inFlight.add(sent);
        void sent.finally(() => inFlight.delete(sent));
      }
      await sleep(Math.max(0, startedAt + i * intervalMs - performance.now()));
    }
    await Promise.all(inFlight);
    return recorder.sample();
  } finally {
    await pool.destroy();
  }
}
