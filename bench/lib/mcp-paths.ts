// The paths bench/proxy.ts measures, each a way for an SDK client to reach server-everything: directly
// over stdio, through our proxy (stdio or streamable-http backend), through supergateway. Every
// process listens on 127.0.0.1 and runs in its own process group, so stop() ends it with its children.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { imageEnv, imageNodeFlags } from '../../lib/dockerfile.ts';

/**
 * The image's Node flags (its ENTRYPOINT's, and its NODE_OPTIONS as flags) for our proxy, on the command
 * line: its stdio server is its child here, and an environment would reach that child too.
 */
export const IMAGE_FLAGS = [
  ...imageNodeFlags(),
  ...(imageEnv().NODE_OPTIONS ?? '').split(' ').filter(Boolean),
];

const modulePath = (specifier: string) => fileURLToPath(import.meta.resolve(specifier));
export const EVERYTHING = modulePath('@modelcontextprotocol/server-everything/dist/index.js');
const SUPERGATEWAY = modulePath('supergateway/dist/index.js');
export const CLI = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const FLOOR = fileURLToPath(new URL('./mcp-floor-server.ts', import.meta.url));
const FLOOR_PROXY = fileURLToPath(new URL('./mcp-floor-proxy.ts', import.meta.url));
// server-everything and supergateway listen on every interface; this keeps them on loopback.
export const LOOPBACK = `--import=${new URL('../../test/unit/proxy/support/loopback-listen.mjs', import.meta.url).href}`;

export interface BenchSession {
  /** One tools/call of echo; rejects unless the echo comes back. */
  echo(message: string): Promise<void>;
  close(): Promise<void>;
}

export interface BenchPath {
  name: string;
  connect(): Promise<BenchSession>;
  /** The proxy or gateway process, whose own resident memory is reported; none for direct. */
  pid?: number;
  url?: URL;
  /** Headers each new session sends with every request (a bearer token of its own), if any. */
  headersFor?: () => Record<string, string>;
  stop(): Promise<void>;
}

/** Resident memory of one process (not its children), in MiB. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function untilAnswering(url: string, ok: (status: number) => boolean): Promise<void> {
  for (;;) {
    const res = await fetch(url).catch(() => undefined);
    if (res && ok(res.status)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function startGroup(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, args, {
    stdio: 'ignore',
    detached: true,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
  });
}

function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(-child.pid!, 'SIGTERM');
  return exited;
}

const client = () => new Client({ name: 'bench', version: '1' });

async function sdkEcho(c: Client, message: string): Promise<void> {
  const result = await c.callTool({ name: 'echo', arguments: { message } });
  if (!JSON.stringify(result.content).includes(message)) throw new Error('echo did not come back');
}

/** An HTTP path's session: an SDK client whose session is ended with DELETE, as a polite client does. */
async function httpSession(url: URL, headers: Record<string, string> = {}): Promise<BenchSession> {
  const c = client();
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
  await c.connect(transport);
  return {
    echo: (message) => sdkEcho(c, message),
    close: async () => {
      await transport.terminateSession().catch(() => undefined);
      await c.close();
    },
  };
}

interface Answer {
  status: number;
  session: string | undefined;
  text: string;
}

/** One POST on a kept-alive connection. */
function post(
  url: URL,
  agent: Agent,
  body: object,
  {
    session,
    method = 'POST',
    extra = {},
  }: { session?: string; method?: string; extra?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...extra,
  };
  if (session) headers['mcp-session-id'] = session;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, session: res.headers['mcp-session-id'] as string, text });
      });
    });
    req.on('error', reject);
    req.end(method === 'POST' ? JSON.stringify(body) : undefined);
  });
}

/** The protocol version an initialize answer (JSON or one SSE event) gives, if any. */
export function negotiatedVersion(text: string): string | undefined {
  return /"protocolVersion"\s*:\s*"([^"]+)"/.exec(text)?.[1];
}

