// A byte stream to one stdio MCP server that stays open: a child process (child-process.ts) or an
// attach to the server pod's `mcp` container (attach.ts). The stream re-opens itself, with backoff,
// when the process exits or the pod is replaced; the multiplexer above it only sees opened/closed.
// Framing and message routing are not here (framing.ts, mux.ts).

export interface StreamEvents {
  /** A new stream is open; nothing written before this reaches the server. */
  opened(): void;
  /** Bytes from the server's stdout, in order, possibly split anywhere. */
  data(chunk: Buffer): void;
  /** The stream ended; the server lost whatever state it had. Another opened() may follow. */
  closed(reason: string): void;
  /** The stream's write buffer has room again after write() returned false. */
  drained(): void;
}

export interface ServerStream {
  /** Opens the stream and keeps it open until close(); called once. */
  start(events: StreamEvents): void;
  /** Writes to the server's stdin; false when the buffer is over its mark (wait for drained). */
  write(data: string): boolean;
  /** Drops the current stream and opens a new one: used when the server stops answering pings. */
  recycle(reason: string): void;
  close(): Promise<void>;
}

// Restarts start fast (a crash at startup should be seen quickly) and slow down to a ceiling, so a
// server that cannot start costs little CPU; a stream that stayed up this long resets the count.
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 30_000;
export const STABLE_AFTER_MS = 60_000;

/** The wait before re-opening after `failures` consecutive short-lived streams. Pure. */
export function restartDelay(failures: number): number {
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, failures - 1));
}
