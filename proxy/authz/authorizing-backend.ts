// A Backend around the real one that authorizes each client request with Cedar and audits it: the
// fronts hand every message to BackendSession.send with its caller (proxy/caller.ts), so this wrapper
// sees who asks for what on every request, not only on the one that opened the session.
//   - A request the policies do not permit is answered here with JSON-RPC error 403 "Unauthorized"
//     (ToolHive's code and message; nothing about the policy) and never reaches the server.
//   - tools/list, prompts/list and resources/list pass, and their answers are filtered on the way back
//     through the sink to what the caller may use (list-filter.ts); request ids of list calls in flight
//     are kept per session for that. A tools/list answer also records each tool's annotations, which
//     later tools/call decisions see as resource attributes (ToolHive's annotation cache).
//   - Audit (audit.ts): one line per request when its answer is delivered, when it is denied, or when
//     the session ends first (outcome error). Requests the backend refuses as busy are not audited:
//     the client gets the front's busy answer and retries.
// Either part may be off: authorizer undefined (audit only) or audit undefined (authorization only).
import type { Logger } from '../../lib/log.ts';
import type { Backend, SendOutcome, SessionOptions, SessionSink } from '../backends/backend.ts';
import {
  BackendDecorator,
  sinkBefore,
  SessionDecorator,
  type LetGo,
  type OpenInner,
} from '../backends/decorator.ts';
import { ANONYMOUS, type Caller } from '../caller.ts';
import { errorResponse, idKey, isRequest, isResponse, type RequestId, type RpcMessage } from '../jsonrpc.ts';
import type { AuditLog, AuditOutcome } from './audit.ts';
import type { CedarAuthorizer, DecisionInput } from './cedar-authorizer.ts';
import { filterListResult, toolAnnotations } from './list-filter.ts';
import { ruleFor, type ListKind, type MethodRule } from './methods.ts';

/** ToolHive's JSON-RPC code for a denied request (pkg/mcp JSONRPCCodeDenied) and its message. */
export const DENIED_CODE = 403;
export const DENIED_MESSAGE = 'Unauthorized';
const ERROR_LOG_EVERY_MS = 30_000;
const MAX_ANNOTATED_TOOLS = 10_000;

export interface AuthorizingOptions {
  authorizer?: CedarAuthorizer;
  audit?: AuditLog;
  log: Logger;
}

interface InFlight {
  method: string;
  name?: string;
  caller: Caller;
  startedMs: number;
  list?: ListKind;
}

export class AuthorizingBackend extends BackendDecorator {
  readonly options: AuthorizingOptions;
  /** Tool annotations from the last tools/list answers, by tool name (server-wide, as ToolHive's). */
  readonly annotations = new Map<string, Record<string, boolean>>();
  private lastErrorLogMs = 0;

  constructor(inner: Backend, options: AuthorizingOptions) {
    super(inner);
    this.options = options;
  }

  override close(): Promise<void> {
    this.options.audit?.flush();
    return super.close();
  }
  protected override closed(): void {
    this.options.audit?.flush();
  }

  protected wrap(id: string, sink: SessionSink, _options: SessionOptions | undefined, open: OpenInner) {
    const session = new AuthorizedSession(this, id, sink);
    return session.attach(open(session.sink));
  }

  /** Whether caller may do what the rule checks; evaluation errors are denials, logged at most every 30 s. */
  permits(caller: Caller, input: DecisionInput): boolean {
    const { authorizer, log } = this.options;
    if (!authorizer) return true;
    const decision = authorizer.decide(caller, input);
    if (decision.errors && Date.now() - this.lastErrorLogMs > ERROR_LOG_EVERY_MS) {
      this.lastErrorLogMs = Date.now();
      log.warn(
        {
          action: input.action,
          resource: `${input.resourceType}::${JSON.stringify(input.id)}`,
          errors: decision.errors,
        },
        'Cedar evaluation failed, so the request is denied (as ToolHive does); guard optional attributes with `has`',
      );
    }
    return decision.allowed;
  }
}

class AuthorizedSession extends SessionDecorator {
  private readonly owner: AuthorizingBackend;
  private readonly id: string;
  private readonly downstream: SessionSink;
  private readonly inFlight = new Map<string, InFlight>();
  readonly sink: SessionSink;

