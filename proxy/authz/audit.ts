// The audit log: one JSON line per MCP request a client sends, written when its answer is delivered
// (or when it is denied, or its session ends first). The shape stays close to ToolHive's audit events
// (pkg/audit: type mcp_tool_call..., loggedAt, outcome, subjects, component, target, metadata) so the
// same log queries work. Never the arguments, never the token, never result content: only the names
// a policy decides on. Client notifications are not audited (initialized, progress, cancelled and
// list_changed carry no request for anything). Lines go to a Writable (the proxy's stdout, where the
// pod's log collector reads them; tests and the bench pass their own), not through the pino logger,
// so they are never dropped by the log level. They are written in batches (line-buffer.ts).
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { LineBuffer, type LineBufferOptions } from './line-buffer.ts';

export type AuditOutcome = 'success' | 'denied' | 'error';

export interface AuditRecord {
  method: string;
  /** Tool or prompt name, or resource uri, when the method names one. */
  name?: string;
  subject: string;
  issuer?: string;
  sessionId: string;
  outcome: AuditOutcome;
  /** The JSON-RPC error code of an error answer (ours or the server's). */
  errorCode?: number;
  durationMs: number;
}

const EVENT_TYPES: Record<string, string> = {
  initialize: 'mcp_initialize',
  'tools/call': 'mcp_tool_call',
  'tools/list': 'mcp_tools_list',
  'resources/read': 'mcp_resource_read',
  'resources/list': 'mcp_resources_list',
  'prompts/get': 'mcp_prompt_get',
  'prompts/list': 'mcp_prompts_list',
  ping: 'mcp_ping',
  'logging/setLevel': 'mcp_logging',
  'completion/complete': 'mcp_completion',
};
const TARGET_TYPES: Record<string, string> = {
  'tools/call': 'tool',
  'prompts/get': 'prompt',
  'resources/read': 'resource',
  'resources/subscribe': 'resource',
  'resources/unsubscribe': 'resource',
};

export class AuditLog {
  private readonly out: LineBuffer;
  private readonly server: { name: string; namespace?: string };

  constructor(
    out: Writable,
    server: { name: string; namespace?: string },
    buffering: LineBufferOptions = {},
  ) {
    this.out = new LineBuffer(out, buffering);
    this.server = server;
  }

  /** Writes the lines still buffered (line-buffer.ts). */
  flush(): void {
    this.out.flush();
  }

  record(r: AuditRecord): void {
    const target: Record<string, string> = { method: r.method };
    if (r.name !== undefined) {
      target.name = r.name;
      target.type = TARGET_TYPES[r.method] ?? 'unknown';
    }
    const subjects: Record<string, string> = { user_id: r.subject };
    if (r.issuer) subjects.issuer = r.issuer;
    const extra: Record<string, unknown> = {
      duration_ms: Math.round(r.durationMs * 1000) / 1000,
      session_id: r.sessionId,
      server: this.server.name,
    };
    if (this.server.namespace) extra.namespace = this.server.namespace;
    if (r.errorCode !== undefined) extra.error_code = r.errorCode;
    const event = {
      type: EVENT_TYPES[r.method] ?? 'mcp_request',
      loggedAt: new Date().toISOString(),
      outcome: r.outcome,
      source: { type: 'network' },
      subjects,
      component: this.server.name,
      target,
      metadata: { auditId: randomUUID(), extra },
    };
    this.out.write(`${JSON.stringify(event)}\n`);
  }
}
