// One reconcile of one MCPServer: gather -> desired -> apply -> prune -> status. Level-triggered: it
// reads the whole current state every time and never depends on which event woke it.
// Contract of the result: it resolves when the server is as desired as it can be made now (status
// says what is missing), and throws when a retry may help (the queue retries with backoff).
// No finalizer: owner references and garbage collection remove the children; a deleting MCPServer
// only gets its Terminating status.
// Children are never adopted: a name taken by an object not this server's is left alone, and so is
// every child that would trust it (adoption.ts); status says so, and the reconcile comes back after
// config.conflictRecheckMs, since an object outside the caches sends no event when it goes away.
import type { MCPServer } from '../schemas/generated/mcpserver.ts';
import { planApplies, type ChildConflict, type Contested } from './adoption.ts';
import { desiredChildren, type DesiredState } from './desired/children.ts';
import type { ChildObject, ServerFacts } from './desired/types.ts';
import { transitionEvents } from './events.ts';
import {
  ChildConflictError,
  isTerminalApplyError,
  type ApplyResult,
  type ChildRef,
  type ObjectKey,
  type ReconcileIO,
} from './io.ts';
import { statusChanged, statusFor, type ApplyFailure } from './status.ts';

export interface Outcome {
  /** Set when the reconcile wants to run again even without an event. */
  requeueAfterMs?: number;
}

const refOf = (o: { kind: ChildRef['kind']; metadata: { name: string; namespace: string } }): ChildRef => ({
  kind: o.kind,
  name: o.metadata.name,
  namespace: o.metadata.namespace,
});
const refKey = (r: ChildRef): string => `${r.kind}/${r.namespace}/${r.name}`;

interface ApplyReport {
  failure: ApplyFailure | undefined;
  retriable: Error | undefined;
  /** The `Created` event being recorded: nothing after the applies waits for it. */
  event: Promise<void>;
  /** Names found taken by the applies themselves (since findConflicts looked). */
  conflicts: ChildConflict[];
}

/** Workloads reference the other children (ServiceAccounts, the ConfigMap), so they go last. */
const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['StatefulSet', 'Deployment']);

/** The children in their apply waves (see applyAll): everything the workloads use, then the workloads. */
export function applyWaves(objects: ChildObject[]): [ChildObject[], ChildObject[]] {
  return [
    objects.filter((o) => !WORKLOAD_KINDS.has(o.kind)),
    objects.filter((o) => WORKLOAD_KINDS.has(o.kind)),
  ];
}

/**
 * Applies the children in two waves, each all at once: first everything the workloads use, then the
 * workloads. A first reconcile is otherwise nine requests in a row, and the time to Ready at scale is
 * the API server's latency times the requests waited for in a row (bench/controller). Two waves keep
 * the order that matters: a pod is never created before its ServiceAccount, which the ServiceAccount
 * admission plugin would reject.
 */
async function applyAll(server: MCPServer, desired: DesiredState, io: ReconcileIO): Promise<ApplyReport> {
  const report: ApplyReport = {
    failure: undefined,
    retriable: undefined,
    event: Promise.resolve(),
    conflicts: [],
  };
  const created = new Set<ChildObject>();
  const applyOne = async (object: ChildObject): Promise<void> => {
    let result: ApplyResult;
    try {
      result = await io.apply(object);
    } catch (err) {
      if (err instanceof ChildConflictError) {
        report.conflicts.push(err.conflict);
        return;
      }
      // Keep going: the other children are independent, and status shows the first failure.
      report.failure ??= { kind: object.kind, name: object.metadata.name, message: (err as Error).message };
      if (!isTerminalApplyError(err))
        report.retriable ??= err instanceof Error ? err : new Error(String(err));
      return;
    }
    if (result === 'created') created.add(object);
  };
  for (const wave of applyWaves(desired.objects)) await Promise.all(wave.map(applyOne));
  // One event for everything this reconcile created, not one per child: a new MCPServer would
  // otherwise cost nine Event writes.
  const names = desired.objects.filter((o) => created.has(o)).map((o) => `${o.kind} ${o.metadata.name}`);
  if (names.length) {
    report.event = io.recordEvent(server, {
      type: 'Normal',
      reason: 'Created',
      message: `Created ${names.join(', ')}`,
    });
  }
  return report;
}

/** Deletes owned children no longer desired (a transport change drops two Services, say). */
async function prune(server: MCPServer, desired: DesiredState, io: ReconcileIO): Promise<void> {
  const wanted = new Set(desired.objects.map((o) => refKey(refOf(o))));
  for (const ref of io.listOwned(server)) {
    if (wanted.has(refKey(ref))) continue;
    await io.delete(ref);
    io.log.info({ namespace: ref.namespace, name: ref.name, kind: ref.kind }, 'Deleted unwanted child');
    await io.recordEvent(server, {
      type: 'Normal',
      reason: 'Deleted',
      message: `Deleted ${ref.kind} ${ref.name}, no longer needed`,
    });
  }
}

async function writeStatus(
  server: MCPServer,
  desired: DesiredState,
  io: ReconcileIO,
  found: { failure?: ApplyFailure | undefined; contested?: Contested | undefined; facts?: ServerFacts } = {},
): Promise<void> {
  const { failure, contested, facts } = found;
  const observed = { ...io.observe(server), findings: desired.findings, applyFailure: failure, contested };
  let status = statusFor(server, observed, io.config, io.now());
  // The check's part depends on Ready, which the status just computed says.
  const verification = io.verification?.(server, {
    ready: status.phase === 'Ready',
    deployment: observed.deployment,
    statefulSet: observed.statefulSet,
    companions: facts?.companions,
  });
  if (verification) status = statusFor(server, { ...observed, verification }, io.config, io.now());
  if (!statusChanged(server.status, status)) return;
  await io.writeStatus(server, status);
  await Promise.all(transitionEvents(server.status, status).map((event) => io.recordEvent(server, event)));
}

export async function reconcile(key: ObjectKey, io: ReconcileIO): Promise<Outcome> {
  const server = io.getServer(key);
  if (!server) return {};
  const facts = await io.getFacts(server);
  const desired = desiredChildren(server, facts, io.config);
  if (server.metadata?.deletionTimestamp) {
    // Applying now would race the garbage collector; only say what is happening.
    await writeStatus(server, desired, io);
    return {};
  }
  const found = await io.findConflicts(desired.objects);
  const plan = planApplies(server, desired.objects, found);
  // Held objects stay desired (prune keeps them) but are not applied: the proxy keeps what it has.
  const held = new Set(desired.held);
  const report = await applyAll(server, { ...desired, objects: plan.apply.filter((o) => !held.has(o)) }, io);
  const conflicts = [...found, ...report.conflicts];
  const contested = conflicts.length ? { conflicts, withheld: plan.withheld } : undefined;
  // Prune only when everything applied: a half-applied state is not a reason to delete anything.
  if (!report.failure && !contested) await prune(server, desired, io);
  await writeStatus(server, desired, io, { failure: report.failure, contested, facts });
  await report.event; // recordEvent never throws
  if (report.retriable) throw report.retriable;
  return contested ? { requeueAfterMs: io.config.conflictRecheckMs } : {};
}