  constructor(owner: AuthorizingBackend, id: string, downstream: SessionSink) {
    super();
    this.owner = owner;
    this.id = id;
    this.downstream = downstream;
    this.sink = sinkBefore(downstream, (message, related, upstreamId) =>
      this.deliver(message, related, upstreamId),
    );
  }

  send(message: RpcMessage, caller: Caller = ANONYMOUS): SendOutcome {
    if (!isRequest(message)) return this.inner.send(message, caller);
    const rule = ruleFor(message.method, message.params);
    const entry: InFlight = { method: message.method, caller, startedMs: performance.now(), ...nameOf(rule) };
    if (!this.allowed(rule, caller)) {
      this.downstream.deliver(errorResponse(message.id, DENIED_CODE, DENIED_MESSAGE), message.id);
      this.audit(entry, 'denied', DENIED_CODE);
      return 'accepted';
    }
    if (rule.kind === 'filter' && this.owner.options.authorizer) entry.list = rule.list;
    const tracked = entry.list !== undefined || this.owner.options.audit !== undefined;
    if (tracked) this.inFlight.set(idKey(message.id), entry);
    const outcome = this.inner.send(message, caller);
    if (outcome === 'busy' && tracked) this.inFlight.delete(idKey(message.id));
    return outcome;
  }

  /** Requests in flight are audited as errors when the session ends; a detached one goes on elsewhere. */
  protected override letGo(why: LetGo): void {
    if (why === 'close') for (const entry of this.inFlight.values()) this.audit(entry, 'error');
    this.inFlight.clear();
  }

  private allowed(rule: MethodRule, caller: Caller): boolean {
    if (!this.owner.options.authorizer) return true;
    if (rule.kind === 'deny') return false;
    if (rule.kind !== 'check') return true;
    const input: DecisionInput = { action: rule.action, resourceType: rule.resourceType, id: rule.id };
    if (rule.args) input.args = rule.args;
    const attrs = rule.resourceType === 'Tool' ? this.owner.annotations.get(rule.id) : undefined;
    if (attrs) input.attrs = attrs;
    return this.owner.permits(caller, input);
  }

  private deliver(message: RpcMessage, related?: RequestId, upstreamId?: string): void {
    const id = isResponse(message) ? message.id : undefined;
    const entry = id === undefined || id === null ? undefined : this.inFlight.get(idKey(id));
    if (!entry) return this.downstream.deliver(message, related, upstreamId);
    this.inFlight.delete(idKey(id!));
    let out = message;
    if ('result' in message && entry.list) {
      const list = entry.list;
      const result = filterListResult(list, message.result, (type, name, item) => {
        if (list === 'tools') this.remember(name, item);
        const attrs = type === 'Tool' ? this.owner.annotations.get(name) : undefined;
        const action = type === 'Tool' ? 'call_tool' : type === 'Prompt' ? 'get_prompt' : 'read_resource';
        return this.owner.permits(entry.caller, {
          action,
          resourceType: type,
          id: name,
          ...(attrs ? { attrs } : {}),
        });
      });
      out = { ...message, result };
    }
    // The answer first, its audit line after: the line is off the caller's critical path.
    this.downstream.deliver(out, related, upstreamId);
    this.audit(
      entry,
      'error' in message ? 'error' : 'success',
      'error' in message ? message.error.code : undefined,
    );
  }

  private remember(name: string, tool: Record<string, unknown>): void {
    const annotations = toolAnnotations(tool);
    if (annotations && this.owner.annotations.size < MAX_ANNOTATED_TOOLS)
      this.owner.annotations.set(name, annotations);
    else this.owner.annotations.delete(name);
  }

  private audit(entry: InFlight, outcome: AuditOutcome, errorCode?: number): void {
    const audit = this.owner.options.audit;
    if (!audit) return;
    audit.record({
      method: entry.method,
      ...(entry.name !== undefined ? { name: entry.name } : {}),
      subject: entry.caller.subject,
      ...(entry.caller.issuer ? { issuer: entry.caller.issuer } : {}),
      sessionId: this.id,
      outcome,
      ...(errorCode !== undefined ? { errorCode } : {}),
      durationMs: performance.now() - entry.startedMs,
    });
  }
}

function nameOf(rule: MethodRule): { name?: string } {
  return rule.kind === 'check' ? { name: rule.id } : {};
}
