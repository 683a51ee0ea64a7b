// Kubernetes Events for notable transitions, so `kubectl describe mcpserver` tells the story: the phase
// changing, a condition going bad or recovering. Pure: which events a status change deserves, and the
// Event object to create. Events come only from transitions, never from every reconcile, so a server
// stuck in CrashLoopBackOff records one event, not one per resync.
import type { Condition, MCPServer, MCPServerStatus } from '../schemas/generated/mcpserver.ts';
import type { NotableEvent } from './io.ts';

/** Conditions whose change of status is worth an event of its own (Ready follows the phase). */
const WATCHED_CONDITIONS = ['SecretsResolved', 'PermissionProfileEnforced', 'ResourcesApplied'];

const conditionOf = (status: MCPServerStatus | undefined, type: string): Condition | undefined =>
  status?.conditions?.find((c) => c.type === type);

function phaseEvent(before: MCPServerStatus | undefined, after: MCPServerStatus): NotableEvent[] {
  if (!after.phase || before?.phase === after.phase) return [];
  const ready = conditionOf(after, 'Ready');
  const reason = after.phase === 'Failed' ? (ready?.reason ?? 'Failed') : after.phase;
  const type = after.phase === 'Failed' ? 'Warning' : 'Normal';
  return [{ type, reason, message: `Phase ${after.phase}: ${after.message ?? ''}`.trim() }];
}

function conditionEvents(before: MCPServerStatus | undefined, after: MCPServerStatus): NotableEvent[] {
  return WATCHED_CONDITIONS.flatMap((type) => {
    const now = conditionOf(after, type);
    const was = conditionOf(before, type);
    if (!now || (was?.status ?? 'True') === now.status) return [];
    return [{ type: now.status === 'True' ? 'Normal' : 'Warning', reason: now.reason, message: now.message }];
  });
}

export function transitionEvents(
  before: MCPServerStatus | undefined,
  after: MCPServerStatus,
): NotableEvent[] {
  return [...phaseEvent(before, after), ...conditionEvents(before, after)];
}

/** A core/v1 Event about the server, as `kubectl describe` and `--field-selector involvedObject.kind` find it. */
export function eventObject(
  server: MCPServer,
  event: NotableEvent,
  at: { now: Date; eventName: string; component: string },
): Record<string, unknown> {
  const name = server.metadata?.name ?? '';
  const time = at.now.toISOString();
  const component = at.component;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: at.eventName, namespace: server.metadata?.namespace },
    involvedObject: {
      apiVersion: server.apiVersion,
      kind: server.kind ?? 'MCPServer',
      name,
      namespace: server.metadata?.namespace,
      uid: server.metadata?.uid,
      resourceVersion: server.metadata?.resourceVersion,
    },
    type: event.type,
    reason: event.reason,
    message: event.message,
    source: { component },
    reportingComponent: component,
    reportingInstance: component,
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
  };
}
