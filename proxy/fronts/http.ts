// Small HTTP helpers the fronts share: bounded body reading, JSON answers, the Accept header. No
// routing and no MCP semantics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorResponse, type RpcError } from '../jsonrpc.ts';

export type Body = { text: string } | { tooLarge: true };

/** The request body as text, or tooLarge as soon as it passes maxBytes (the rest is not buffered). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Body> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        req.pause();
        resolve({ tooLarge: true });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** An HTTP error carrying a JSON-RPC error body, as the SDK's server transports answer. */
export function sendRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  const body: RpcError = errorResponse(null, code, message);
  sendJson(res, status, body);
}

export interface Accepts {
  json: boolean;
  sse: boolean;
}

export function accepts(header: string | undefined): Accepts {
  const types = (header ?? '*/*').split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  const any = types.includes('*/*');
  return {
    json: any || types.includes('application/json') || types.includes('application/*'),
    sse: any || types.includes('text/event-stream') || types.includes('text/*'),
  };
}

export const headerValue = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};
