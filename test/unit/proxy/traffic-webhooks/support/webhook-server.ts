// A real HTTPS server acting as ToolHive-style webhooks for the proxy tests: each path answers with the
// handler a test registers, and every request is recorded (its parsed body, headers, and whether its
// X-ToolHive-Signature verified under the server's HMAC key). The verification is written here from
// ToolHive's description (HMAC-SHA256 over "<timestamp>.<body>", hex, "sha256=" prefix), not taken from
// the proxy's code, so a proxy signing differently fails the tests.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { loopbackCertificates, type TestCertificates } from '../../../../support/certificates.ts';

export interface Received {
  path: string;
  body: WebhookRequest;
  raw: string;
  headers: IncomingMessage['headers'];
  /** undefined: not signed; else whether the signature verified under the server's key. */
  signed?: boolean;
}

/** The request ToolHive's webhooks receive (pkg/webhook/types.go Request). */
export interface WebhookRequest {
  version: string;
  uid: string;
  timestamp: string;
  principal: Record<string, unknown> | null;
  mcp_request: { jsonrpc: string; id?: number | string; method: string; params?: Record<string, unknown> };
  context: { server_name: string; namespace?: string; source_ip: string; transport: string };
}

export interface Reply {
  status?: number;
  json?: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
}

export type Handler = (request: WebhookRequest, received: Received) => Reply;

export interface WebhookServer {
  url(path: string): string;
  certificates: TestCertificates;
  received: Received[];
  on(path: string, handler: Handler): void;
  /** TLS connections accepted so far: keep-alive reuse shows as fewer connections than requests. */
  connections(): number;
  close(): Promise<void>;
}

export const HMAC_KEY = 'webhook-test-key';

export const allow = (request: WebhookRequest): Reply => ({
  json: { version: request.version, uid: request.uid, allowed: true },
});

export async function startWebhookServer(): Promise<WebhookServer> {
  const certificates = loopbackCertificates();
  const handlers = new Map<string, Handler>();
  const received: Received[] = [];
  let connections = 0;
  const server: Server = createServer(
    { cert: certificates.serving.certPem, key: certificates.serving.keyPem },
    (req, res) => void answer(req, res),
  );
  server.on('secureConnection', () => (connections += 1));
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    const entry: Received = { path, body: JSON.parse(raw) as WebhookRequest, raw, headers: req.headers };
    const signed = verify(req.headers, raw);
    if (signed !== undefined) entry.signed = signed;
    received.push(entry);
    const reply = (handlers.get(path) ?? allow)(entry.body, entry);
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply.json ?? {}));
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `https://127.0.0.1:${port}${path}`,
    certificates,
    received,
    on: (path, handler) => handlers.set(path, handler),
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function verify(headers: IncomingMessage['headers'], raw: string): boolean | undefined {
  const signature = headers['x-toolhive-signature'];
  const timestamp = headers['x-toolhive-timestamp'];
  if (typeof signature !== 'string' || typeof timestamp !== 'string') return undefined;
  if (!signature.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', HMAC_KEY).update(`${timestamp}.${raw}`).digest();
  const given = Buffer.from(signature.slice('sha256='.length), 'hex');
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return fresh && given.length === expected.length && timingSafeEqual(given, expected);
}
