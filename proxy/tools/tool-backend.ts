// A Backend around the rest of the proxy's chain that applies the run config's `tools` section
// (plan.ts) to what clients see and call. It is the outermost wrapper, as ToolHive's tool filter is
// the outermost middleware after audit: authorization, rate limits and the server all see the
// server's own tool names, so a Cedar policy or a rate limit naming `delete_repo` keeps holding when
// an MCPToolConfig renames it.
//   - tools/call: a name the filter does not list (or a tool renamed away) is answered here with
//     JSON-RPC error -32602 naming the tool, and never goes further; a new name is replaced by the
//     server's before it goes on. Progress, results and errors come back as they are.
//   - tools/list: passed on, and each page of its answer rewritten (plan.ts) on the way back.
//   - Everything else, notifications/tools/list_changed included, passes untouched.
// The plan can be replaced while sessions are open (the run config file changed): lists answered
// from then on use the new one, and every open session is told notifications/tools/list_changed so
// its client lists again.
import type {
  Backend,
  BackendSession,
  SendOutcome,
  SessionOptions,
  SessionSink,
} from '../backends/backend.ts';
import type { Caller } from '../caller.ts';
import { idKey, isRequest, isResponse, type RequestId, type RpcError, type RpcMessage } from '../jsonrpc.ts';
import { callVerdict, planIsEmpty, rewriteToolList, type ToolPlan } from './plan.ts';

/** JSON-RPC invalid params: what MCP servers answer a call to an unknown tool with (and ToolHive here). */
export const HIDDEN_TOOL_CODE = -32602;

export function hiddenToolError(id: RequestId, name: string): RpcError {
  const message = `Tool ${JSON.stringify(name)} is not available: this server's tool configuration does not expose it`;
  return { jsonrpc: '2.0', id, error: { code: HIDDEN_TOOL_CODE, message } };
}

const LIST_CHANGED: RpcMessage = { jsonrpc: '2.0', method: 'notifications/tools/list_changed' };

export class ToolControllingBackend implements Backend {
  private readonly inner: Backend;
  private current: ToolPlan;
  private readonly sessions = new Set<ToolSession>();

  constructor(inner: Backend, plan: ToolPlan) {
    this.inner = inner;
    this.current = plan;
    // Sessions another replica opened (spec.sessionStorage) are served the same way; the front tests
    // for the member, so it exists here only where the inner backend has it.
    if (inner.adoptSession)
      this.adoptSession = (id, sink, handle) => {
        const session = new ToolSession(this, sink);
        session.attach(inner.adoptSession!(id, session.sink, handle));
        this.sessions.add(session);
        return session;
      };
  }

  adoptSession?: Backend['adoptSession'];

  get plan(): ToolPlan {
    return this.current;
  }

  /** Applies a new plan to every session; their clients are told the tool list changed. */
  replacePlan(plan: ToolPlan): void {
    this.current = plan;
    for (const session of this.sessions) session.listChanged();
  }

  start(): Promise<void> {
    return this.inner.start();
  }
  healthy(): boolean {
    return this.inner.healthy();
  }
  restarts(): number {
    return this.inner.restarts();
  }
  close(): Promise<void> {
    this.sessions.clear();
    return this.inner.close();
  }

  openSession(id: string, sink: SessionSink, options?: SessionOptions): BackendSession {
    const session = new ToolSession(this, sink);
    session.attach(this.inner.openSession(id, session.sink, options));
    if (!options?.stateless) this.sessions.add(session);
    return session;
  }

  forget(session: ToolSession): void {
    this.sessions.delete(session);
  }
}

class ToolSession implements BackendSession {
  private readonly owner: ToolControllingBackend;
  private readonly downstream: SessionSink;
  /** Ids of this session's tools/list requests in flight, whose answers are rewritten. */
  private readonly lists = new Set<string>();
  private inner: BackendSession | undefined;
  readonly sink: SessionSink;

  constructor(owner: ToolControllingBackend, downstream: SessionSink) {
    this.owner = owner;
    this.downstream = downstream;
    this.sink = {
      deliver: (message, related, upstreamId) => this.deliver(message, related, upstreamId),
      ended: (reason) => {
        owner.forget(this);
        downstream.ended(reason);
      },
      streamClosed: (requestId) => downstream.streamClosed?.(requestId),
      streamOpened: (requestId) => downstream.streamOpened?.(requestId),
    };
  }

  attach(inner: BackendSession): void {
    this.inner = inner;
    // Optional members exist here only where the inner session has them: the fronts test for them.
    if (inner.detach) this.detach = () => this.let(inner.detach!.bind(inner));
    if (inner.handle) this.handle = () => inner.handle!();
    if (inner.resume) this.resume = (id, upstreamEventId) => inner.resume!(id, upstreamEventId);
  }

  detach?: () => void;
  handle?: BackendSession['handle'];
  resume?: BackendSession['resume'];

  send(message: RpcMessage, caller?: Caller): SendOutcome {
    const plan = this.owner.plan;
    if (!isRequest(message) || planIsEmpty(plan)) return this.inner!.send(message, caller);
    if (message.method === 'tools/list') {
      const key = idKey(message.id);
      this.lists.add(key);
      const outcome = this.inner!.send(message, caller);
      if (outcome === 'busy') this.lists.delete(key);
      return outcome;
    }
    const name = message.params?.name;
    if (message.method !== 'tools/call' || typeof name !== 'string') return this.inner!.send(message, caller);
    const verdict = callVerdict(plan, name);
    if (verdict.kind === 'pass') return this.inner!.send(message, caller);
    if (verdict.kind === 'refuse') {
      this.downstream.deliver(hiddenToolError(message.id, name), message.id);
      return 'accepted';
    }
    return this.inner!.send({ ...message, params: { ...message.params, name: verdict.serverName } }, caller);
  }

  close(): void {
    this.let(() => this.inner?.close());
  }

  listChanged(): void {
    this.downstream.deliver(LIST_CHANGED);
  }

  private let(end: () => void): void {
    this.owner.forget(this);
    this.lists.clear();
    end();
  }

  private deliver(message: RpcMessage, related?: RequestId, upstreamId?: string): void {
    if (this.lists.size > 0 && isResponse(message) && message.id !== undefined && message.id !== null) {
      const key = idKey(message.id);
      if (this.lists.delete(key) && 'result' in message) {
        const result = rewriteToolList(this.owner.plan, message.result);
        return this.downstream.deliver({ ...message, result }, related, upstreamId);
      }
    }
    this.downstream.deliver(message, related, upstreamId);
  }
}
