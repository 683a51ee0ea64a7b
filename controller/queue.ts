// A keyed work queue in the manner of client-go's workqueue: a key waits at most once however many
// events name it (deduplication), is never handed to two workers at once, and a key added while it is
// being processed runs again once, after. Failed keys come back after a per-key exponential backoff
// (client-go's ItemExponentialFailureRateLimiter: base * 2^failures, capped), reset by forget().
// Timers come in as a parameter so tests control time.

export interface Scheduler {
  schedule(fn: () => void, ms: number): { cancel(): void };
}

export const realScheduler: Scheduler = {
  schedule(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

export interface QueueOptions {
  /** First retry delay; client-go uses 5 ms. */
  baseDelayMs?: number;
  /** Longest retry delay; client-go uses 1000 s, we cap lower so a fixed cluster recovers sooner. */
  maxDelayMs?: number;
  scheduler?: Scheduler;
  /** Told whenever the number of waiting keys changes (the depth metric). */
  onDepth?: (depth: number) => void;
}

export class WorkQueue {
  readonly #waiting: string[] = [];
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #delayed = new Map<string, { at: number; cancel(): void }>();
  readonly #getters: Array<(key: string | undefined) => void> = [];
  readonly #base: number;
  readonly #max: number;
  readonly #scheduler: Scheduler;
  readonly #onDepth: (depth: number) => void;
  #shutDown = false;

  constructor(options: QueueOptions = {}) {
    this.#base = options.baseDelayMs ?? 5;
    this.#max = options.maxDelayMs ?? 300_000;
    this.#scheduler = options.scheduler ?? realScheduler;
    this.#onDepth = options.onDepth ?? (() => undefined);
  }

  add(key: string): void {
    if (this.#shutDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (!this.#processing.has(key)) this.#push(key);
  }

  #push(key: string): void {
    const getter = this.#getters.shift();
    if (getter) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      getter(key);
      return;
    }
    this.#waiting.push(key);
    this.#onDepth(this.#waiting.length);
  }

  /** Adds the key after ms; a key already due sooner keeps its earlier time. */
  addAfter(key: string, ms: number, now = Date.now()): void {
    if (this.#shutDown) return;
    if (ms <= 0) return this.add(key);
    const existing = this.#delayed.get(key);
    if (existing && existing.at <= now + ms) return;
    existing?.cancel();
    const handle = this.#scheduler.schedule(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, ms);
    this.#delayed.set(key, { at: now + ms, cancel: () => handle.cancel() });
  }

  /** Adds the key after its backoff, which doubles with every failure since the last forget(). */
  addRateLimited(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    const delay = Math.min(this.#base * 2 ** failures, this.#max);
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears the key's failure count: its next failure starts from the base delay again. */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** The next key to process, or undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    const key = this.#waiting.shift();
    if (key !== undefined) {
      this.#onDepth(this.#waiting.length);
      this.#dirty.delete(key);
      this.#processing.add(key);
      return Promise.resolve(key);
    }
    if (this.#shutDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** Marks the key processed; if it was added meanwhile, it waits again. */
  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) this.#push(key);
  }

  depth(): number {
    return this.#waiting.length;
  }

  shutDown(): void {
    this.#shutDown = true;
    for (const d of this.#delayed.values()) d.cancel();
    this.#delayed.clear();
    for (const getter of this.#getters.splice(0)) getter(undefined);
  }
}
