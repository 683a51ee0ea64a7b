// One webhook's HTTP client: POSTs the signed request body and reads the answer, as ToolHive's
// webhook.Client does (pkg/webhook/client.go). node:http(s), not fetch or undici (node-http.ts: they
// would load undici into every proxy): one keep-alive agent per webhook, so calls reuse their TLS
// connections and cost a round trip, not a handshake. Decisions:
// - TLS: the CA bundle, when given, replaces the system roots (ToolHive's RootCAs); client certificate
//   and key for mTLS; TLS 1.2 at least; insecureSkipVerify turns the check off and allows http://.
// - timeoutMs bounds the whole exchange, connect to last byte (Go's http.Client.Timeout).
// - Answers are capped at 1 MiB; redirects are not followed (a 3xx is an invalid answer).
// - Files are read once, at start: a missing or bad one fails the start, naming the webhook.
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { http, https } from '../node-http.ts';
import { DEFAULT_TIMEOUT_MS, type RunConfigWebhook } from './run-config.ts';
import { MAX_ANSWER_BYTES, readAnswer, signatureHeaders, type CallResult } from './wire.ts';

export interface WebhookClient {
  readonly webhook: RunConfigWebhook;
  /** Never rejects: a failure is a result. */
  call(body: string, now: Date): Promise<CallResult>;
  close(): void;
}

class TimedOut extends Error {}

const failed = (err: Error): CallResult => ({
  ok: false,
  failure: { kind: err instanceof TimedOut ? 'timeout' : 'network', detail: err.message },
});

export function createWebhookClient(
  webhook: RunConfigWebhook,
  hmacSecret: string | undefined,
): WebhookClient {
  const url = new URL(webhook.url);
  const secure = url.protocol === 'https:';
  const agent = secure ? httpsAgent(webhook) : new http.Agent({ keepAlive: true });
  const timeoutMs = webhook.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const post = (body: string, now: Date): Promise<CallResult> =>
    new Promise((resolve) => {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        ...(hmacSecret ? signatureHeaders(hmacSecret, body, now) : {}),
      };
      const request = (secure ? https : http).request(url, { method: 'POST', headers, agent });
      const timer = setTimeout(
        () => request.destroy(new TimedOut(`no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const done = (result: CallResult) => {
        clearTimeout(timer);
        resolve(result);
      };
      request.on('response', (res) => readBody(res, request, done));
      request.on('error', (err) => done(failed(err)));
      request.end(body);
    });
  return {
    webhook,
    call: post,
    close: () => agent.destroy(),
  };
}

function httpsAgent(webhook: RunConfigWebhook): HttpsAgent {
  const tls = webhook.tls ?? {};
  const read = (file: string | undefined, what: string): string | undefined => {
    if (!file) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(
        `webhook ${JSON.stringify(webhook.name)}: cannot read its ${what} ${file}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  };
  const ca = read(tls.caBundleFile, 'CA bundle');
  const cert = read(tls.clientCertFile, 'client certificate');
  const key = read(tls.clientKeyFile, 'client key');
  return new https.Agent({
    keepAlive: true,
    minVersion: 'TLSv1.2',
    rejectUnauthorized: tls.insecureSkipVerify !== true,
    ...(ca ? { ca } : {}),
    ...(cert && key ? { cert, key } : {}),
  });
}

function readBody(
  res: IncomingMessage,
  request: { destroy(err?: Error): void },
  done: (result: CallResult) => void,
): void {
  const chunks: Buffer[] = [];
  let bytes = 0;
  res.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes <= MAX_ANSWER_BYTES) chunks.push(chunk);
    else {
      done({
        ok: false,
        failure: { kind: 'invalid', status: 0, detail: `answer larger than ${MAX_ANSWER_BYTES} bytes` },
      });
      request.destroy();
    }
  });
  res.on('error', (err) => done(failed(err)));
  res.on('end', () => done(readAnswer(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
}
