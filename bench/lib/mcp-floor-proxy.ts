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
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

const server = spawn(command!, args, { stdio: ['pipe', 'pipe', 'ignore'] });
/** What to do with the server's answer to each of our ids. */
const waiting = new Map<number, (answer: Message) => void>();
let nextId = 1;
let partial = '';

server.stdout.setEncoding('utf8');
server.stdout.on('data', (chunk: string) => {
  const lines = (partial + chunk).split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) {
    if (!line) continue;
    const message = JSON.parse(line) as Message;
    const answered = typeof message.id === 'number' ? waiting.get(message.id) : undefined;
    if (!answered) continue;
    waiting.delete(message.id as number);
    answered(message);
  }
});

/** Sends `message` to the server under an id of our own; `onAnswer` gets its answer. */
function send(message: Omit<Message, 'jsonrpc'>, onAnswer?: (answer: Message) => void): void {
  const id = onAnswer ? nextId++ : undefined;
  if (id !== undefined) waiting.set(id, onAnswer!);
  server.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message, id })}\n`);
}

function reply(res: ServerResponse, answer: Message, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(answer);
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

// The server's own initialize, once: every client's initialize is answered with its result.
const initializeResult = await new Promise<unknown>((resolve) => {
  const params = {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'floor', version: '1' },
  };
  send({ method: 'initialize', params }, (answer) => resolve(answer.result));
});
send({ method: 'notifications/initialized' });

createServer((req, res) => {
  if (req.method !== 'POST') return void res.writeHead(req.method === 'DELETE' ? 200 : 405).end();
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Message;
    if (message.id === undefined) return void res.writeHead(202).end();
    if (message.method === 'initialize') {
      const answer = { jsonrpc: '2.0' as const, id: message.id, result: initializeResult };
      return reply(res, answer, { 'mcp-session-id': 'floor' });
    }
    send(message, (answer) => reply(res, { ...answer, id: message.id }));
  });
}).listen(port, '127.0.0.1');
