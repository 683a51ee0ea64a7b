// When a server's proxy is checked, pure. The cost at 1,000 servers stays bounded: one check per
// subject (the MCPServer's generation and its MCPToolConfig's, types.ts), made once the proxy is Ready
// and rolled out, never on a resync. A failed check is retried with backoff (15 s doubling to 10 min);
// an answer that a bearer token is needed is not retried until the subject changes; an answer from a
// proxy still on its older configuration (status-map.ts outsideFilter) is tried again in 10 s, six times.
// After a restart the controller knows only status: a subject status.verified already answers for is
// not checked again; any other is, once.
import { isDict, type Dict } from '../desired/types.ts';
import type { HandshakeOutcome } from './types.ts';

export const RETRY_BASE_MS = 15_000;
export const RETRY_MAX_MS = 10 * 60_000;
export const STALE_RETRY_MS = 10_000;
export const STALE_TRIES = 6;

/** What the verifier remembers of one server's latest check. */
export type Entry =
  | { subject: string; state: 'running' }
  | {
      subject: string;
      state: 'answered';
      outcome: HandshakeOutcome;
      /** When the answer came (ms). */
      at: number;
      /** Failed answers in a row for this subject (0 after a success). */
      failures: number;
      /** Answers in a row from a proxy on its older configuration. */
      stale: number;
    };

export interface ScheduleInput {
  /** The status just computed says phase Ready. */
  ready: boolean;
  /** The proxy Deployment runs its current template everywhere (proxyRolledOut). */
  rolledOut: boolean;
  /** subjectKey of what a check now would be for. */
  subject: string;
  /** subjectKey of what status.verified answers for; undefined when it is absent. */
  recorded: string | undefined;
  entry: Entry | undefined;
  now: number;
}

export type Decision = { action: 'none' } | { action: 'start' } | { action: 'later'; atMs: number };

export const retryDelayMs = (failures: number): number =>
  Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, failures - 1));

/** When an answered check for the current subject may be made again; undefined: not for this subject. */
function againAt(entry: Extract<Entry, { state: 'answered' }>): number | undefined {
  if (entry.stale > 0 && entry.stale < STALE_TRIES) return entry.at + STALE_RETRY_MS;
  if (entry.outcome.kind === 'failed') return entry.at + retryDelayMs(entry.failures);
  return undefined;
}

export function decide(input: ScheduleInput): Decision {
  const { entry } = input;
  if (!input.ready || !input.rolledOut) return { action: 'none' };
  // A check in flight for an older subject is not waited for: its answer will not count (verifier.ts).
  if (entry?.state === 'running' && entry.subject === input.subject) return { action: 'none' };
  if (entry?.state === 'answered' && entry.subject === input.subject) {
    const at = againAt(entry);
    if (at === undefined) return { action: 'none' };
    return input.now >= at ? { action: 'start' } : { action: 'later', atMs: at };
  }
  if (entry?.state === 'running') return { action: 'none' };
  if (input.recorded === input.subject) return { action: 'none' };
  return { action: 'start' };
}

const dict = (v: unknown): Dict => (isDict(v) ? v : {});
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

/**
 * Whether the proxy Deployment's pods all run its current template: a check before that could reach a
 * pod still on the older run config. The Deployment controller has seen the latest spec, every replica
 * is updated, and none of the older ones is left.
 */
export function proxyRolledOut(deployment: Dict | undefined): boolean {
  if (!deployment) return false;
  const status = dict(deployment.status);
  const wanted = dict(deployment.spec).replicas;
  const replicas = typeof wanted === 'number' ? wanted : 1;
  const generation = num(dict(deployment.metadata).generation);
  return (
    num(status.observedGeneration) >= generation &&
    num(status.updatedReplicas) >= replicas &&
    num(status.replicas) === num(status.updatedReplicas) &&
    num(status.readyReplicas) >= 1
  );
}

/**
 * The entry an answer for `subject` makes. `stale`: the answer came from a proxy on its older tool
 * filter; after STALE_TRIES of those in a row it counts as the failure `staleFailure` describes.
 */
export function answeredEntry(args: {
  previous: Entry | undefined;
  subject: string;
  outcome: HandshakeOutcome;
  stale: boolean;
  staleFailure: HandshakeOutcome;
  at: number;
}): Entry {
  const { previous, subject } = args;
  const before = previous?.state === 'answered' && previous.subject === subject ? previous : undefined;
  const staleCount = args.stale ? (before?.stale ?? 0) + 1 : 0;
  const gaveUp = staleCount >= STALE_TRIES;
  const outcome = gaveUp ? args.staleFailure : args.outcome;
  return {
    subject,
    state: 'answered',
    outcome,
    at: args.at,
    failures: outcome.kind === 'failed' ? (before?.failures ?? 0) + 1 : 0,
    stale: gaveUp ? 0 : staleCount,
  };
}

/**
 * Whether the MCP server's StatefulSet runs its current revision everywhere: a new generation checked
 * before that would record the older server's tools under it. Undefined (not observed): nothing to wait for.
 */
export function serverRolledOut(statefulSet: Dict | undefined): boolean {
  if (!statefulSet) return true;
  const status = dict(statefulSet.status);
  const wanted = dict(statefulSet.spec).replicas;
  const replicas = typeof wanted === 'number' ? wanted : 1;
  return (
    num(status.observedGeneration) >= num(dict(statefulSet.metadata).generation) &&
    status.currentRevision === status.updateRevision &&
    num(status.updatedReplicas) >= replicas
  );
}
