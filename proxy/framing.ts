// Bytes <-> JSON-RPC messages, pure: newline-delimited JSON (the stdio transport) and Server-Sent
// Events (the HTTP fronts). Nothing here reads a stream or writes a socket; callers feed chunks in and
// write what comes out. Batches (JSON arrays) are not messages since MCP 2025-06-18 and are reported
// as malformed.
import { asMessage, type RpcMessage } from './jsonrpc.ts';

export type Decoded =
  | { kind: 'message'; message: RpcMessage }
  /** A line longer than the limit; its bytes were dropped without being parsed. */
  | { kind: 'too-large'; bytes: number }
  /** A line that is not JSON, or JSON that is not one JSON-RPC message (a log line on stdout). */
  | { kind: 'malformed'; text: string };

const NEWLINE = 0x0a;
// How much of a malformed line is kept for the log: enough to recognise it, bounded for memory.
const MALFORMED_EXCERPT = 200;

/**
 * Splits a byte stream at newlines into messages. Holds at most maxMessageBytes of an unfinished line:
 * past that the line is skipped up to its newline, so a server printing an endless line cannot grow
 * the proxy's memory.
 */
export class LineDecoder {
  private readonly maxMessageBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private skipping = false;

  constructor(maxMessageBytes: number) {
    this.maxMessageBytes = maxMessageBytes;
  }

  push(chunk: Buffer): Decoded[] {
    const out: Decoded[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      this.append(chunk.subarray(start, nl));
      const line = this.takeLine();
      if (line) out.push(line);
      start = nl + 1;
    }
    this.append(chunk.subarray(start));
    return out;
  }

  /** Forgets a partial line: the stream it came from is gone. */
  reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.skipping = false;
  }

  private append(part: Buffer): void {
    if (part.length === 0) return;
    this.pendingBytes += part.length;
    if (this.skipping) return;
    if (this.pendingBytes > this.maxMessageBytes) {
      this.skipping = true;
      this.pending = [];
      return;
    }
    this.pending.push(part);
  }

  private takeLine(): Decoded | undefined {
    const bytes = this.pendingBytes;
    const skipped = this.skipping;
    const text = skipped ? '' : Buffer.concat(this.pending, bytes).toString('utf8');
    this.reset();
    if (skipped) return { kind: 'too-large', bytes };
    return decodeText(text.endsWith('\r') ? text.slice(0, -1) : text);
  }
}

/** One JSON-RPC message from its JSON text; blank text decodes to nothing. */
export function decodeText(text: string): Decoded | undefined {
  if (text.trim() === '') return undefined;
  try {
    const message = asMessage(JSON.parse(text));
    if (message) return { kind: 'message', message };
  } catch {
    // falls through: not JSON
  }
  return { kind: 'malformed', text: text.slice(0, MALFORMED_EXCERPT) };
}

export const encodeLine = (message: RpcMessage): string => `${JSON.stringify(message)}\n`;

/** One SSE event; data lines are split so a payload with newlines stays one event. */
export function encodeSseEvent(data: string, event?: string, id?: string): string {
  const head = (event ? `event: ${event}\n` : '') + (id ? `id: ${id}\n` : '');
  return `${head}${data
    .split('\n')
    .map((line) => `data: ${line}\n`)
    .join('')}\n`;
}

export const encodeSseMessage = (message: RpcMessage, id?: string): string =>
  encodeSseEvent(JSON.stringify(message), 'message', id);

/**
 * The priming event of a resumable stream (MCP 2025-11-25): an id to resume from, the reconnection
 * delay, and empty data, which clients ignore as a message.
 */
export const encodeSsePriming = (id: string, retryMs: number): string =>
  `id: ${id}\nretry: ${retryMs}\ndata: \n\n`;

/** An SSE comment: ignored by clients, keeps proxies and load balancers from closing an idle stream. */
export const SSE_KEEPALIVE = ': keepalive\n\n';

export interface SseEvent {
  event: string;
  data: string;
  /** The event's id, when it had one. */
  id?: string;
  /** The reconnection delay the stream asked for, in ms, when this event carried one. */
  retry?: number;
}

/**
 * Splits a text/event-stream into events (the SSE parsing rules the MCP transports need: `event:`,
 * multi-line `data:`, comments, CRLF). Fed decoded text in chunks split anywhere.
 */
export class SseDecoder {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;
  private retry: number | undefined;

  push(text: string): SseEvent[] {
    this.buffer += text;
    const out: SseEvent[] = [];
    for (let nl = this.buffer.indexOf('\n'); nl !== -1; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      const event = this.line(line);
      if (event) out.push(event);
    }
    return out;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      const event: SseEvent | undefined =
        this.data.length > 0 ? { event: this.event || 'message', data: this.data.join('\n') } : undefined;
      if (event && this.id !== undefined) event.id = this.id;
      if (event && this.retry !== undefined) event.retry = this.retry;
      this.event = '';
      this.data = [];
      this.id = undefined;
      this.retry = undefined;
      return event;
    }
    const colon = line.indexOf(':');
    if (colon === 0) return undefined;
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    this.field(field, value);
    return undefined;
  }

  private field(name: string, value: string): void {
    if (name === 'event') this.event = value;
    else if (name === 'data') this.data.push(value);
    else if (name === 'id' && !value.includes('\0')) this.id = value;
    else if (name === 'retry' && /^\d+$/u.test(value)) this.retry = Number(value);
  }
}
