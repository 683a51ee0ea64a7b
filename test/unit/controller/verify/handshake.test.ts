import { expect } from 'chai';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handshake } from '../../../../controller/verify/handshake.ts';
import { startPagedServer, type PagedServer } from './support/paged-server.ts';

describe('handshake (the SDK client against a real MCP server over HTTP)', () => {
  let server: PagedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reads serverInfo, the protocol version, capabilities and every page of tools, then ends the session', async () => {
    const tools = ['echo', 'add', 'zeta', 'alpha', 'beta'];
    server = await startPagedServer({ tools, pageSize: 2 });
    const outcome = await handshake({ url: server.url, timeoutMs: 5000 });
    expect(outcome).to.deep.equal({
      kind: 'verified',
      serverInfo: { name: 'paged-test-server', version: '1.2.3' },
      protocolVersion: outcome.kind === 'verified' ? outcome.protocolVersion : '',
      capabilities: ['tools'],
      tools,
    });
    expect(outcome.kind === 'verified' && outcome.protocolVersion).to.match(/^\d{4}-\d{2}-\d{2}$/);
    expect(server.opened).to.equal(1);
    expect(server.deleted).to.equal(1);
  });

  it('says authentication is required when the proxy answers 401', async () => {
    server = await startPagedServer({ tools: [], status: 401 });
    const outcome = await handshake({ url: server.url, timeoutMs: 5000 });
    expect(outcome.kind).to.equal('authentication-required');
  });

  it('fails on a 403 (something on the way refused, not the proxy asking for a token)', async () => {
    server = await startPagedServer({
      tools: [],
      status: 403,
      statusBody: 'resolve_deny: denied destination',
    });
    const outcome = await handshake({ url: server.url, timeoutMs: 5000 });
    expect(outcome.kind).to.equal('failed');
    expect(outcome.kind === 'failed' && outcome.message).to.match(/^HTTP 403: .*denied destination/);
  });

  it("fails on the API server's own 401 (the operator's credentials), not asking for a token", async () => {
    const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 401 });
    server = await startPagedServer({ tools: [], status: 401, statusBody: body });
    const outcome = await handshake({ url: server.url, timeoutMs: 5000 });
    expect(outcome.kind).to.equal('failed');
  });

  it('fails with the HTTP error when the proxy answers 503', async () => {
    server = await startPagedServer({ tools: [], status: 503 });
    const outcome = await handshake({ url: server.url, timeoutMs: 5000 });
    expect(outcome.kind).to.equal('failed');
    expect(outcome.kind === 'failed' && outcome.message).to.contain('503');
  });

  it('fails within its deadline when the proxy never answers', async () => {
    server = await startPagedServer({ tools: [], hang: true });
    const started = Date.now();
    const outcome = await handshake({ url: server.url, timeoutMs: 300 });
    expect(outcome).to.deep.equal({ kind: 'failed', message: 'no answer within 300 ms' });
    expect(Date.now() - started).to.be.below(2000);
  });

  it('fails when nothing listens', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const outcome = await handshake({ url: new URL(`http://127.0.0.1:${port}/mcp`), timeoutMs: 2000 });
    expect(outcome.kind).to.equal('failed');
  });
});
