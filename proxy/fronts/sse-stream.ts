// One Server-Sent Events response: headers, messages, keep-alive comments, and the slow-client rule.
// A client that stops reading must not hold memory for everyone: once more than maxBufferedBytes sit
// unsent in the socket's buffer the stream is closed, and the client may reconnect (GET) or retry.
import type { ServerResponse } from 'node:http';
import { SSE_KEEPALIVE, encodeSseEvent, encodeSseMessage, encodeSsePriming } from '../framing.ts';
import type { RpcMessage } from '../jsonrpc.ts';

export interface SseLimits {
  keepAliveMs: number;
  maxBufferedBytes: number;
}

export class SseStream {
  private readonly res: ServerResponse;
  private readonly limits: SseLimits;
  private readonly keepAlive: NodeJS.Timeout;
  private closedFlag = false;
  private readonly onClose: (() => void)[] = [];

  constructor(res: ServerResponse, limits: SseLimits, headers: Record<string, string> = {}) {
    this.res = res;
    this.limits = limits;
    // Set, not only written: server.ts's write timeout reads it to spare streams (getHeader does not
    // see headers passed to writeHead alone).
    res.setHeader('content-type', 'text/event-stream');
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    this.keepAlive = setInterval(() => this.write(SSE_KEEPALIVE), limits.keepAliveMs);
    this.keepAlive.unref();
    res.on('close', () => this.markClosed());
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Calls callback once when the stream ends, whoever ended it. */
  whenClosed(callback: () => void): void {
    if (this.closedFlag) callback();
    else this.onClose.push(callback);
  }

  /** One message; id makes the event resumable (resumable-stream.ts). */
  send(message: RpcMessage, id?: string): void {
    this.write(encodeSseMessage(message, id));
  }

  prime(id: string, retryMs: number): void {
    this.write(encodeSsePriming(id, retryMs));
  }

  sendEvent(event: string, data: string): void {
    this.write(encodeSseEvent(data, event));
  }

  end(): void {
    if (!this.closedFlag) this.res.end();
    this.markClosed();
  }

  private write(text: string): void {
    if (this.closedFlag) return;
    this.res.write(text);
    if (this.res.writableLength > this.limits.maxBufferedBytes) this.res.destroy();
  }

  private markClosed(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    clearInterval(this.keepAlive);
    for (const callback of this.onClose) callback();
  }
}
