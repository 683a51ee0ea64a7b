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
import type { Backend, SendOutcome, SessionOptions, SessionSink } from '../backends/backend.ts';
import { BackendDecorator, sinkBefore, SessionDecorator, type OpenInner } from '../backends/decorator.ts';
import type { Caller } from '../caller.ts';
import { idKey, isRequest, isResponse, type RequestId, type RpcError, type RpcMessage } from '../jsonrpc.ts';
import { setTraceHeaders, traceHeadersOf } from '../telemetry/trace-context.ts';
import { callVerdict, planIsEmpty, rewriteToolList, type ToolPlan } from './plan.ts';

/** JSON-RPC invalid params: what MCP servers answer a call to an unknown tool with (and ToolHive here). */
export const HIDDEN_TOOL_CODE = -32602;

export function hiddenToolError(id: RequestId, name: string): RpcError {
  const message = `Tool ${JSON.stringify(name)} is not available: this server's tool configuration does not expose it`;
  return { jsonrpc: '2.0', id, error: { code: HIDDEN_TOOL_CODE, message } };
}

const LIST_CHANGED: RpcMessage = { jsonrpc: '2.0', method: 'notifications/tools/list_changed' };

export class ToolControllingBackend extends BackendDecorator {
  private current: ToolPlan;
  private readonly sessions = new Set<ToolSession>();

  constructor(inner: Backend, plan: ToolPlan) {
    super(inner);
    this.current = plan;
  }

  get plan(): ToolPlan {
    return this.current;
  }

  /** Applies a new plan to every session; their clients are told the tool list changed. */
  replacePlan(plan: ToolPlan): void {
    this.current = plan;
    for (const session of this.sessions) session.listChanged();
  }

  override close(): Promise<void> {
    this.sessions.clear();
    return super.close();
  }

  protected wrap(_id: string, sink: SessionSink, options: SessionOptions | undefined, open: OpenInner) {
    const session = new ToolSession(this, sink);
    session.attach(open(session.sink));
    if (!options?.stateless) this.sessions.add(session);
    return session;
  }

  forget(session: ToolSession): void {
    this.sessions.delete(session);
  }
}

class ToolSession extends SessionDecorator {
  private readonly owner: ToolControllingBackend;
  private readonly downstream: SessionSink;
  /** Ids of this session's tools/list requests in flight, whose answers are rewritten. */
  private readonly lists = new Set<string>();
  readonly sink: SessionSink;

  constructor(owner: ToolControllingBackend, downstream: SessionSink) {
    super();
    this.owner = owner;
    this.downstream = downstream;
    this.sink = sinkBefore(
      downstream,
      (message, related, upstreamId) => this.deliver(message, related, upstreamId),
      (reason) => {
        owner.forget(this);
        downstream.ended(reason);
      },
    );
  }

  send(message: RpcMessage, caller?: Caller): SendOutcome {
    const plan = this.owner.plan;
    if (!isRequest(message) || planIsEmpty(plan)) return this.inner.send(message, caller);
    if (message.method === 'tools/list') {
      const key = idKey(message.id);
      this.lists.add(key);
      const outcome = this.inner.send(message, caller);
      if (outcome === 'busy') this.lists.delete(key);
      return outcome;
    }
    const name = message.params?.name;
    if (message.method !== 'tools/call' || typeof name !== 'string') return this.inner.send(message, caller);
    const verdict = callVerdict(plan, name);
    if (verdict.kind === 'pass') return this.inner.send(message, caller);
    if (verdict.kind === 'refuse') {
      this.downstream.deliver(hiddenToolError(message.id, name), message.id);
      return 'accepted';
    }
    const renamed = { ...message, params: { ...message.params, name: verdict.serverName } };
    // The W3C trace context travels beside the message object (the client's, or telemetry's span): keep it.
    setTraceHeaders(renamed, traceHeadersOf(message));
    return this.inner.send(renamed, caller);
  }

  listChanged(): void {
    this.downstream.deliver(LIST_CHANGED);
  }

  protected override letGo(): void {
    this.owner.forget(this);
    this.lists.clear();
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
