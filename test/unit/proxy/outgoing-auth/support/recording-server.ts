// A real MCP server over streamable HTTP (the SDK's McpServer and StreamableHTTPServerTransport, on
// 127.0.0.1) with one tool, `whoami`, that records the headers of every request it gets and answers
// with the Authorization header of the request that called it.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

export interface RecordingServer {
  url: string;
  headers: IncomingHttpHeaders[];
  close(): Promise<void>;
}

export async function startRecordingServer(): Promise<RecordingServer> {
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
      // No input schema: the SDK calls the tool with its request context alone.
      mcp.registerTool('whoami', { description: 'the Authorization header it was called with' }, (extra) => ({
        content: [{ type: 'text' as const, text: String(extra.requestInfo?.headers.authorization ?? '') }],
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
