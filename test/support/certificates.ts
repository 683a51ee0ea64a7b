// Certificates for tests: one RSA key generated per process and reused (keys are the slow part),
// a fresh CA and serving certificate per call so tests can tell certificates apart.
import { issueCa, issueServing, generateRsaKeyPem, type CertificatePair } from '../../certs/issuer.ts';
import type { ServingCertificate } from '../../certs/source.ts';

let sharedKeyPem: string | undefined;

/** The same RSA key on every call: tests that need different keys pass their own. */
export function reusedKeyPem(): string {
  sharedKeyPem ??= generateRsaKeyPem();
  return sharedKeyPem;
}

export interface TestCertificates {
  ca: CertificatePair;
  serving: ServingCertificate;
}

/** A CA and a certificate it signed for localhost and 127.0.0.1, valid for a day from now. */
export function loopbackCertificates(now: Date = new Date()): TestCertificates {
  const ca = issueCa(now, 24 * 60 * 60 * 1000, reusedKeyPem());
  const serving = issueServing(ca, now, {
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    lifetimeMs: 24 * 60 * 60 * 1000,
    keyPem: reusedKeyPem(),
  });
  return { ca, serving: { ...serving, caBundlePem: ca.certPem } };
}
