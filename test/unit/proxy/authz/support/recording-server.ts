// A real MCP server (the SDK's McpServer over stdio) for the authorization tests: a few tools, prompts
// and resources with names the policies grant or refuse, and a `seen` tool that answers every method
// and tool/prompt/resource the server has been asked for, so a test can show a denied request never
// reached it. Run as its own process: `node recording-server.ts`.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const seen: string[] = [];
const server = new McpServer({ name: 'recording', version: '1.0.0' });
const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] });

for (const name of ['echo', 'secret', 'calc'])
  server.registerTool(
    name,
    { description: name, inputSchema: { message: z.string().optional() } },
    (args) => {
      seen.push(`tools/call ${name}`);
      return text(`${name}:${args.message ?? ''}`);
    },
  );
server.registerTool('danger', { description: 'destructive', annotations: { destructiveHint: true } }, () => {
  seen.push('tools/call danger');
  return text('boom');
});
server.registerTool('seen', { description: 'what the server was asked' }, () => text(JSON.stringify(seen)));
for (const name of ['greet', 'private'])
  server.registerPrompt(name, { description: name }, () => {
    seen.push(`prompts/get ${name}`);
    return { messages: [{ role: 'user', content: { type: 'text', text: name } }] };
  });
for (const name of ['public', 'secret'])
  server.registerResource(name, `test://${name}`, { mimeType: 'text/plain' }, (uri) => {
    seen.push(`resources/read ${uri.href}`);
    return { contents: [{ uri: uri.href, text: name }] };
  });

await server.connect(new StdioServerTransport());
