import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import { InMemorySource } from '../../../certs/memory-source.ts';
import { silentLogger } from '../../../lib/log.ts';
import { createAdmissionMetrics } from '../../../webhook/metrics.ts';
import {
  type AdmissionHandler,
  type WebhookServerHandle,
  createWebhookApp,
  startWebhookServer,
} from '../../../webhook/server.ts';
import { loopbackCertificates, type TestCertificates } from '../../support/certificates.ts';
import { httpsRequest } from '../../support/https-client.ts';

const VALIDATE = '/validate-toolhive-stacklok-dev-v1alpha1-mcpserver';
const MUTATE = '/mutate-toolhive-stacklok-dev-v1alpha1-mcpserver';

const review = (uid: string, apiVersion = 'admission.k8s.io/v1') =>
  JSON.stringify({ apiVersion, kind: 'AdmissionReview', request: { uid, operation: 'CREATE' } });

const allowedFor = (uid: string) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid, allowed: true },
});

/** Answers every review as allowed, echoing its uid. */
const allowingHandler: AdmissionHandler = (body) => {
  const uid = (body as { request: { uid: string } }).request.uid;
  return Promise.resolve({ httpStatus: 200, body: allowedFor(uid) });
};
const throwingHandler: AdmissionHandler = () => Promise.reject(new Error('detail that must stay in the log'));
const hangingHandler: AdmissionHandler = () => new Promise(() => undefined);

interface Running {
  server: WebhookServerHandle;
  source: InMemorySource;
  certs: TestCertificates;
}

async function startWith(handler: AdmissionHandler, readiness: () => string[] = () => []): Promise<Running> {
  const certs = loopbackCertificates();
  const source = new InMemorySource(certs.serving, silentLogger());
  const app = createWebhookApp({
    validate: handler,
    mutate: handler,
    log: silentLogger(),
    readiness,
    handlerTimeoutMs: 100,
    metrics: createAdmissionMetrics({ processMetrics: false }),
  });
  const server = await startWebhookServer(app, source, { port: 0, host: '127.0.0.1', log: silentLogger() });
  return { server, source, certs };
}

describe('createWebhookApp over HTTPS', () => {
  const cases: Record<
    string,
    {
      handler: AdmissionHandler;
      path: string;
      body?: string;
      contentType?: string;
      status: number;
      json: unknown;
    }
  > = {
    'passes a validation review to the handler and returns its answer': {
      handler: allowingHandler,
      path: VALIDATE,
      body: review('u-1'),
      status: 200,
      json: allowedFor('u-1'),
    },
    'serves the v1beta1 mutation path as well': {
      handler: allowingHandler,
      path: '/mutate-toolhive-stacklok-dev-v1beta1-mcpserver',
      body: review('u-2'),
      status: 200,
      json: allowedFor('u-2'),
    },
    'answers malformed JSON with 400 and a short message': {
      handler: allowingHandler,
      path: VALIDATE,
      body: '{"request": ',
      status: 400,
      json: {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: {
          uid: '',
          allowed: false,
          status: { code: 400, message: 'request body is not valid JSON' },
        },
      },
    },
    'answers a body that is not JSON by content type with 415': {
      handler: allowingHandler,
      path: MUTATE,
      body: review('u-3'),
      contentType: 'text/plain',
      status: 415,
      json: {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: {
          uid: '',
          allowed: false,
          status: { code: 415, message: 'expected Content-Type application/json' },
        },
      },
    },
    'answers a handler that throws with Errored 500 for the request uid, without the detail': {
      handler: throwingHandler,
      path: VALIDATE,
      body: review('u-4'),
      status: 200,
      json: {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: {
          uid: 'u-4',
          allowed: false,
          status: { code: 500, message: 'internal error while reviewing' },
        },
      },
    },
    'keeps the v1beta1 apiVersion of the request in an Errored answer': {
      handler: throwingHandler,
      path: VALIDATE,
      body: review('u-5', 'admission.k8s.io/v1beta1'),
      status: 200,
      json: {
        apiVersion: 'admission.k8s.io/v1beta1',
        kind: 'AdmissionReview',
        response: {
          uid: 'u-5',
          allowed: false,
          status: { code: 500, message: 'internal error while reviewing' },
        },
      },
    },
    'answers a handler that throws on a body without uid with a plain 500': {
      handler: throwingHandler,
      path: VALIDATE,
      body: '{"kind": "Something"}',
      status: 500,
      json: { message: 'internal error while reviewing' },
    },
    'answers a handler that hangs with Errored once the timeout passes': {
      handler: hangingHandler,
      path: MUTATE,
      body: review('u-6'),
      status: 200,
      json: {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: {
          uid: 'u-6',
          allowed: false,
          status: { code: 500, message: 'timed out after 100 ms while reviewing' },
        },
      },
    },
    'answers an unknown path with a JSON 404': {
      handler: allowingHandler,
      path: '/validate-something-else',
      body: review('u-7'),
      status: 404,
      json: { message: 'not found' },
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, async () => {
      const { server, certs } = await startWith(c.handler);
      try {
        const res = await httpsRequest({
          port: server.port,
          caPem: certs.ca.certPem,
          path: c.path,
          body: c.body,
          contentType: c.contentType ?? 'application/json',
        });
        expect({ status: res.status, json: JSON.parse(res.text) as unknown }).to.deep.equal({
          status: c.status,
          json: c.json,
        });
      } finally {
        await server.close();
      }
    });
  }
});

