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
import { LineBuffer } from './line-buffer.ts';

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
  private readonly serverText: string;
  private readonly namespaceText: string;

  constructor(out: Writable, server: { name: string; namespace?: string }) {
    this.out = new LineBuffer(out);
    this.serverText = JSON.stringify(server.name);
    this.namespaceText = server.namespace ? `,"namespace":${JSON.stringify(server.namespace)}` : '';
  }

  /** Writes the lines still buffered (line-buffer.ts). */
  flush(): void {
    this.out.flush();
  }

  /**
   * One event, as the line JSON.stringify would print for ToolHive's nested shape (same keys, same
   * order), built as text: a line per request is on the hot path, and building the nested objects to
   * stringify them cost about twice as much. Every string goes through JSON.stringify.
   */
  record(r: AuditRecord): void {
    const q = JSON.stringify;
    const target =
      r.name === undefined
        ? `{"method":${q(r.method)}}`
        : `{"method":${q(r.method)},"name":${q(r.name)},"type":${q(TARGET_TYPES[r.method] ?? 'unknown')}}`;
    const subjects = `{"user_id":${q(r.subject)}${r.issuer ? `,"issuer":${q(r.issuer)}` : ''}}`;
    const extra =
      `{"duration_ms":${Math.round(r.durationMs * 1000) / 1000},"session_id":${q(r.sessionId)},"server":${this.serverText}` +
      `${this.namespaceText}${r.errorCode !== undefined ? `,"error_code":${r.errorCode}` : ''}}`;
    this.out.write(
      `{"type":${q(EVENT_TYPES[r.method] ?? 'mcp_request')},"loggedAt":"${new Date().toISOString()}","outcome":${q(r.outcome)},` +
        `"source":{"type":"network"},"subjects":${subjects},"component":${this.serverText},"target":${target},` +
        `"metadata":{"auditId":"${randomUUID()}","extra":${extra}}}\n`,
    );
  }
}
