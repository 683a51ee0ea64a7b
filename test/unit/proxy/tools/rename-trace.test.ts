// A renamed tool keeps the W3C trace context: the proxy in front of a real SDK streamable-HTTP server
// that records the traceparent of each request, the SDK client calling the new name with a traceparent
// header of its own. The rename makes a new message, and the context travels beside the message object
// (proxy/telemetry/trace-context.ts): it must be carried over, or the server loses its parent.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { silentLogger } from '../../../../lib/log.ts';
import { allowedNames, DEFAULT_LIMITS } from '../../../../proxy/config.ts';
import { runProxy, type StartedProxy } from '../../../../proxy/proxy.ts';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

interface Seen {
  tool?: string;
  traceparent?: string;
}

/** A stateless SDK server with echo, recording each tools/call's tool and traceparent header. */
async function recordingServer(seen: Seen[]): Promise<{ server: Server; url: string }> {
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as unknown) : undefined;
      const call = body as { method?: string; params?: { name?: string } } | undefined;
      if (call?.method === 'tools/call')
        seen.push({ tool: call.params?.name, traceparent: req.headers.traceparent as string | undefined });
      const mcp = new McpServer({ name: 'recording', version: '1.0.0' });
      mcp.registerTool('echo', { inputSchema: { message: z.string() } }, ({ message }) => ({
        content: [{ type: 'text', text: `Echo: ${message}` }],
      }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => void transport.close());
      void mcp.connect(transport).then(() => transport.handleRequest(req, res, body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp` };
}

describe('proxy/tools: a renamed tools/call keeps the trace context', function () {
  this.timeout(30_000);
  const seen: Seen[] = [];
  let backend: { server: Server; url: string };
  let proxy: StartedProxy;
  let client: Client;

  before(async () => {
    backend = await recordingServer(seen);
    proxy = await runProxy(
      {
        name: 'renamed',
        transport: 'streamable-http',
        host: '127.0.0.1',
        port: 0,
        target: { kind: 'http', url: backend.url },
        allowed: allowedNames(undefined, undefined, [], []),
        limits: DEFAULT_LIMITS,
        tools: { toolsOverride: { echo: { name: 'say' } } },
      },
      { log: silentLogger(), processMetrics: false },
    );
    client = new Client({ name: 'rename-trace-test', version: '1.0.0' });
    const requestInit = { headers: { traceparent: TRACEPARENT } };
    await client.connect(new StreamableHTTPClientTransport(new URL(`${proxy.url}/mcp`), { requestInit }));
  });
  after(async () => {
    await client?.close();
    await proxy?.close();
    await new Promise((resolve) => backend?.server.close(resolve));
  });

  it('the server gets its own name and the client traceparent with the call', async () => {
    const result = await client.callTool({ name: 'say', arguments: { message: 'hi' } });
    expect(JSON.stringify(result.content)).to.contain('Echo: hi');
    expect(seen).to.deep.equal([{ tool: 'echo', traceparent: TRACEPARENT }]);
  });
});
