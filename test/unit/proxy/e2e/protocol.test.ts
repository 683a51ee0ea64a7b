// The /mcp front's HTTP rules (MCP 2025-11-25, Streamable HTTP), checked with plain fetch against a
// proxy in front of server-everything over stdio.
import { expect } from 'chai';
import { request } from 'node:http';
import type { StartedProxy } from '../../../../proxy/proxy.ts';
import { EVERYTHING, nodeCommand, startProxyFor, untilHealthy } from '../support/servers.ts';

const JSON_AND_SSE = 'application/json, text/event-stream';
const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const toolsList = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' };

interface Answer {
  status: number;
  body: unknown;
  sessionId: string | null;
}

/** A POST with a Host header fetch would not let us set. */
function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: JSON_AND_SSE, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const sessionId = (res.headers['mcp-session-id'] as string | undefined) ?? null;
          // A tools/call is answered as a stream when SSE is accepted: its last message is the answer.
          const stream = String(res.headers['content-type']).startsWith('text/event-stream');
          const json = stream
            ? (text
                .match(/^data: (.+)$/gmu)
                ?.at(-1)
                ?.slice(6) ?? '')
            : text;
          resolve({
            status: res.statusCode ?? 0,
            body: json ? (JSON.parse(json) as unknown) : null,
            sessionId,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('/mcp HTTP rules', function () {
  this.timeout(30_000);
  let proxy: StartedProxy;
  let mcp: string;
  let session: string;

  before(async () => {
    proxy = await startProxyFor('stdio', { kind: 'command', command: nodeCommand(EVERYTHING, 'stdio') });
    await untilHealthy(proxy.url);
    mcp = `${proxy.url}/mcp`;
    const answer = await post(mcp, initialize);
    session = answer.sessionId!;
  });
  after(() => proxy.close());

  it('answers initialize with a minted session id and the client revision it supports', async () => {
    const answer = await post(mcp, initialize);
    expect(answer.status).to.equal(200);
    expect(answer.sessionId).to.match(/^[0-9a-f-]{36}$/);
    const result = (answer.body as { result: { protocolVersion: string; serverInfo: { name: string } } })
      .result;
    expect({ version: result.protocolVersion, server: result.serverInfo.name }).to.deep.equal({
      version: '2025-06-18',
      server: 'mcp-servers/everything',
    });
  });

  const cases: Record<
    string,
    { body: unknown; headers: (session: string) => Record<string, string>; status: number }
  > = {
    'accepts a notification with 202': {
      body: initialized,
      headers: (s) => ({ 'mcp-session-id': s }),
      status: 202,
    },
    'answers a request in a session with 200': {
      body: toolsList,
      headers: (s) => ({ 'mcp-session-id': s, 'mcp-protocol-version': '2025-06-18' }),
      status: 200,
    },
    'refuses a request without a session id with 400': { body: toolsList, headers: () => ({}), status: 400 },
    'refuses an unknown session id with 404': {
      body: toolsList,
      headers: () => ({ 'mcp-session-id': 'no-such-session' }),
      status: 404,
    },
    'refuses an unsupported MCP-Protocol-Version with 400': {
      body: toolsList,
      headers: (s) => ({ 'mcp-session-id': s, 'mcp-protocol-version': '1999-01-01' }),
      status: 400,
    },
    'refuses a foreign Host with 403 (DNS rebinding)': {
      body: initialize,
      headers: () => ({ host: 'evil.example:80' }),
      status: 403,
    },
    'refuses a foreign Origin with 403': {
      body: initialize,
      headers: () => ({ origin: 'http://evil.example' }),
      status: 403,
    },
    'accepts a loopback Origin': {
      body: initialize,
      headers: () => ({ origin: 'http://localhost:3000' }),
      status: 200,
    },
    'refuses a batch with 400': { body: [toolsList], headers: (s) => ({ 'mcp-session-id': s }), status: 400 },
    'refuses a client accepting neither JSON nor SSE with 406': {
      body: toolsList,
      headers: (s) => ({ 'mcp-session-id': s, accept: 'text/html' }),
      status: 406,
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, async () => expect((await post(mcp, c.body, c.headers(session))).status).to.equal(c.status));
  }

  it('passes a sessionless 2026-07-28 request through to the server', async () => {
    const headers = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' };
    const answer = await post(mcp, toolsList, headers);
    const tools = (answer.body as { result: { tools: { name: string }[] } }).result.tools.map((t) => t.name);
    expect({
      status: answer.status,
      session: answer.sessionId,
      hasEcho: tools.includes('echo'),
    }).to.deep.equal({ status: 200, session: null, hasEcho: true });
  });

  it('refuses a request whose id is still in flight in the session, and answers the first', async () => {
    const slow = {
      jsonrpc: '2.0',
      id: 77,
      method: 'tools/call',
      params: { name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 2 } },
    };
    const headers = { 'mcp-session-id': session };
    const first = post(mcp, slow, headers);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await post(mcp, { ...toolsList, id: 77 }, headers);
    expect(second.status).to.equal(400);
    expect((second.body as { error: { code: number } }).error.code).to.equal(-32600);
    const answered = await first;
    expect(answered.status).to.equal(200);
    expect((answered.body as { id: number; result?: unknown }).id).to.equal(77);
  });

  it('ends a session on DELETE, after which it is unknown', async () => {
    const own = (await post(mcp, initialize)).sessionId!;
    const deleted = await fetch(mcp, { method: 'DELETE', headers: { 'mcp-session-id': own } });
    const after = await post(mcp, toolsList, { 'mcp-session-id': own });
    expect([deleted.status, after.status]).to.deep.equal([200, 404]);
  });

  it('refuses a body over the size limit with 413', async () => {
    const big = {
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'echo', arguments: { message: 'x'.repeat(5 * 1024 * 1024) } },
    };
    expect((await post(mcp, big, { 'mcp-session-id': session })).status).to.equal(413);
  });

  it('says healthy on /health and counts requests on /metrics', async () => {
    const health = await fetch(`${proxy.url}/health`);
    const metrics = await (await fetch(`${proxy.url}/metrics`)).text();
    expect(health.status).to.equal(200);
    expect(metrics).to.match(
      /mcp_proxy_http_requests_total\{front="streamable-http",method="POST",code="200"\} \d+/,
    );
    expect(metrics).to.include('mcp_proxy_backend_up 1');
  });
});
