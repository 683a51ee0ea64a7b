// Leader election on a coordination.k8s.io Lease, as client-go's leaderelection does it, so two
// operator replicas never reconcile at once: the leader renews the Lease every retry period; another
// replica takes it over only once renewTime + leaseDuration has passed. Writes carry the Lease's
// resourceVersion, so of two replicas racing for an expired Lease exactly one succeeds (the other
// gets 409). A leader that cannot renew within renewDeadline gives up (onLost) before its Lease can
// expire and a second leader start: the manager then stops, and the process exits to restart clean.
import type { Logger } from '../lib/log.ts';
import { ApiError } from './io.ts';
import type { KubeClient } from '../lib/kube/client.ts';
import { resourcePath } from './resources.ts';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export type LeaseAction = 'renew' | 'take-over' | 'wait';

/** What a candidate should do with the Lease as it is now. Pure. */
export function leaseAction(spec: LeaseSpec | undefined, identity: string, now: Date): LeaseAction {
  if (!spec?.holderIdentity) return 'take-over';
  if (spec.holderIdentity === identity) return 'renew';
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? '');
  const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
  return Number.isNaN(renewed) || renewed + durationMs < now.getTime() ? 'take-over' : 'wait';
}

/** metav1.MicroTime wants exactly six fractional digits. */
export const microTime = (d: Date): string => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** The Lease spec after this candidate renews or takes it over. Pure. */
export function nextLeaseSpec(
  spec: LeaseSpec | undefined,
  identity: string,
  now: Date,
  durationSeconds: number,
): LeaseSpec {
  const renewing = spec?.holderIdentity === identity;
  return {
    holderIdentity: identity,
    leaseDurationSeconds: durationSeconds,
    acquireTime: renewing && spec?.acquireTime ? spec.acquireTime : microTime(now),
    renewTime: microTime(now),
    leaseTransitions: (spec?.leaseTransitions ?? 0) + (renewing || !spec?.holderIdentity ? 0 : 1),
  };
}

export interface LeaderElectorOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  identity: string;
  log: Logger;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

interface Lease {
  metadata?: { resourceVersion?: string };
  spec?: LeaseSpec;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LeaderElector {
  readonly #o: Required<LeaderElectorOptions>;
  #stopped = false;
  #leading = false;

  constructor(options: LeaderElectorOptions) {
    this.#o = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...options };
  }

  isLeader(): boolean {
    return this.#leading;
  }

  /** One attempt to acquire or renew; true when this candidate holds the Lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name, identity } = this.#o;
    const path = resourcePath('Lease', namespace, name);
    let lease: Lease | undefined;
    try {
      lease = await client.request<Lease>({ method: 'GET', path });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
    const now = new Date();
    if (lease && leaseAction(lease.spec, identity, now) === 'wait') return false;
    const spec = nextLeaseSpec(lease?.spec, identity, now, Math.ceil(this.#o.leaseDurationMs / 1000));
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace, resourceVersion: lease?.metadata?.resourceVersion },
      spec,
    };
    try {
      if (lease) await client.request({ method: 'PUT', path, body });
      else await client.request({ method: 'POST', path: resourcePath('Lease', namespace), body });
    } catch (err) {
      if (err instanceof ApiError && (err.code === 409 || err.code === 404)) return false; // someone else won
      throw err;
    }
    return true;
  }

  /** Resolves once this candidate leads; undefined-resolves early when stopped. */
  async acquire(): Promise<boolean> {
    while (!this.#stopped) {
      const won = await this.tryAcquireOrRenew().catch((err: unknown) => {
        this.#o.log.warn({ err }, 'Failed to read or write the leader Lease');
        return false;
      });
      if (won) {
        this.#leading = true;
        this.#o.log.info({ identity: this.#o.identity, lease: this.#o.name }, 'Acquired leadership');
        return true;
      }
      await sleep(this.#o.retryPeriodMs);
    }
    return false;
  }

  /** Renews until stopped; calls onLost once if a renewal does not succeed within renewDeadline. */
  async keepRenewing(onLost: () => void): Promise<void> {
    let lastRenewed = Date.now();
    while (!this.#stopped) {
      await sleep(this.#o.retryPeriodMs);
      if (this.#stopped) return;
      const renewed = await this.tryAcquireOrRenew().catch(() => false);
      if (renewed) lastRenewed = Date.now();
      else if (Date.now() - lastRenewed > this.#o.renewDeadlineMs) {
        this.#leading = false;
        this.#o.log.error({ identity: this.#o.identity }, 'Lost leadership');
        onLost();
        return;
      }
    }
  }

  /** Stops renewing and, if leading, releases the Lease so another replica need not wait for it to expire. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (!this.#leading) return;
    this.#leading = false;
    const { client, namespace, name } = this.#o;
    const path = resourcePath('Lease', namespace, name);
    try {
      const lease = await client.request<Lease>({ method: 'GET', path });
      if (lease.spec?.holderIdentity !== this.#o.identity) return;
      const spec = {
        ...lease.spec,
        holderIdentity: '',
        leaseDurationSeconds: 1,
        renewTime: microTime(new Date()),
      };
      await client.request({ method: 'PUT', path, body: { ...lease, spec } });
    } catch (err) {
      this.#o.log.warn({ err }, 'Failed to release the leader Lease');
    }
  }
}
