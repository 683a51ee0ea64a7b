// What the authentication tests share: a proxy with an `auth` section in front of a real MCP server,
// the SDK client with a bearer token, and raw requests for the answers the SDK hides (status codes,
// WWW-Authenticate). Everything on 127.0.0.1.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { silentLogger } from '../../lib/log.ts';
import {
  DEFAULT_LIMITS,
  allowedNames,
  type ProxyTarget,
  type RunConfigAuth,
  type Transport,
} from '../../proxy/config.ts';
import { runProxy, type StartedProxy } from '../../proxy/proxy.ts';

export async function startAuthProxy(
  port: number,
  auth: RunConfigAuth,
  target: ProxyTarget,
  transport: Transport = 'stdio',
): Promise<StartedProxy> {
  return runProxy(
    {
      name: 'auth-test',
      transport,
      host: '127.0.0.1',
      port,
      target,
      allowed: allowedNames(undefined, undefined, [], []),
      limits: { ...DEFAULT_LIMITS, pingIntervalMs: 200 },
      auth,
    },
    // A short unknown-kid cooldown, so the rotation case does not wait 30 s.
    { log: silentLogger(), processMetrics: false, jwksCooldownMs: 200 },
  );
}

export interface Connected {
  client: Client;
  sessionId: string | undefined;
}

/** The SDK client through /mcp (or /sse) with `Authorization: Bearer <token>` on every request. */
export async function connectWithToken(
  proxyUrl: string,
  token: string | undefined,
  front: 'mcp' | 'sse' = 'mcp',
): Promise<Connected> {
  const requestInit = token ? { headers: { Authorization: `Bearer ${token}` } } : undefined;
  const client = new Client({ name: 'auth-test', version: '1.0.0' });
  if (front === 'sse') {
    await client.connect(new SSEClientTransport(new URL(`${proxyUrl}/sse`), { requestInit }));
    return { client, sessionId: undefined };
  }
  const transport = new StreamableHTTPClientTransport(new URL(`${proxyUrl}/mcp`), { requestInit });
  await client.connect(transport);
  return { client, sessionId: transport.sessionId };
}

export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

export interface RawAnswer {
  status: number;
  challenge: string | null;
  body: string;
}

/** One POST to /mcp with the headers given; what came back, body read whole. */
export async function rawPost(
  proxyUrl: string,
  message: unknown,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const res = await fetch(`${proxyUrl}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
      ...headers,
    },
    body: JSON.stringify(message),
  });
  return { status: res.status, challenge: res.headers.get('www-authenticate'), body: await res.text() };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** The token with one character of its signature changed. */
export function tampered(token: string): string {
  const i = token.length - 5;
  return `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
}
