// Audit lines are written in batches, not one write per request: a write is a system call, and on this
// project's machines one costs about 20 µs (bench/proxy.ts found the audited path a tenth slower per call
// with a write each, most of the authenticated path's cost at one session). Lines wait at most
// maxDelayMs (50 ms) or until maxBytes (16 KiB) are pending, and are written at once by flush(), which
// the proxy calls when its backend closes and at process exit. What a crash (SIGKILL, OOM kill) loses is
// at most those 50 ms of lines; a log collector reading the pod's stdout sees them that much later.
import type { Writable } from 'node:stream';

export interface LineBufferOptions {
  maxBytes?: number;
  maxDelayMs?: number;
}

export class LineBuffer {
  private readonly out: Writable;
  private readonly maxBytes: number;
  private readonly maxDelayMs: number;
  private pending: string[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(out: Writable, options: LineBufferOptions = {}) {
    this.out = out;
    this.maxBytes = options.maxBytes ?? 16 * 1024;
    this.maxDelayMs = options.maxDelayMs ?? 50;
  }

  /** Queues one line (its newline included). */
  write(line: string): void {
    this.pending.push(line);
    this.bytes += line.length;
    if (this.bytes >= this.maxBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs).unref();
  }

  /** Writes every pending line now, in one write. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.bytes = 0;
    this.out.write(text);
  }
}
