// A body over the limit must get its 413, not a reset connection: answering at once and closing while
// the client is still sending makes the kernel reset the connection, and the client loses the answer
// it was sent (found by test/fuzz/admission.fuzz.test.ts: EPIPE on 5-25% of declared-too-large bodies
// from another process). The race needs two processes to show reliably, so this test checks its cause
// instead: the server reads the rest off and keeps the connection, so every answer arrives on one.
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { Pool } from 'undici';
import { InMemorySource } from '../../../certs/memory-source.ts';
import { silentLogger } from '../../../lib/log.ts';
import { createAdmissionMetrics } from '../../../webhook/metrics.ts';
import { VALIDATE_PATH } from '../../../webhook/paths.ts';
import {
  type AdmissionHandler,
  MAX_REVIEW_BYTES,
  type WebhookServerHandle,
  createWebhookApp,
  startWebhookServer,
} from '../../../webhook/server.ts';
import { loopbackCertificates } from '../../support/certificates.ts';

const allowing: AdmissionHandler = (body) => {
  const uid = (body as { request: { uid: string } }).request.uid;
  return Promise.resolve({
    httpStatus: 200,
    body: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: true } },
  });
};

describe('webhook server with bodies over the limit', function () {
  this.timeout(60_000);
  let server: WebhookServerHandle;
  let pool: Pool;
  let connections = 0;

  before(async () => {
    const certs = loopbackCertificates();
    const log = silentLogger();
    const app = createWebhookApp({
      validate: allowing,
      mutate: allowing,
      log,
      readiness: () => [],
      metrics: createAdmissionMetrics({ processMetrics: false }),
    });
    server = await startWebhookServer(app, new InMemorySource(certs.serving, log), {
      port: 0,
      host: '127.0.0.1',
      log,
    });
    pool = new Pool(`https://127.0.0.1:${server.port}`, {
      connections: 1,
      connect: { ca: certs.ca.certPem },
    });
    pool.on('connect', () => (connections += 1));
  });
  after(async () => {
    await pool.close();
    await server.close();
  });

  const over = Buffer.alloc(MAX_REVIEW_BYTES + 64 * 1024, 0x20);
  const post = async (body: Buffer | Readable) => {
    const res = await pool.request({
      path: VALIDATE_PATH,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return {
      status: res.statusCode,
      connection: res.headers.connection,
      body: (await res.body.json()) as { response?: { status?: { code?: number } } },
    };
  };

  beforeEach(() => (connections = 0));

  it('answers 413 to declared-too-large bodies on a connection that stays open for the next review', async () => {
    for (let i = 0; i < 5; i++) {
      const answer = await post(over);
      expect(answer.status).to.equal(413);
      expect(answer.connection).to.not.equal('close');
      expect(answer.body.response?.status?.code).to.equal(413);
    }
    const review = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { uid: 'after', operation: 'CREATE' },
    };
    expect((await post(Buffer.from(JSON.stringify(review)))).status).to.equal(200);
    expect(connections).to.equal(1);
  });

  it('answers 413 to every chunked body that grows past the limit', async () => {
    const chunks = () => {
      const parts: Buffer[] = [];
      for (let sent = 0; sent < over.length; sent += 256 * 1024)
        parts.push(over.subarray(sent, sent + 256 * 1024));
      return Readable.from(parts); // no Content-Length: sent chunked
    };
    for (let i = 0; i < 5; i++) expect((await post(chunks())).status).to.equal(413);
    expect(connections).to.be.at.most(1); // the first test's connection, still open
  });
});
