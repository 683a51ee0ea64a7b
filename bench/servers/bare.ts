// The ceiling: node:https with the same TLS and keep-alive settings as ours, reading the body, parsing it
// as JSON and allowing the review with its uid. No routing, validation, metrics or logging: whatever a
// webhook costs above this is the price of its framework and its rules.
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { announcePort, exitWithParent, tlsFromEnv } from './child.ts';

const tls = tlsFromEnv();
const server = createServer(
  { cert: tls.certPem, key: tls.keyPem, minVersion: 'TLSv1.2', keepAlive: true },
  (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request?: { uid?: string } };
      const body = JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: { uid: review.request?.uid ?? '', allowed: true },
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  },
);
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => announcePort((server.address() as AddressInfo).port));
exitWithParent(
  () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
);
