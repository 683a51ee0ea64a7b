// The default certificate source in a cluster: our own CA (certs/authority.ts), its state kept in a
// Secret so every replica serves a certificate the same bundle trusts, and the bundle written into
// the webhook configurations' caBundle. Each round: read the Secret, take the steps renewalDue() names
// (persisting each before the next, so a crash mid-rotation resumes where it stopped), publish the
// bundle, serve the Secret's certificate. Rounds run at start, at the next renewal time, and at least
// every CHECK_INTERVAL, which is how replicas that did not rotate pick up what another one wrote.
//
// Replicas race on the Secret: writes carry its resourceVersion, the loser gets a conflict, re-reads
// and decides again from the winner's state. Publishing is idempotent (the publisher patches only
// what differs), so every replica publishes every round, which also repairs a caBundle that a
// re-applied manifest emptied. The Secret and webhook configurations are reached through the small
// AuthorityStore and CaBundlePublisher interfaces; certs/kubernetes-store.ts implements them.
import type { Logger } from '../lib/log.ts';
import {
  type AuthorityConfig,
  type AuthorityState,
  type RenewalStep,
  advance,
  markBundlePublished,
  renewalDue,
  trustedCaBundle,
} from './authority.ts';
import { CertificateListeners, certificateChanged } from './listeners.ts';
import type { CertificateSource, ServingCertificate } from './source.ts';

/** The Secret holding the authority's state. */
export interface AuthorityStore {
  /** undefined when the Secret does not exist; state undefined when it exists but cannot be decoded. */
  read(): Promise<{ state: AuthorityState | undefined; resourceVersion: string } | undefined>;
  /**
   * Creates the Secret (resourceVersion undefined) or replaces the version read; resolves to the new
   * resourceVersion. Rejects with StoreConflictError when someone else wrote first.
   */
  write(state: AuthorityState, resourceVersion: string | undefined): Promise<string>;
}

/** Writes the CA bundle into the webhook configurations; idempotent. */
export interface CaBundlePublisher {
  publish(caBundlePem: string): Promise<void>;
}

export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
}

export interface SelfManagedOptions {
  store: AuthorityStore;
  publisher: CaBundlePublisher;
  config: AuthorityConfig;
  now?: () => Date;
  checkIntervalMs?: number;
  retryDelayMs?: number;
}

const CHECK_INTERVAL_MS = 60_000;
const RETRY_DELAY_MS = 5_000;
// More steps than one round can need (bootstrap, then at most publish): a bound, not a budget.
const MAX_STEPS_PER_ROUND = 6;
const MAX_CONFLICT_RETRIES = 5;

export class SelfManagedSource implements CertificateSource {
  readonly #options: Required<SelfManagedOptions>;
  readonly #log: Logger;
  readonly #listeners: CertificateListeners;
  #certificate: ServingCertificate | undefined;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(options: SelfManagedOptions, log: Logger) {
    this.#options = {
      now: () => new Date(),
      checkIntervalMs: CHECK_INTERVAL_MS,
      retryDelayMs: RETRY_DELAY_MS,
      ...options,
    };
    this.#log = log;
    this.#listeners = new CertificateListeners(log);
  }

  /** Rejects when the first round fails: without a certificate there is nothing to serve. */
  async start(): Promise<void> {
    const recheckAt = await this.#runRound();
    this.#schedule(recheckAt);
  }

  current(): ServingCertificate {
    if (!this.#certificate) throw new Error('SelfManagedSource.current() called before start() resolved');
    return this.#certificate;
  }

  onChange(listener: (certificate: ServingCertificate) => void): () => void {
    return this.#listeners.add(listener);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#listeners.clear();
    await this.#round.catch(() => undefined);
  }

  /** One round now, as the timer would run it; for tests and for a manual `certs` command. */
  runRoundNow(): Promise<Date> {
    return this.#runRound();
  }

  #runRound(): Promise<Date> {
    const round = this.#round.catch(() => undefined).then(() => this.#roundWithRetries());
    this.#round = round;
    return round;
  }

  async #roundWithRetries(): Promise<Date> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#roundOnce();
      } catch (err) {
        if (!(err instanceof StoreConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw err;
        this.#log.info({ attempt }, 'Re-read webhook TLS Secret after a concurrent write');
      }
    }
  }

  async #roundOnce(): Promise<Date> {
    const stored = await this.#options.store.read();
    let state = stored?.state;
    let resourceVersion = stored?.resourceVersion;
    for (let i = 0; i < MAX_STEPS_PER_ROUND; i++) {
      const step = renewalDue(state, this.#options.now(), this.#options.config);
      if (step.kind === 'none') break;
      state = await this.#take(step, state);
      resourceVersion = await this.#options.store.write(state, resourceVersion);
    }
    if (!state) throw new Error('webhook certificate authority has no state after a round');
    await this.#options.publisher.publish(trustedCaBundle(state));
    this.#serve(state);
    const step = renewalDue(state, this.#options.now(), this.#options.config);
    // Steps left over mean something keeps undoing our work: look again soon, but not in a tight loop.
    return step.kind === 'none'
      ? step.recheckAt
      : new Date(this.#options.now().getTime() + this.#options.retryDelayMs);
  }

  async #take(step: RenewalStep, state: AuthorityState | undefined): Promise<AuthorityState> {
    const fields = 'reason' in step ? { step: step.kind, reason: step.reason } : { step: step.kind };
    this.#log.info(fields, 'Advanced webhook certificate authority');
    const now = this.#options.now();
    if (step.kind !== 'publish-bundle' || !state) return advance(state, step, now, this.#options.config);
    await this.#options.publisher.publish(trustedCaBundle(state));
    return markBundlePublished(state, now);
  }

  #serve(state: AuthorityState): void {
    const certificate = { ...state.serving, caBundlePem: trustedCaBundle(state) };
    if (!certificateChanged(this.#certificate, certificate)) return;
    const first = this.#certificate === undefined;
    this.#certificate = certificate;
    if (!first) this.#listeners.notify(certificate);
  }

  #schedule(recheckAt: Date): void {
    if (this.#stopped) return;
    const untilRecheck = recheckAt.getTime() - this.#options.now().getTime();
    const delay = Math.max(0, Math.min(untilRecheck, this.#options.checkIntervalMs));
    this.#timer = setTimeout(() => {
      this.#runRound().then(
        (next) => this.#schedule(next),
        (err: unknown) => {
          this.#log.error({ err }, 'Failed to renew webhook certificate; retrying');
          this.#schedule(new Date(this.#options.now().getTime() + this.#options.retryDelayMs));
        },
      );
    }, delay);
    this.#timer.unref();
  }
}
