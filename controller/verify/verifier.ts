// The controller's side of the checks: called by the reconcile (through ReconcileIO.verification) when
// it writes status, it says what status should carry about the check now, and starts a check when one is
// due (schedule.ts). A check never blocks the reconcile: it runs apart, at most `concurrency` at once,
// and its answer is kept here and the server enqueued, so the next reconcile writes it with the rest of
// the status (one writer for status, as before).
// What is remembered is one entry per server, in memory; after a restart status.verified says what was
// verified (schedule.ts).
import type { Logger } from '../../lib/log.ts';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import type { Dict, Finding } from '../desired/types.ts';
import { answeredEntry, decide, proxyRolledOut, serverRolledOut, type Entry } from './schedule.ts';
import {
  outsideFilter,
  previousFinding,
  recordedSubject,
  subjectOf,
  verifiedFinding,
  verifiedStatus,
} from './status-map.ts';
import { subjectKey, VERIFIED_CONDITION, type HandshakeOutcome, type Subject } from './types.ts';
import type { VerifiedStatus } from './types.ts';

/** What status carries about the check: both absent on a server never checked. */
export interface Verification {
  verified?: VerifiedStatus;
  finding?: Finding;
}

export interface VerificationInput {
  /** The status just computed says phase Ready. */
  ready: boolean;
  /** The proxy Deployment, as observed. */
  deployment: Dict | undefined;
  /** The MCP server's StatefulSet, as observed; unset: not waited for. */
  statefulSet?: Dict | undefined;
  /** The companions the reconcile read (ServerFacts.companions). */
  companions?: ReadonlyMap<string, Dict | undefined>;
}

export interface VerifierDeps {
  /** One handshake with the server's proxy (handshake.ts with a target); never throws. */
  check(server: MCPServer): Promise<HandshakeOutcome>;
  /** Wakes the server's reconcile (the manager's enqueue), with its `<namespace>/<name>` key. */
  enqueue(key: string): void;
  log: Logger;
  now?: () => Date;
  /** Checks in flight at once, over every server. */
  concurrency?: number;
}

const keyOf = (server: MCPServer): string =>
  `${server.metadata?.namespace ?? ''}/${server.metadata?.name ?? ''}`;

export class Verifier {
  readonly #d: VerifierDeps;
  readonly #entries = new Map<string, Entry>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #waiting: Array<() => void> = [];
  #running = 0;
  #stopped = false;

  constructor(deps: VerifierDeps) {
    this.#d = deps;
  }

  #now(): Date {
    return this.#d.now?.() ?? new Date();
  }

  /** What status should say now about `server`'s check; starts one when due. */
  verification(server: MCPServer, input: VerificationInput): Verification {
    const key = keyOf(server);
    const subject = subjectOf(server, input.companions);
    const entry = this.#entries.get(key);
    const recorded = recordedSubject(server.status?.verified);
    const decision = decide({
      ready: input.ready,
      rolledOut: proxyRolledOut(input.deployment) && serverRolledOut(input.statefulSet),
      subject: subjectKey(subject),
      recorded: recorded && subjectKey(recorded),
      entry,
      now: this.#now().getTime(),
    });
    if (decision.action === 'start') this.#start(server, key, subject);
    if (decision.action === 'later') this.#wakeAt(key, decision.atMs);
    return this.#view(server, subject, entry);
  }

  #view(server: MCPServer, subject: Subject, entry: Entry | undefined): Verification {
    const previous = server.status?.verified;
    const carried: Verification = {
      ...(previous ? { verified: previous } : {}),
      ...this.#previous(server),
    };
    if (entry?.state !== 'answered' || entry.subject !== subjectKey(subject) || entry.stale > 0)
      return carried;
    const finding = verifiedFinding(entry.outcome, subject);
    if (entry.outcome.kind !== 'verified') return { ...carried, finding };
    return { verified: verifiedStatus(entry.outcome, subject, new Date(entry.at)), finding };
  }

  #previous(server: MCPServer): { finding?: Finding } {
    const finding = previousFinding(server, VERIFIED_CONDITION);
    return finding ? { finding } : {};
  }

  #start(server: MCPServer, key: string, subject: Subject): void {
    const previous = this.#entries.get(key);
    const id = subjectKey(subject);
    this.#entries.set(key, { subject: id, state: 'running' });
    void this.#run(server).then((outcome) => {
      const current = this.#entries.get(key);
      // Stopped, forgotten, or a check for a newer subject started meanwhile: this answer does not count.
      if (this.#stopped || current?.state !== 'running' || current.subject !== id) return;
      const stale =
        outcome.kind === 'verified' && outsideFilter(outcome.tools, subject.toolsFilter).length > 0;
      const at = this.#now().getTime();
      const staleFailure = staleFailureOf(outcome, subject);
      this.#entries.set(key, answeredEntry({ previous, subject: id, outcome, stale, staleFailure, at }));
      this.#d.log.info(
        { mcpserver: key, subject: id, outcome: outcome.kind, stale },
        'Verified MCPServer proxy',
      );
      this.#d.enqueue(key);
    });
  }

  async #run(server: MCPServer): Promise<HandshakeOutcome> {
    const limit = this.#d.concurrency ?? 8;
    if (this.#running >= limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    if (this.#stopped) return { kind: 'failed', message: 'the controller stopped' };
    this.#running++;
    try {
      return await this.#d.check(server);
    } catch (err) {
      return { kind: 'failed', message: (err as Error).message };
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }

  /** Enqueues the server when a retry is due; one timer per server, the earliest kept. */
  #wakeAt(key: string, atMs: number): void {
    if (this.#timers.has(key) || this.#stopped) return;
    const delay = Math.max(0, atMs - this.#now().getTime());
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.#d.enqueue(key);
    }, delay);
    timer.unref();
    this.#timers.set(key, timer);
  }

  /** Forgets a deleted server. */
  forget(key: string): void {
    this.#entries.delete(key);
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
  }

  /** Checks in flight are not waited for: their answers are dropped. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
}

function staleFailureOf(outcome: HandshakeOutcome, subject: Subject): HandshakeOutcome {
  const tools = outcome.kind === 'verified' ? outsideFilter(outcome.tools, subject.toolsFilter) : [];
  return {
    kind: 'failed',
    message: `the proxy lists tools its toolsFilter does not allow (${tools.slice(0, 5).join(', ')}): it has not applied the current tool configuration`,
  };
}
