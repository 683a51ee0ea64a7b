// A fetch for the MCP SDK's client that goes out with the operator's API server credentials and TLS
// (ApiAccess), for the checks that reach a proxy through the API server's service proxy (target.ts).
// Answers stream (an SSE answer is read as it comes), and the request's AbortSignal ends them.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { Readable } from 'node:stream';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ApiAccess } from '../../lib/kube/access.ts';

function headersOf(init: RequestInit | undefined): Record<string, string> {
  return Object.fromEntries(new Headers(init?.headers).entries());
}

function toResponse(res: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const status = res.statusCode ?? 502;
  const empty = status === 204 || status === 304;
  if (empty) res.resume();
  const body = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
  return new Response(body, { status, statusText: res.statusMessage ?? '', headers });
}

export function apiServerFetch(access: ApiAccess): FetchLike {
  return async (input, init) => {
    const url = new URL(String(input));
    const options: RequestOptions = {
      method: init?.method ?? 'GET',
      headers: headersOf(init),
      ...(init?.signal ? { signal: init.signal } : {}),
    };
    // ApiAccess sets the Authorization header and TLS material on top of the request's own headers.
    await access.applyTo(options);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const body = typeof init?.body === 'string' ? init.body : undefined;
    return new Promise<Response>((resolve, reject) => {
      const req = send(url, options, (res) => resolve(toResponse(res)));
      req.on('error', reject);
      req.end(body);
    });
  };
}
