// A real MCP server (the SDK's low-level Server over stdio) for the tool-control tests: six tools
// listed two per page (tools/list with nextCursor), each answering `<the name it was called by>:<args>`,
// progress for a call that asks for it, `seen` (every tools/call name the server received) and
// `announce` (sends notifications/tools/list_changed). Run as its own process: `node paged-tools-server.ts`.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';

const PAGE = 2;
const TOOLS: Tool[] = [
  {
    name: 'read_file',
    description: 'Reads a file',
    inputSchema: { type: 'object' },
    annotations: { readOnlyHint: true, title: 'Read' },
  },
  {
    name: 'write_file',
    description: 'Writes a file',
    inputSchema: { type: 'object' },
    annotations: { destructiveHint: true },
  },
  { name: 'delete_repo', description: 'Deletes a repository', inputSchema: { type: 'object' } },
  { name: 'fetch', description: 'Fetches a URL', inputSchema: { type: 'object' } },
  { name: 'seen', description: 'What the server was asked', inputSchema: { type: 'object' } },
  { name: 'announce', description: 'Sends tools/list_changed', inputSchema: { type: 'object' } },
];

const seen: string[] = [];
const server = new Server(
  { name: 'paged-tools', version: '1.0.0' },
  { capabilities: { tools: { listChanged: true } } },
);
const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] });

server.setRequestHandler(ListToolsRequestSchema, (request) => {
  const start = Number(request.params?.cursor ?? 0);
  const next = start + PAGE;
  return { tools: TOOLS.slice(start, next), ...(next < TOOLS.length ? { nextCursor: String(next) } : {}) };
});

server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
  const { name, arguments: args } = request.params;
  if (name === 'seen') return text(JSON.stringify(seen));
  seen.push(name);
  if (name === 'announce') {
    await server.sendToolListChanged();
    return text('announced');
  }
  if (!TOOLS.some((t) => t.name === name)) throw new Error(`Tool ${name} not found`);
  const token = request.params._meta?.progressToken;
  if (token !== undefined)
    await extra.sendNotification({
      method: 'notifications/progress',
      params: { progressToken: token, progress: 1, total: 2 },
    });
  return text(`${name}:${JSON.stringify(args ?? {})}`);
});

await server.connect(new StdioServerTransport());