describe('createWebhookApp limits and probes', () => {
  let running: Running;
  let ready: string[];
  before(async () => {
    ready = ['certificates'];
    running = await startWith(allowingHandler, () => ready);
  });
  after(() => running.server.close());
  const call = (path: string, method: 'GET' | 'POST' = 'GET', body?: string | Buffer) =>
    httpsRequest({
      port: running.server.port,
      caPem: running.certs.ca.certPem,
      path,
      method,
      body,
      contentType: 'application/json',
    });

  it('rejects a body over 7 MiB with 413 and keeps serving', async () => {
    const huge = Buffer.alloc(8 * 1024 * 1024, 0x20);
    const rejected = await call(VALIDATE, 'POST', huge);
    const after = await call(VALIDATE, 'POST', review('u-after'));
    expect([rejected.status, after.status]).to.deep.equal([413, 200]);
  });

  it('answers an empty body with 400', async () => {
    const res = await call(VALIDATE, 'POST', '');
    expect([res.status, JSON.parse(res.text)]).to.deep.equal([
      400,
      {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: { uid: '', allowed: false, status: { code: 400, message: 'request body is empty' } },
      },
    ]);
  });

  it('reports healthz ok, and readyz 503 naming what is missing until ready', async () => {
    const health = await call('/healthz');
    const notReady = await call('/readyz');
    ready = [];
    const isReady = await call('/readyz');
    expect([health, notReady, isReady].map((r) => [r.status, r.text])).to.deep.equal([
      [200, 'ok'],
      [503, 'not ready: certificates'],
      [200, 'ok'],
    ]);
  });

  it('exposes request counters on /metrics after requests', async () => {
    await call(MUTATE, 'POST', review('u-m1'));
    await call(MUTATE, 'POST', '{broken');
    const text = (await call('/metrics')).text;
    const lines = text
      .split('\n')
      .filter((l) => /^(admission_requests_total|controller_runtime_webhook_requests_total)\{/.test(l));
    expect(lines.filter((l) => l.includes('mutate'))).to.deep.equal([
      'admission_requests_total{operation="CREATE",kind_of_review="mutate",verdict="allowed"} 1',
      'admission_requests_total{operation="unknown",kind_of_review="mutate",verdict="bad_request"} 1',
      `controller_runtime_webhook_requests_total{webhook="${MUTATE}",code="200"} 1`,
      `controller_runtime_webhook_requests_total{webhook="${MUTATE}",code="400"} 1`,
    ]);
  });
});

describe('startWebhookServer certificate rotation', () => {
  it('presents a swapped certificate to new connections without restart', async () => {
    const { server, source, certs } = await startWith(allowingHandler);
    try {
      const before = await httpsRequest({
        port: server.port,
        caPem: certs.ca.certPem,
        method: 'GET',
        path: '/healthz',
      });
      const next = loopbackCertificates();
      source.replace(next.serving);
      const after = await httpsRequest({
        port: server.port,
        caPem: next.ca.certPem,
        method: 'GET',
        path: '/healthz',
      });
      expect([before.peerFingerprint, after.peerFingerprint]).to.deep.equal([
        new X509Certificate(certs.serving.certPem).fingerprint256,
        new X509Certificate(next.serving.certPem).fingerprint256,
      ]);
    } finally {
      await server.close();
    }
  });
});
