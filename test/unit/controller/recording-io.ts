// A ReconcileIO that records every call and answers from in-memory state: reconcile() tested with no
// cluster. `failApply` makes the apply of one kind throw; `conflicts` are the names findConflicts
// reports taken, and `takenAtApply` a name found taken only when applied.
import { silentLogger } from '../../../lib/log.ts';
import type { ChildObject, Dict, ServerFacts } from '../../../controller/desired/types.ts';
import type { ChildConflict } from '../../../controller/adoption.ts';
import {
  ChildConflictError,
  type ApplyResult,
  type ChildRef,
  type NotableEvent,
  type ObjectKey,
  type ReconcileIO,
} from '../../../controller/io.ts';
import type { MCPServer, MCPServerStatus } from '../../../schemas/generated/mcpserver.ts';
import { config, facts } from './builders.ts';

export class RecordingIO implements ReconcileIO {
  readonly config = config();
  readonly log = silentLogger();
  server: MCPServer | undefined;
  facts: ServerFacts = facts();
  owned: ChildRef[] = [];
  observed: { statefulSet: Dict | undefined; deployment: Dict | undefined; pods: Dict[] } = {
    statefulSet: undefined,
    deployment: undefined,
    pods: [],
  };
  failApply: { kind: string; error: Error } | undefined;
  conflicts: ChildConflict[] = [];
  takenAtApply: ChildConflict | undefined;
  readonly applied: ChildObject[] = [];
  readonly deleted: ChildRef[] = [];
  readonly statuses: MCPServerStatus[] = [];
  readonly events: NotableEvent[] = [];

  constructor(server: MCPServer | undefined) {
    this.server = server;
  }
  now = () => new Date('2026-01-01T00:00:00Z');
  getServer = (_key: ObjectKey) => this.server;
  getFacts = () => Promise.resolve(this.facts);
  listOwned = () => this.owned;
  findConflicts = () => Promise.resolve(this.conflicts);
  observe = () => this.observed;
  apply = (object: ChildObject): Promise<ApplyResult> => {
    if (this.failApply?.kind === object.kind) return Promise.reject(this.failApply.error);
    const taken = this.takenAtApply;
    if (taken?.kind === object.kind && taken.name === object.metadata.name)
      return Promise.reject(new ChildConflictError(taken));
    this.applied.push(object);
    return Promise.resolve('unchanged');
  };
  delete = (ref: ChildRef) => {
    this.deleted.push(ref);
    return Promise.resolve();
  };
  writeStatus = (_server: MCPServer, status: MCPServerStatus) => {
    this.statuses.push(status);
    if (this.server) this.server = { ...this.server, status };
    return Promise.resolve();
  };
  recordEvent = (_server: MCPServer, event: NotableEvent) => {
    this.events.push(event);
    return Promise.resolve();
  };
}
