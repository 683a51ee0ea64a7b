// The client's bearer token never reaches the MCP server: a real streamable-HTTP MCP server (the SDK's
// McpServer and StreamableHTTPServerTransport, in this process on 127.0.0.1) records the headers of
// every request it gets while the SDK client, holding a token from a real OpenID provider, initializes,
// lists and calls a tool through the proxy, over both of the proxy's fronts.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { StartedProxy } from '../../proxy/proxy.ts';
import { firstText, freePort } from '../unit/proxy/support/servers.ts';
import { signingKeys, startIssuer, type IssuerClient, type TestIssuer } from './proxy-auth-issuer.ts';
import { connectWithToken, startAuthProxy } from './proxy-auth-support.ts';

const X: IssuerClient = { id: 'tenant-x', secret: 'x-secret-0123456789abcdef0123456789' };

interface RecordingServer {
  url: string;
  headers: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** An MCP server over streamable HTTP with one tool, `ping`, recording each request's headers. */
async function startRecordingServer(): Promise<RecordingServer> {
  const headers: IncomingHttpHeaders[] = [];
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const server: Server = createServer((req, res) => {
    headers.push(req.headers);
    const id = req.headers['mcp-session-id'];
    let transport = typeof id === 'string' ? transports.get(id) : undefined;
    if (!transport) {
      if (req.method !== 'POST') return void res.writeHead(id ? 404 : 400).end();
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        onsessioninitialized: (sid) => void transports.set(sid, created),
      });
      const mcp = new McpServer({ name: 'recording', version: '1.0.0' });
      mcp.registerTool('ping', { description: 'answers pong' }, () => ({
        content: [{ type: 'text', text: 'pong' }],
      }));
      void mcp.connect(created);
      transport = created;
    }
    void transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    headers,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('proxy authentication: the token stays at the proxy', function () {
  this.timeout(60_000);
  let issuer: TestIssuer;
  let upstream: RecordingServer;
  let proxy: StartedProxy;
  let resource: string;

  before(async () => {
    issuer = await startIssuer({ keys: await signingKeys('key-1'), clients: [X] });
    upstream = await startRecordingServer();
    const port = await freePort();
    resource = `http://127.0.0.1:${port}/mcp`;
    proxy = await startAuthProxy(
      port,
      {
        issuer: issuer.url,
        audiences: [resource],
        resourceUrl: resource,
        scopesSupported: [],
        requiredScopes: [],
        insecureAllowHTTP: true,
      },
      { kind: 'http', url: upstream.url },
      'streamable-http',
    );
  });

  after(async () => {
    await proxy?.close();
    await upstream?.close();
    await issuer?.close();
  });

  for (const front of ['mcp', 'sse'] as const) {
    it(`passes no Authorization header (nor the token anywhere) to an HTTP MCP server, through /${front}`, async () => {
      const token = await issuer.token(X, resource);
      const seenBefore = upstream.headers.length;
      const { client } = await connectWithToken(proxy.url, token, front);
      expect(firstText(await client.callTool({ name: 'ping', arguments: {} }))).to.equal('pong');
      await client.close();
      const seen = upstream.headers.slice(seenBefore);
      // initialize, notifications/initialized, tools/call at least: the server did get the traffic.
      expect(seen.filter((h) => h['content-type'] === 'application/json').length).to.be.at.least(3);
      for (const headers of seen) {
        expect(headers).not.to.have.property('authorization');
        expect(JSON.stringify(headers)).not.to.contain(token.split('.')[2]!);
      }
    });
  }
});
