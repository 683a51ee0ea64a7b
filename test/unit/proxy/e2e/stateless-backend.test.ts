// A streamable-HTTP server that mints no session id (the SDK's stateless mode: a new server and transport
// for every request, as 2026-07-28 servers work) behind the proxy: the SDK client still gets a session of
// the proxy's, and every request reaches the server without an Mcp-Session-Id.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import type { StartedProxy } from '../../../../proxy/proxy.ts';
import { connectClient, firstText, startProxyFor, untilHealthy } from '../support/servers.ts';

describe('a stateless streamable-HTTP server behind the proxy', function () {
  this.timeout(20_000);
  let server: Server;
  let proxy: StartedProxy;
  const seenSessionIds: (string | undefined)[] = [];

  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      seenSessionIds.push(req.headers['mcp-session-id'] as string | undefined);
      const mcp = new McpServer({ name: 'stateless', version: '1.0.0' });
      mcp.registerTool('echo', { inputSchema: { message: z.string() } }, ({ message }) => ({
        content: [{ type: 'text', text: `Echo: ${message}` }],
      }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => void transport.close());
      void mcp.connect(transport).then(() => transport.handleRequest(req, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
    proxy = await startProxyFor('streamable-http', { kind: 'http', url });
    await untilHealthy(proxy.url);
  });
  after(async () => {
    await proxy?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('serves the SDK client a session of its own and every call, with no session id upstream', async () => {
    const client = await connectClient(proxy.url, 'streamable-http');
    try {
      expect((client.transport as { sessionId?: string }).sessionId).to.be.a('string');
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).to.deep.equal(['echo']);
      for (const message of ['one', 'two'])
        expect(firstText(await client.callTool({ name: 'echo', arguments: { message } }))).to.equal(
          `Echo: ${message}`,
        );
    } finally {
      await client.close();
    }
    expect(seenSessionIds.length).to.be.greaterThan(3);
    expect(seenSessionIds.filter((id) => id !== undefined)).to.deep.equal([]);
  });
});
