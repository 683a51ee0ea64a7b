// The local stdio backend: the MCP server as a child process of the proxy (development, tests,
// benchmarks), restarted with backoff when it exits. Its stderr goes to the proxy's log at debug level.
// Not for the cluster: there the server runs in its own pod and attach.ts reaches it.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../../lib/log.ts';
import { STABLE_AFTER_MS, restartDelay, type ServerStream, type StreamEvents } from './stream.ts';

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

// A server that ignores SIGTERM this long gets SIGKILL.
const KILL_AFTER_MS = 3000;

export class ChildProcessStream implements ServerStream {
  private readonly command: string[];
  private readonly log: Logger;
  private events: StreamEvents | undefined;
  private child: Child | undefined;
  private failures = 0;
  private closing = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(command: string[], log: Logger) {
    if (command.length === 0) throw new Error('a stdio server needs a command');
    this.command = command;
    this.log = log;
  }

  start(events: StreamEvents): void {
    this.events = events;
    this.spawnChild();
  }

  write(data: string): boolean {
    if (!this.child || !this.child.stdin.writable) return true;
    return this.child.stdin.write(data);
  }

  recycle(reason: string): void {
    this.log.warn({ reason }, 'Restarting MCP server process');
    this.child?.kill('SIGKILL');
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    await exited;
    clearTimeout(killer);
  }

  private spawnChild(): void {
    const [file, ...args] = this.command;
    const child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const startedAt = Date.now();
    this.child = child;
    child.stdout.on('data', (chunk: Buffer) => this.events?.data(chunk));
    child.stderr.on('data', (chunk: Buffer) =>
      this.log.debug({ stderr: chunk.toString('utf8') }, 'MCP server wrote'),
    );
    child.stdin.on('drain', () => this.events?.drained());
    // EPIPE after the child died: the exit handler reports it.
    child.stdin.on('error', () => undefined);
    child.on('error', (err) => this.log.error({ err, command: this.command }, 'Failed to start MCP server'));
    child.once('spawn', () => {
      this.log.info({ pid: child.pid, command: this.command }, 'Started MCP server process');
      this.events?.opened();
    });
    child.once('close', (code, signal) => this.exited(startedAt, code, signal));
  }

  private exited(startedAt: number, code: number | null, signal: NodeJS.Signals | null): void {
    this.child = undefined;
    const reason = `MCP server process exited (${signal ?? `code ${code}`})`;
    this.events?.closed(reason);
    if (this.closing) return;
    this.failures = Date.now() - startedAt > STABLE_AFTER_MS ? 1 : this.failures + 1;
    const delay = restartDelay(this.failures);
    this.log.warn({ code, signal, restartInMs: delay }, 'MCP server process exited');
    this.restartTimer = setTimeout(() => this.spawnChild(), delay);
  }
}