/**
 * A session from a bare node:http client: no SDK, no fetch, no SSE parsing (it accepts JSON and SSE, as the
 * specification asks and supergateway requires, and finds the echo in whichever body comes). It shows
 * what the proxy itself costs, apart from the SDK client's own HTTP overhead. Like every conforming
 * client (and the SDK's) it sends MCP-Protocol-Version with the negotiated version on each request after
 * initialize: servers may answer differently with it (the SDK's servers with an event store open every
 * SSE answer with a priming event for 2025-11-25, and over @hono/node-server that answer waits a 1 ms
 * timer), so a client without it would measure another server than the proxies see.
 */
export async function plainHttpSession(
  url: URL,
  headers: Record<string, string> = {},
  tool = 'echo',
): Promise<BenchSession> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const clientInfo = { name: 'bench', version: '1' };
  const params = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo };
  const initialize = { jsonrpc: '2.0', id: 0, method: 'initialize', params };
  const init = await post(url, agent, initialize, { extra: headers });
  if (!init.session) throw new Error(`initialize was refused: ${init.status} ${init.text}`);
  const session = init.session;
  const version = negotiatedVersion(init.text);
  const extra = version ? { ...headers, 'mcp-protocol-version': version } : headers;
  await post(url, agent, { jsonrpc: '2.0', method: 'notifications/initialized' }, { session, extra });
  let id = 1;
  return {
    async echo(message) {
      const call = { name: tool, arguments: { message } };
      const body = { jsonrpc: '2.0', id: id++, method: 'tools/call', params: call };
      const answer = await post(url, agent, body, { session, extra });
      if (!answer.text.includes(message)) throw new Error(`${tool} did not echo: ${answer.status}`);
    },
    async close() {
      await post(url, agent, {}, { session, method: 'DELETE', extra });
      agent.destroy();
    },
  };
}

export function directPath(): BenchPath {
  return {
    name: 'direct (stdio)',
    async connect() {
      const c = client();
      await c.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [EVERYTHING, 'stdio'],
          stderr: 'ignore',
        }),
      );
      return { echo: (message) => sdkEcho(c, message), close: () => c.close() };
    },
    stop: () => Promise.resolve(),
  };
}

export function httpPath(
  name: string,
  children: ChildProcess[],
  url: URL,
  headersFor?: () => Record<string, string>,
): BenchPath {
  return {
    name,
    pid: children[0]!.pid,
    url,
    headersFor,
    connect: () => httpSession(url, headersFor?.()),
    stop: async () => void (await Promise.all(children.map(stopGroup))),
  };
}

/** Our proxy with a stdio backend; cli may name another tree's cli/main.ts (a baseline to compare). */
export async function oursStdio(name: string, cli = CLI, nodeArgs: string[] = []): Promise<BenchPath> {
  const port = await freePort();
  const server = [process.execPath, EVERYTHING, 'stdio'];
  const proxy = startGroup([
    ...IMAGE_FLAGS,
    ...nodeArgs,
    cli,
    'proxy',
    '--transport',
    'stdio',
    '--port',
    `${port}`,
    '--',
    ...server,
  ]);
  await untilAnswering(`http://127.0.0.1:${port}/health`, (s) => s === 200);
  return httpPath(name, [proxy], new URL(`http://127.0.0.1:${port}/mcp`));
}

/**
 * Our proxy with a stdio backend started from a run-config file (`target` is filled in here: the same
 * server-everything as oursStdio), each session sending headersFor()'s headers: the authenticated path.
 */
export async function oursStdioFromConfig(
  name: string,
  writeConfig: (target: { kind: 'command'; command: string[] }, port: number) => string,
  headersFor: () => Record<string, string>,
  nodeFlags: string[] = [],
): Promise<BenchPath> {
  const port = await freePort();
  const file = writeConfig({ kind: 'command', command: [process.execPath, EVERYTHING, 'stdio'] }, port);
  const proxy = startGroup([
    ...IMAGE_FLAGS,
    ...nodeFlags,
    CLI,
    'proxy',
    '--config',
    file,
    '--host',
    '127.0.0.1',
  ]);
  await untilAnswering(`http://127.0.0.1:${port}/health`, (s) => s === 200);
  return httpPath(name, [proxy], new URL(`http://127.0.0.1:${port}/mcp`), headersFor);
}

