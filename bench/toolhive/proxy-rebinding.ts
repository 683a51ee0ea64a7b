// A DNS-rebinding probe for bench/toolhive-proxy.ts: an initialize POST with a foreign Origin, and one
// with a foreign Host, sent to a proxy in front of the conformance server, which refuses both itself
// (test/fixtures/conformance-server/http.ts). The conformance suite's check passes either way; this tells
// whether the proxy refused the request or passed it on for the server to refuse (or to accept: a proxy
// that rewrites Host to its upstream's hides a foreign Host from the server).
import { request } from 'node:http';

const SERVER_REFUSAL = 'Host and Origin must be loopback';

export type Verdict = 'refused by the proxy' | 'refused by the server behind it' | 'accepted';

/** Who answered: the server's refusal names itself; any other 4xx is the proxy's; 2xx went through. */
export function verdict(status: number, body: string): Verdict {
  if (status >= 200 && status < 300) return 'accepted';
  return body.includes(SERVER_REFUSAL) ? 'refused by the server behind it' : 'refused by the proxy';
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'probe', version: '1' } },
});

function post(url: URL, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const all = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...headers,
  };
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: all }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(INITIALIZE);
  });
}

/** The two probes against url: `Origin: http://evil.example.com`, then `Host: evil.example.com`. */
export async function rebindingProbe(url: URL): Promise<{ origin: string; host: string }> {
  const describe = ({ status, body }: { status: number; body: string }) =>
    `${status}, ${verdict(status, body)}`;
  const origin = await post(url, { origin: 'http://evil.example.com' });
  const host = await post(url, { host: `evil.example.com:${url.port}` });
  return { origin: describe(origin), host: describe(host) };
}
