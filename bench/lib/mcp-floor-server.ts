// The least an MCP streamable-HTTP endpoint can do: answers initialize and a tools/call of echo at once
// with plain JSON, no server behind it, no session checks, in one write. bench/proxy.ts puts the SDK
// client on it to measure what that client's HTTP transport costs by itself (fetch, web streams, zod):
// no proxy, however fast, can be quicker for that client than this. Bench only.
// Usage: node bench/lib/mcp-floor-server.ts PORT
import { createServer } from 'node:http';

const port = Number(process.argv[2]);

function answer(message: { id?: number | string; method?: string; params?: { arguments?: unknown } }) {
  if (message.method === 'initialize') {
    return {
      protocolVersion: '2025-11-25',
      capabilities: { tools: {} },
      serverInfo: { name: 'mcp-floor', version: '1' },
    };
  }
  const { message: text } = (message.params?.arguments ?? {}) as { message?: string };
  return { content: [{ type: 'text', text: `Echo: ${text}` }] };
}

createServer((req, res) => {
  // The SDK client opens a GET stream after initialize; 405 says there is none, as the spec allows.
  if (req.method !== 'POST') return void res.writeHead(req.method === 'DELETE' ? 200 : 405).end();
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Parameters<typeof answer>[0];
    if (message.id === undefined) return void res.writeHead(202).end();
    const text = JSON.stringify({ jsonrpc: '2.0', id: message.id, result: answer(message) });
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'mcp-session-id': 'floor',
    });
    res.end(text);
  });
}).listen(port, '127.0.0.1');
