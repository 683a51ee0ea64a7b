// The in-cluster stdio backend: the server runs in its own pod (StatefulSet `<name>`, pod `<name>-0`)
// and the proxy talks to its stdin/stdout through the API server, by pods/attach (the `mcp` container's
// PID 1) or pods/exec (a command started in the container for each stream). Both are a WebSocket
// carrying stdin and stdout; this file is the stream code they share. It follows the pod: when the
// stream ends (container restart, pod deleted and re-created under the same name, exec'd process
// exited), it waits for the pod to run again and re-opens. A stream that stays open but carries nothing
// is caught above, by the health pings of multiplexed.ts, which then recycle() it. The Kubernetes calls
// sit behind AttachIO (pod-io.ts, loaded only when a pod target is configured) so tests can replace them.
// Not here: TTYs, stderr (the server's logs stay in its pod's log).
import { PassThrough, Writable } from 'node:stream';
import type { Logger } from '../../lib/log.ts';
import type { PodTarget } from '../config.ts';
import { STABLE_AFTER_MS, restartDelay, type ServerStream, type StreamEvents } from './stream.ts';

export interface AttachedStream {
  /** Resolves with a reason when the attach ends, from either side. */
  ended: Promise<string>;
  close(): void;
}

export interface AttachIO {
  /** Resolves once the pod runs with the container started; rejects on a read error (retried). */
  waitForRunning(target: PodTarget): Promise<void>;
  /** Attaches (or execs) stdin and stdout; rejects when the API server refuses. */
  attach(target: PodTarget, stdout: Writable, stdin: PassThrough): Promise<AttachedStream>;
}

export class AttachStream implements ServerStream {
  private readonly target: PodTarget;
  private readonly io: AttachIO;
  private readonly log: Logger;
  private events: StreamEvents | undefined;
  private stdin: PassThrough | undefined;
  private current: AttachedStream | undefined;
  private failures = 0;
  private closing = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(target: PodTarget, io: AttachIO, log: Logger) {
    this.target = target;
    this.io = io;
    this.log = log.child({ pod: target.pod, namespace: target.namespace });
  }

  start(events: StreamEvents): void {
    this.events = events;
    void this.connect();
  }

  write(data: string): boolean {
    return this.stdin ? this.stdin.write(data) : true;
  }

  recycle(reason: string): void {
    this.log.warn({ reason }, 'Re-attaching to MCP server pod');
    this.current?.close();
  }

  close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    this.current?.close();
    return Promise.resolve();
  }

  private async connect(): Promise<void> {
    const startedAt = Date.now();
    try {
      await this.io.waitForRunning(this.target);
      if (this.closing) return;
      const stdin = new PassThrough();
      const stdout = new Writable({
        write: (chunk: Buffer, _enc, done) => (this.events?.data(chunk), done()),
      });
      stdin.on('drain', () => this.events?.drained());
      this.current = await this.io.attach(this.target, stdout, stdin);
      this.stdin = stdin;
      this.log.info({ via: this.target.kind }, 'Attached to MCP server pod');
      this.events?.opened();
      const reason = await this.current.ended;
      this.detached(reason, startedAt);
    } catch (err) {
      this.log.warn({ err }, 'Failed to attach to MCP server pod');
      this.retry(startedAt);
    }
  }

  private detached(reason: string, startedAt: number): void {
    this.stdin?.end();
    this.stdin = undefined;
    this.current = undefined;
    this.events?.closed(reason);
    this.retry(startedAt);
  }

  private retry(startedAt: number): void {
    if (this.closing) return;
    this.failures = Date.now() - startedAt > STABLE_AFTER_MS ? 1 : this.failures + 1;
    this.retryTimer = setTimeout(() => void this.connect(), restartDelay(this.failures));
  }
}
