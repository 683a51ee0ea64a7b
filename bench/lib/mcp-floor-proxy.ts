// The least a streamable-HTTP to stdio MCP proxy can do, for bench/proxy.ts: one stdio server (its
// command after `--`), initialized once at start; a client's initialize answered from that, its
// notifications with 202; every request written to the server's stdin with an id of the proxy's own
// and its response sent back as plain JSON with the client's id. No session checks, no Host or Origin
// checks, no limits, no metrics, no logs. What it costs is what any Node proxy between an HTTP client
// and a stdio server costs here (two hops instead of one), so ours is measured against it in the same
// run, and so is the highest ratio to supergateway any such proxy could reach. Bench only.
// Usage: node bench/lib/mcp-floor-proxy.ts PORT -- COMMAND ARGS...
import { spawn } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';

const port = Number(process.argv[2]);
const [command, ...args] = process.argv.slice(process.argv.indexOf('--') + 1);

interface Message {
  jsonrpc: '2.0';
  id?: number | string;
  method?: string;
  result?: unknown;
  error?: unknown;
}

const server = spawn(command!, args, { stdio: ['pipe', 'pipe', 'ignore'] });
const waiting = new Map<number, { res: ServerResponse; id: number | string }>();
let nextId = 1;
let initializeResult: unknown;
let partial = '';

server.stdout.setEncoding('utf8');
server.stdout.on('data', (chunk: string) => {
  const lines = (partial + chunk).split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) {
    if (!line) continue;
    const message = JSON.parse(line) as Message;
    const entry = typeof message.id === 'number' ? waiting.get(message.id) : undefined;
    if (!entry) continue;
    waiting.delete(message.id as number);
    const text = JSON.stringify({ ...message, id: entry.id });
    entry.res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    entry.res.end(text);
  }
});

/** Sends `message` to the server under an id of our own; `res` gets the answer. */
function forward(message: Message, res: ServerResponse): void {
  const id = nextId++;
  waiting.set(id, { res, id: message.id! });
  server.stdin.write(`${JSON.stringify({ ...message, id })}\n`);
}

// The server's own initialize, once: every client's initialize is answered with its result.
const initialized = new Promise<void>((resolve) => {
  const id = nextId++;
  const fake = {
    writeHead: () => fake,
    end: (text: string) => {
      initializeResult = (JSON.parse(text) as Message).result;
      server.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
      resolve();
    },
  } as unknown as ServerResponse;
  waiting.set(id, { res: fake, id });
  const params = {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'floor', version: '1' },
  };
  server.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params })}\n`);
});

await initialized;
createServer((req, res) => {
  if (req.method !== 'POST') return void res.writeHead(req.method === 'DELETE' ? 200 : 405).end();
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Message;
    if (message.id === undefined) return void res.writeHead(202).end();
    if (message.method === 'initialize') {
      const text = JSON.stringify({ jsonrpc: '2.0', id: message.id, result: initializeResult });
      res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'floor' });
      return void res.end(text);
    }
    forward(message, res);
  });
}).listen(port, '127.0.0.1');
