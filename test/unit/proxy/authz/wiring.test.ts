import { expect } from 'chai';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { silentLogger } from '../../../../lib/log.ts';
import type { ProxyConfig } from '../../../../proxy/config.ts';
import { runProxy } from '../../../../proxy/proxy.ts';
import { AUDIT_FLUSH_WAIT_MS, recordingProxyConfig } from './support/authorized-proxy.ts';

const config = (policies: string[]): ProxyConfig =>
  recordingProxyConfig({
    name: 'wired',
    authz: { type: 'cedarv1', policies, entitiesJson: '[]' },
    audit: true,
  });

describe('proxy/authz wired by runProxy', function () {
  this.timeout(30_000);

  it('authorizes the anonymous caller as Client::"anonymous" and audits to io.auditOut', async () => {
    const lines: string[] = [];
    const auditOut = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const proxy = await runProxy(
      config([
        'permit(principal == Client::"anonymous", action == Action::"call_tool", resource == Tool::"echo");',
      ]),
      { log: silentLogger(), processMetrics: false, auditOut },
    );
    const client = new Client({ name: 'wiring', version: '1' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(`${proxy.url}/mcp`)));
      expect((await client.listTools()).tools.map((t) => t.name)).to.deep.equal(['echo']);
      await client.callTool({ name: 'echo', arguments: { message: 'x' } });
      const err = await client.callTool({ name: 'calc' }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(McpError).and.have.property('code', 403);
      await sleep(AUDIT_FLUSH_WAIT_MS);
      const outcomes = lines
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { type: string; outcome: string; subjects: { user_id: string } });
      expect(outcomes.filter((e) => e.type === 'mcp_tool_call').map((e) => e.outcome)).to.deep.equal([
        'success',
        'denied',
      ]);
      expect(outcomes.every((e) => e.subjects.user_id === 'anonymous')).to.equal(true);
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it('refuses to start with a policy it would not apply as written, naming it', async () => {
    const err = await runProxy(config(['forbid(principal, action == Action::"call_tol", resource);']), {
      log: silentLogger(),
      processMetrics: false,
    }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.match(/^authz: policies\.0 \(line 1, column 29\): Action::"call_tol"/);
  });
});
