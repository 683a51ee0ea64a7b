// The real cert-manager (controller and cainjector, built from the Go module proxy at versions.env's
// CERT_MANAGER_VERSION) on the shared control plane: a self-signed Issuer makes a CA, a CA Issuer signs a
// webhook serving certificate, cainjector copies the CA into a webhook configuration's caBundle, and the API
// server then trusts the webhook over TLS. This is what the webhook's cert-manager mode relies on.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import {
  type CertManager,
  certManagerBinaries,
  missingCertManagerBinaries,
  startCertManager,
} from '../../controlplane/cert-manager.ts';
import { createLogger } from '../../lib/log.ts';
import { serviceDnsNames } from '../../lib/service-names.ts';
import { adminKubeConfig, controlPlane, eventually } from './harness.ts';

const NS = 'cert-manager-it';
const SERVICE = 'svc-name';
const CA_SECRET = 'test-ca';
const SERVING_CERT = 'webhook-serving';
const SERVING_SECRET = 'webhook-serving-tls';
const WEBHOOK_CONFIG = 'cert-manager-it';
const DENY_LABEL = 'cert-manager-it/deny';
const DENIAL = 'denied by the cert-manager-it webhook';
const SERVER_AUTH_OID = '1.3.6.1.5.5.7.3.1';

const issuersAndCertificates = `
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: selfsigned, namespace: ${NS}}
spec: {selfSigned: {}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: test-ca, namespace: ${NS}}
spec:
  isCA: true
  commonName: cert-manager-it CA
  secretName: ${CA_SECRET}
  privateKey: {algorithm: ECDSA, size: 256}
  issuerRef: {name: selfsigned, kind: Issuer, group: cert-manager.io}
---
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: test-ca, namespace: ${NS}}
spec: {ca: {secretName: ${CA_SECRET}}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: ${SERVING_CERT}, namespace: ${NS}}
spec:
  secretName: ${SERVING_SECRET}
  dnsNames: ${JSON.stringify(serviceDnsNames(SERVICE, NS))}
  # The API server reaches this test's webhook on loopback, so the certificate names 127.0.0.1 too.
  ipAddresses: ["127.0.0.1"]
  usages: [server auth, digital signature, key encipherment]
  issuerRef: {name: test-ca, kind: Issuer, group: cert-manager.io}
`;

/** A ValidatingWebhookConfiguration with no caBundle, for cainjector to fill in; it only sees labelled ConfigMaps in NS. */
const webhookConfiguration = (port: number): k8s.V1ValidatingWebhookConfiguration => ({
  metadata: {
    name: WEBHOOK_CONFIG,
    annotations: { 'cert-manager.io/inject-ca-from': `${NS}/${SERVING_CERT}` },
  },
  webhooks: [
    {
      name: 'deny.cert-manager-it.local',
      clientConfig: { url: `https://127.0.0.1:${port}/validate` },
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS } },
      objectSelector: { matchLabels: { [DENY_LABEL]: 'true' } },
      failurePolicy: 'Fail',
      sideEffects: 'None',
      admissionReviewVersions: ['v1'],
      timeoutSeconds: 5,
    },
  ],
});

