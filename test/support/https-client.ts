// A minimal HTTPS client for tests: one new connection per request (agent: false), so a test sees the
// certificate the server presents to new connections, and the whole answer as text.
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface TestResponse {
  status: number;
  contentType: string | undefined;
  text: string;
  /** SHA-256 fingerprint of the certificate the server presented. */
  peerFingerprint: string;
}

export interface TestRequest {
  port: number;
  caPem: string;
  method?: 'GET' | 'POST';
  path: string;
  body?: string | Buffer;
  contentType?: string;
}

export function httpsRequest(r: TestRequest): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (r.contentType !== undefined) headers['content-type'] = r.contentType;
    if (r.body !== undefined) headers['content-length'] = Buffer.byteLength(r.body);
    const req = request(
      {
        host: '127.0.0.1',
        port: r.port,
        path: r.path,
        method: r.method ?? 'POST',
        ca: r.caPem,
        agent: false,
        headers,
      },
      (res) => {
        const peerFingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
            text: Buffer.concat(chunks).toString('utf8'),
            peerFingerprint,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}
