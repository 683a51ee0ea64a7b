// The audit line is built as text (proxy/authz/audit.ts): it must be exactly what JSON.stringify prints
// for ToolHive's nested event shape, whatever the strings hold (quotes, backslashes, newlines, U+2028,
// lone surrogates), with and without the optional fields.
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { AuditLog, type AuditRecord } from '../../../../proxy/authz/audit.ts';

function lineOf(record: AuditRecord, server: { name: string; namespace?: string }): string {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _e, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  const log = new AuditLog(out, server);
  log.record(record);
  log.flush();
  return text;
}

const HOSTILE = 'a"b\\c\nd\u2028e\ud800f</script>';

describe('proxy/authz audit line', () => {
  for (const [title, record, server] of [
    [
      'with every field',
      {
        method: 'tools/call',
        name: HOSTILE,
        subject: HOSTILE,
        issuer: 'https://issuer"x',
        sessionId: HOSTILE,
        outcome: 'denied',
        errorCode: 403,
        durationMs: 1.23456,
      },
      { name: 'srv"1', namespace: 'team-a' },
    ],
    [
      'without the optional fields',
      { method: 'ping', subject: 'anonymous', sessionId: 's', outcome: 'success', durationMs: 0 },
      { name: 'srv' },
    ],
  ] as [string, AuditRecord, { name: string; namespace?: string }][]) {
    it(`is the JSON of ToolHive's event shape, ${title}`, () => {
      const line = lineOf(record, server);
      expect(line.endsWith('\n')).to.equal(true);
      const event = JSON.parse(line) as Record<string, unknown> & {
        loggedAt: string;
        metadata: { auditId: string };
      };
      expect(event.loggedAt).to.match(/^\d{4}-\d\d-\d\dT/);
      expect(event.metadata.auditId).to.match(/^[0-9a-f-]{36}$/);
      const expected = {
        type: record.method === 'tools/call' ? 'mcp_tool_call' : 'mcp_ping',
        loggedAt: event.loggedAt,
        outcome: record.outcome,
        source: { type: 'network' },
        subjects: { user_id: record.subject, ...(record.issuer ? { issuer: record.issuer } : {}) },
        component: server.name,
        target: {
          method: record.method,
          ...(record.name !== undefined ? { name: record.name, type: 'tool' } : {}),
        },
        metadata: {
          auditId: event.metadata.auditId,
          extra: {
            duration_ms: Math.round(record.durationMs * 1000) / 1000,
            session_id: record.sessionId,
            server: server.name,
            ...(server.namespace ? { namespace: server.namespace } : {}),
            ...(record.errorCode !== undefined ? { error_code: record.errorCode } : {}),
          },
        },
      };
      expect(line).to.equal(`${JSON.stringify(expected)}\n`);
    });
  }
});