/** Serves an admission webhook with the issued certificate that denies everything it is sent. */
async function startDenyingWebhook(tls: { cert: string; key: string }): Promise<https.Server> {
  const server = https.createServer(tls, (req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const review = JSON.parse(body) as { request: { uid: string } };
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: { uid: review.request.uid, allowed: false, status: { code: 403, message: DENIAL } },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const decode = (b64: string | undefined): string => Buffer.from(b64 ?? '', 'base64').toString('utf8');

describe('cert-manager on the local control plane', function () {
  this.timeout(180_000);
  const binaries = certManagerBinaries();
  let certManager: CertManager | undefined;
  let core: k8s.CoreV1Api;
  let admission: k8s.AdmissionregistrationV1Api;
  let webhookServer: https.Server | undefined;

  before(async function () {
    const missing = missingCertManagerBinaries(binaries);
    if (missing.length > 0)
      throw new Error(
        `cert-manager ${binaries.version} is not built (${missing.join(', ')} missing): ` +
          '`make binaries` builds it (or `bash controlplane/build-binaries.sh cert-manager`)',
      );
    const kc = adminKubeConfig();
    core = kc.makeApiClient(k8s.CoreV1Api);
    admission = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
    certManager = await startCertManager({
      controlPlane: controlPlane(),
      log: createLogger('cert-manager', process.env.LOG_LEVEL ?? 'warn'),
    });
    await core.createNamespace({ body: { metadata: { name: NS } } });
    const applied = await controlPlane().kubectl(['apply', '-f', '-'], issuersAndCertificates);
    expect(applied.code, applied.stderr).to.equal(0);
  });

  after(async () => {
    await admission?.deleteValidatingWebhookConfiguration({ name: WEBHOOK_CONFIG }).catch(() => undefined);
    webhookServer?.close();
    await core?.deleteNamespace({ name: NS }).catch(() => undefined);
    await certManager?.stop();
  });

  const readySecret = (name: string) =>
    eventually(
      `Secret ${NS}/${name} with tls.crt, tls.key and ca.crt`,
      async () => {
        const s = await core.readNamespacedSecret({ name, namespace: NS });
        const data = s.data ?? {};
        return data['tls.crt'] && data['tls.key'] && data['ca.crt'] ? s : undefined;
      },
      90_000,
    );

  it('issues a CA and a serving certificate whose chain verifies', async () => {
    const caSecret = await readySecret(CA_SECRET);
    const ca = new X509Certificate(decode(caSecret.data!['tls.crt']));
    expect(ca.ca, 'the CA certificate is a CA').to.equal(true);
    expect(ca.checkIssued(ca), 'the CA is self-signed').to.equal(true);

    const serving = await readySecret(SERVING_SECRET);
    const leaf = new X509Certificate(decode(serving.data!['tls.crt']));
    const caFromServing = new X509Certificate(decode(serving.data!['ca.crt']));
    expect(caFromServing.raw.equals(ca.raw), 'ca.crt of the serving Secret is the CA').to.equal(true);
    expect(leaf.ca).to.equal(false);
    expect(leaf.checkIssued(ca), 'the CA issued the serving certificate').to.equal(true);
    expect(leaf.verify(ca.publicKey), 'its signature verifies with the CA key').to.equal(true);
    expect(leaf.checkPrivateKey(createPrivateKey(decode(serving.data!['tls.key'])))).to.equal(true);
    for (const name of serviceDnsNames(SERVICE, NS)) expect(leaf.checkHost(name), name).to.equal(name);
    expect(leaf.checkIP('127.0.0.1')).to.equal('127.0.0.1');
    expect(leaf.keyUsage).to.include(SERVER_AUTH_OID);

    const cert = await controlPlane().kubectl([
      '-n',
      NS,
      'get',
      'certificate',
      SERVING_CERT,
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
    ]);
    expect(cert.stdout, cert.stderr).to.equal('True');
  });

  it('injects the CA into an annotated webhook configuration, which the API server then trusts', async () => {
    const serving = await readySecret(SERVING_SECRET);
    webhookServer = await startDenyingWebhook({
      cert: decode(serving.data!['tls.crt']),
      key: decode(serving.data!['tls.key']),
    });
    const port = (webhookServer.address() as AddressInfo).port;
    await admission.createValidatingWebhookConfiguration({ body: webhookConfiguration(port) });

    const caBundle = await eventually(
      'cainjector to set the caBundle',
      async () =>
        (await admission.readValidatingWebhookConfiguration({ name: WEBHOOK_CONFIG })).webhooks?.[0]
          ?.clientConfig.caBundle || undefined,
      60_000,
    );
    const caSecret = await core.readNamespacedSecret({ name: CA_SECRET, namespace: NS });
    const injected = new X509Certificate(decode(caBundle));
    expect(injected.raw.equals(new X509Certificate(decode(caSecret.data!['tls.crt'])).raw)).to.equal(true);

    // Denied by our server (not "x509: certificate signed by unknown authority"): the API server verified
    // the cert-manager-issued certificate against the injected bundle. It may take a moment to see the update.
    const configMap = `apiVersion: v1
kind: ConfigMap
metadata: {name: probe, namespace: ${NS}, labels: {${DENY_LABEL}: "true"}}
`;
    const denied = await eventually('the API server to call the webhook over verified TLS', async () => {
      const r = await controlPlane().kubectl(['create', '-f', '-'], configMap);
      return r.stderr.includes(DENIAL) ? r : undefined;
    });
    expect(denied.code).to.not.equal(0);
  });
});
