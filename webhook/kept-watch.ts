// An informer kept running for the webhook's whole life: started once (synced() from the first list on,
// for /readyz), and started again after a delay whenever it stops on an error, as client-node's informer
// did for anything but an expired resourceVersion (lib/kube/typed-calls.ts's informer, used since, retries
// by itself and never stops). The policy ConfigMap (policy-source.ts) and the namespaces' Pod Security
// labels (namespace-levels.ts) are watched this way.
import type { Logger } from '../lib/log.ts';

/** The part of an informer this needs (lib/kube/typed-calls.ts's retries on its own and never emits 'error'). */
export interface Restartable {
  on(verb: 'error', cb: (err?: unknown) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const RESTART_DELAY_MS = 5_000;

export class KeptWatch {
  readonly #informer: Restartable;
  readonly #log: Logger;
  readonly #what: string;
  readonly #delayMs: number;
  #synced = false;
  #stopped = false;
  #restartTimer: NodeJS.Timeout | undefined;

  /** `what` names the watch in the log line of a restart. */
  constructor(informer: Restartable, log: Logger, what: string, delayMs = RESTART_DELAY_MS) {
    this.#informer = informer;
    this.#log = log;
    this.#what = what;
    this.#delayMs = delayMs;
    informer.on('error', (err) => this.#restartLater(err));
  }

  /** Resolves after the first list; rejects if it fails. */
  async start(): Promise<void> {
    await this.#informer.start();
    this.#synced = true;
  }

  /** True once the first list completed. */
  synced(): boolean {
    return this.#synced;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    await this.#informer.stop();
  }

  #restartLater(err: unknown): void {
    if (this.#stopped) return;
    this.#log.warn({ err }, `${this.#what} watch failed; restarting`);
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      if (this.#stopped) return;
      this.#informer.start().then(
        () => (this.#synced = true),
        (startErr: unknown) => this.#restartLater(startErr),
      );
    }, this.#delayMs);
    this.#restartTimer.unref();
  }
}