/** Our proxy in front of server-everything's own streamable HTTP server. */
export async function oursHttp(name: string, cli = CLI): Promise<BenchPath> {
  const [serverPort, port] = [await freePort(), await freePort()];
  const server = startGroup([LOOPBACK, EVERYTHING, 'streamableHttp'], { PORT: `${serverPort}` });
  const target = `http://127.0.0.1:${serverPort}/mcp`;
  await untilAnswering(target, (s) => s !== 0);
  const args = ['proxy', '--transport', 'streamable-http', '--target-url', target, '--port', `${port}`];
  const proxy = startGroup([...IMAGE_FLAGS, cli, ...args]);
  await untilAnswering(`http://127.0.0.1:${port}/health`, (s) => s === 200);
  return httpPath(name, [proxy, server], new URL(`http://127.0.0.1:${port}/mcp`));
}

/** supergateway 4 in its stateful streamable-HTTP mode: one server process per session. */
export async function supergateway(): Promise<BenchPath> {
  const port = await freePort();
  const gateway = startGroup([
    LOOPBACK,
    SUPERGATEWAY,
    ...['--stdio', `${process.execPath} ${EVERYTHING} stdio`, '--outputTransport', 'streamableHttp'],
    ...['--stateful', '--port', `${port}`, '--logLevel', 'none', '--healthEndpoint', '/healthz'],
  ]);
  await untilAnswering(`http://127.0.0.1:${port}/healthz`, (s) => s === 200);
  return httpPath('supergateway --stateful', [gateway], new URL(`http://127.0.0.1:${port}/mcp`));
}

/** The same HTTP endpoint reached by the bare node:http client instead of the SDK's. */
export function withPlainClient(path: BenchPath): BenchPath {
  return {
    name: `${path.name}, node:http`,
    connect: () => plainHttpSession(path.url!, path.headersFor?.()),
    stop: () => Promise.resolve(),
  };
}

/**
 * An endpoint answering echo at once (mcp-floor-server.ts), no server behind it: what the SDK client's
 * streamable-HTTP transport costs by itself, so the least any HTTP path (ours included) can add for it.
 */
export async function floorHttp(): Promise<BenchPath> {
  const port = await freePort();
  const server = startGroup([FLOOR, `${port}`]);
  const url = new URL(`http://127.0.0.1:${port}/mcp`);
  await untilAnswering(url.href, (s) => s !== 0);
  return { ...httpPath('floor (HTTP, no server)', [server], url), pid: undefined };
}

/**
 * The least an HTTP-to-stdio proxy can do (mcp-floor-proxy.ts) in front of the same stdio server: the
 * floor of our stdio path, and of any proxy's ratio to supergateway.
 */
export async function floorProxy(): Promise<BenchPath> {
  const port = await freePort();
  const proxy = startGroup([FLOOR_PROXY, `${port}`, '--', process.execPath, EVERYTHING, 'stdio']);
  const url = new URL(`http://127.0.0.1:${port}/mcp`);
  await untilAnswering(url.href, (s) => s !== 0);
  return httpPath('floor proxy (stdio)', [proxy], url);
}

/** server-everything's own streamable HTTP server, with no proxy: the floor of the HTTP backend. */
export async function directHttp(): Promise<BenchPath> {
  const port = await freePort();
  const server = startGroup([LOOPBACK, EVERYTHING, 'streamableHttp'], { PORT: `${port}` });
  const url = new URL(`http://127.0.0.1:${port}/mcp`);
  await untilAnswering(url.href, (s) => s !== 0);
  return { ...httpPath('direct (streamable-http)', [server], url), pid: undefined };
}
