// A real MCP server over streamable HTTP for the verify tests: the SDK's Server and its node transport,
// one per session, answering tools/list in pages of `pageSize`. It counts what the tests assert on:
// sessions opened and sessions ended with DELETE. `status` makes every request answer that HTTP status
// instead (401: a proxy that wants a token); `hang` never answers.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

export interface PagedServerOptions {
  tools: string[];
  pageSize?: number;
  status?: number;
  hang?: boolean;
  /** Answer POSTs as SSE streams rather than plain JSON. */
  sse?: boolean;
  /** The body of the `status` answers; default none. */
  statusBody?: string;
  /** Where to listen; default 127.0.0.1. */
  host?: string;
  /** Called with each request's Authorization header. */
  onAuthorization?: (value: string | undefined) => void;
}

export interface PagedServer {
  url: URL;
  opened: number;
  deleted: number;
  close(): Promise<void>;
}

function mcpServerFor(options: PagedServerOptions): Server {
  const server = new Server({ name: 'paged-test-server', version: '1.2.3' }, { capabilities: { tools: {} } });
  const size = options.pageSize ?? options.tools.length;
  server.setRequestHandler(ListToolsRequestSchema, (request) => {
    const start = Number(request.params?.cursor ?? 0);
    const page = options.tools.slice(start, start + size);
    const next = start + size < options.tools.length ? String(start + size) : undefined;
    return {
      tools: page.map((name) => ({ name, inputSchema: { type: 'object' as const } })),
      ...(next ? { nextCursor: next } : {}),
    };
  });
  return server;
}

export async function startPagedServer(options: PagedServerOptions): Promise<PagedServer> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const state = { opened: 0, deleted: 0 };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    options.onAuthorization?.(req.headers.authorization);
    if (options.hang) return;
    if (options.status) {
      res.writeHead(options.status, { 'www-authenticate': 'Bearer' }).end(options.statusBody);
      return;
    }
    const id = req.headers['mcp-session-id'];
    const existing = typeof id === 'string' ? sessions.get(id) : undefined;
    if (req.method === 'DELETE' && existing) state.deleted++;
    if (existing) return existing.handleRequest(req, res);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sid) => {
        state.opened++;
        sessions.set(sid, transport);
      },
      enableJsonResponse: !options.sse,
    });
    await mcpServerFor(options).connect(transport);
    await transport.handleRequest(req, res);
  };
  const http = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => http.listen(0, options.host ?? '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    get opened() {
      return state.opened;
    },
    get deleted() {
      return state.deleted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
