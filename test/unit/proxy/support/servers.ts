// Real MCP servers from the registry and proxies in front of them, for tests that go through the
// proxy with the official SDK client. Everything listens on 127.0.0.1 and is stopped by the returned
// close functions.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { silentLogger } from '../../../../lib/log.ts';
import {
  DEFAULT_LIMITS,
  allowedNames,
  type ProxyConfig,
  type ProxyTarget,
  type Transport,
} from '../../../../proxy/config.ts';
import { runProxy, type StartedProxy } from '../../../../proxy/proxy.ts';

const modulePath = (specifier: string) => fileURLToPath(import.meta.resolve(specifier));
export const EVERYTHING = modulePath('@modelcontextprotocol/server-everything/dist/index.js');
export const MEMORY = modulePath('@modelcontextprotocol/server-memory/dist/index.js');
const LOOPBACK_PRELOAD = new URL('./loopback-listen.mjs', import.meta.url).href;

/** The command that runs a registry server's entry point with this Node. */
export const nodeCommand = (entry: string, ...args: string[]): string[] => [process.execPath, entry, ...args];

export function startProxyFor(
  transport: Transport,
  target: ProxyTarget,
  limits: Partial<typeof DEFAULT_LIMITS> = {},
): Promise<StartedProxy> {
  const config: ProxyConfig = {
    name: 'test',
    transport,
    host: '127.0.0.1',
    port: 0,
    target,
    allowed: allowedNames(undefined, undefined, [], []),
    limits: { ...DEFAULT_LIMITS, pingIntervalMs: 200, ...limits },
  };
  return runProxy(config, { log: silentLogger(), processMetrics: false });
}

/** Waits (without a deadline of its own: mocha's timeout ends a hang) until /health says ok. */
export async function untilHealthy(proxyUrl: string): Promise<void> {
  for (;;) {
    const res = await fetch(`${proxyUrl}/health`).catch(() => undefined);
    if (res?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunningServer {
  url: string;
  child: ChildProcess;
  close(): Promise<void>;
}

/** server-everything in its sse or streamableHttp mode on a free loopback port. */
export async function startHttpEverything(mode: 'sse' | 'streamableHttp'): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', LOOPBACK_PRELOAD, EVERYTHING, mode], {
    env: { ...process.env, PORT: String(port) },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}${mode === 'sse' ? '/sse' : '/mcp'}`;
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'OPTIONS' }).catch(() => undefined);
    if (res) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const close = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return { url, child, close };
}

export type ClientFront = 'streamable-http' | 'sse';

/** An SDK client connected through the proxy's /mcp or /sse. */
export async function connectClient(
  proxyUrl: string,
  front: ClientFront,
  capabilities: ClientCapabilities = {},
): Promise<Client> {
  const client = new Client({ name: 'proxy-test', version: '1.0.0' }, { capabilities });
  const transport =
    front === 'sse'
      ? new SSEClientTransport(new URL(`${proxyUrl}/sse`))
      : new StreamableHTTPClientTransport(new URL(`${proxyUrl}/mcp`));
  await client.connect(transport);
  return client;
}

/** The text of a tool result's first content item. */
export function firstText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content[0]?.text ?? '';
}

/** Our own MCP server implementing the conformance suite's server scenarios (test/fixtures/conformance-server). */
export const CONFORMANCE_SERVER = fileURLToPath(
  new URL('../../../fixtures/conformance-server/main.ts', import.meta.url),
);

/** The conformance server over streamable HTTP on a free loopback port; its URL is the first line it prints. */
export async function startConformanceServer(): Promise<RunningServer> {
  const child = spawn(process.execPath, [CONFORMANCE_SERVER, 'streamable-http', '0'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let printed = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      printed += chunk;
      if (printed.includes('\n')) resolve(printed.slice(0, printed.indexOf('\n')));
    });
    child.once('exit', (code) =>
      reject(new Error(`the conformance server exited (${code}) before printing its URL`)),
    );
  });
  const close = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return { url, child, close };
}
