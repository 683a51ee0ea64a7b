// The MCP clients of bench/node.ts. Over HTTP: the SDK client (streamable HTTP, or HTTP+SSE for the
// floor's sse server), one `echo` tools/call at a time. Over stdio: a bare JSON-RPC client writing
// newline-delimited messages into a child's stdin (`kubectl exec -i` or `kubectl attach -i`) and
// reading its stdout, matching answers to ids, so that the floor pays for no client library.
import { spawn, type ChildProcess } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { sleep } from './realnode-kube.ts';

export interface EchoSession {
  echo(message: string): Promise<void>;
  close(): Promise<void>;
}

export interface HttpTarget {
  url: URL;
  /** sse: the HTTP+SSE transport (GET /sse); else streamable HTTP. */
  sse?: boolean;
  fetch?: FetchLike;
}

/** An SDK session on any tool: text of each answer (throws on a tool error or timeout); close DELETEs it. */
export interface ToolSession {
  call(tool: string, args?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** Initialize (connect) an SDK client to the target, one call at a time; close ends the session with DELETE. */
export async function toolSession(
  target: HttpTarget,
  timeoutMs = 30_000,
  name = 'bench-node',
): Promise<ToolSession> {
  const client = new Client({ name, version: '1' });
  const transport = target.sse
    ? new SSEClientTransport(target.url, { fetch: target.fetch })
    : new StreamableHTTPClientTransport(target.url, { fetch: target.fetch });
  const close = async () => {
    if (transport instanceof StreamableHTTPClientTransport)
      await transport.terminateSession().catch(() => undefined);
    await client.close().catch(() => undefined);
  };
  try {
    await client.connect(transport, { timeout: timeoutMs });
  } catch (err) {
    await close();
    throw err;
  }
  return {
    async call(tool, args = {}) {
      const result = await client.callTool({ name: tool, arguments: args }, undefined, {
        timeout: timeoutMs,
      });
      const text = JSON.stringify(result.content);
      if (result.isError) throw new Error(`tool error: ${text.slice(0, 120)}`);
      return text;
    },
    close,
  };
}

/** An SDK session of echo calls (toolSession's), each checked to come back. */
export async function httpSession(target: HttpTarget, timeoutMs = 30_000): Promise<EchoSession> {
  const session = await toolSession(target, timeoutMs);
  return {
    async echo(message) {
      const text = await session.call('echo', { message });
      if (!text.includes(message)) throw new Error(`echo did not come back: ${text}`);
    },
    close: () => session.close(),
  };
}

/**
 * Tries initialize + one echo until one works; resolves with the time (ms, from `t0`) of the first
 * answer. `target` is asked again before each try (undefined: not there yet, e.g. no Service).
 */
export async function firstEcho(
  t0: number,
  target: () => Promise<HttpTarget | undefined>,
  deadlineMs: number,
  intervalMs = 100,
): Promise<number> {
  let last: unknown = 'no target yet';
  while (performance.now() - t0 < deadlineMs) {
    const where = await target().catch((err: unknown) => ((last = err), undefined));
    if (where) {
      try {
        const session = await httpSession(where, 20_000);
        try {
          await session.echo('first');
          return performance.now() - t0;
        } finally {
          await session.close();
        }
      } catch (err) {
        last = err;
      }
    }
    await sleep(intervalMs);
  }
  throw new Error(`no echo within ${deadlineMs} ms: ${last instanceof Error ? last.message : String(last)}`);
}

interface Pending {
  resolve: () => void;
  reject: (err: Error) => void;
  message: string;
}

/** A JSON-RPC client on a child's stdio, the least a stdio client can do. */
export class StdioRpc {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private buffer = '';
  private stderr = '';
  private exited: Error | undefined;

  constructor(command: string, args: string[]) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => this.onData(chunk));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    this.child.stdin!.on('error', () => undefined); // a write after the exit: the exit rejects the call
    this.child.on('exit', (code) => {
      this.exited = new Error(`${command} exited (${code}): ${this.stderr.trim()}`);
      for (const p of this.pending.values()) p.reject(this.exited);
      this.pending.clear();
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (!line.startsWith('{')) continue; // anything else a server prints
      const msg = JSON.parse(line) as { id?: number; result?: { content?: unknown }; error?: unknown };
      const p = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
      if (!p) continue; // notifications, and requests of the server's own
      this.pending.delete(msg.id!);
      if (msg.error || (p.message && !JSON.stringify(msg.result?.content).includes(p.message)))
        p.reject(new Error(`bad answer: ${line.slice(0, 300)}`));
      else p.resolve();
    }
  }

  private request(method: string, params: object, message = '', timeoutMs = 30_000): Promise<void> {
    const id = this.nextId++;
    if (this.exited) return Promise.reject(this.exited);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} ${id}: no answer in ${timeoutMs} ms; stderr: ${this.stderr.trim()}`));
      }, timeoutMs);
      const done = (fn: () => void) => () => (clearTimeout(timer), fn());
      this.pending.set(id, { resolve: done(resolve), reject: (e) => done(() => reject(e))(), message });
      this.child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  /** initialize, then the initialized notification. */
  async initialize(timeoutMs = 60_000): Promise<void> {
    const params = {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'bench-node', version: '1' },
    };
    await this.request('initialize', params, '', timeoutMs);
    this.child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  }

  echo(message: string): Promise<void> {
    return this.request('tools/call', { name: 'echo', arguments: { message } }, message);
  }

  close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin!.end();
    this.child.kill('SIGTERM');
    return exited;
  }
}
