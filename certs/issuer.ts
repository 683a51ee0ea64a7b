// Issues the webhook's certificates with node-forge: a self-signed CA and a serving certificate it
// signs. Keys come from Node's native generator (forge signs only with RSA, and its JavaScript key
// generation takes seconds). Pure apart from the random key and serial number; the clock is passed in.
// Which certificate to issue, and when, is decided in certs/authority.ts.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A certificate and its private key, both PEM. */
export interface CertificatePair {
  certPem: string;
  keyPem: string;
}

// Certificates start a little in the past: an API server whose clock runs behind ours would
// otherwise reject a certificate that is "not yet valid" for the first minutes of its life.
export const BACKDATE_MS = 5 * 60 * 1000;

/** node-forge signs only with RSA, and its JavaScript key generation is slow: Node's native one is used. */
export function generateRsaKeyPem(): string {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return privateKey;
}

/**
 * A positive serial number of 126 random bits in hex. The first byte is kept in 0x40..0x7f: a clear top
 * bit keeps the DER INTEGER positive, and a non-zero byte keeps it minimal, which Go's x509 parser (the
 * API server's) insists on; forge writes the bytes as given.
 */
function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return bytes.toString('hex');
}

function newForgeCertificate(keyPem: string, notBefore: Date, notAfter: Date): forge.pki.Certificate {
  const key = forge.pki.privateKeyFromPem(keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  return cert;
}

/** A self-signed CA valid from now (backdated) for lifetimeMs. */
/**
 * A subject attribute encoded as UTF8String. node-forge defaults to PrintableString, which cannot hold
 * '@' (or '_', '*', ...); Go's x509 parser, and so the API server loading a caBundle, rejects such a
 * certificate outright ("invalid PrintableString"). UTF8String is what Go and OpenSSL write themselves.
 */
function utf8Attribute(name: string, value: string): { name: string; value: string; valueTagClass: number } {
  return { name, value, valueTagClass: forge.asn1.Type.UTF8 };
}

export function issueCa(now: Date, lifetimeMs: number, keyPem: string): CertificatePair {
  const cert = newForgeCertificate(
    keyPem,
    new Date(now.getTime() - BACKDATE_MS),
    new Date(now.getTime() + lifetimeMs),
  );
  // The timestamp tells CA generations apart in logs and bundles, as Kubernetes' own self-signed CAs do.
  const subject = [
    utf8Attribute('commonName', `mcp-operator-webhook-ca@${Math.floor(now.getTime() / 1000)}`),
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

export interface ServingRequest {
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  lifetimeMs: number;
  keyPem: string;
}

/** A serving certificate signed by ca, never outliving it. */
export function issueServing(ca: CertificatePair, now: Date, request: ServingRequest): CertificatePair {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const notAfter = Math.min(now.getTime() + request.lifetimeMs, caCert.validity.notAfter.getTime());
  const cert = newForgeCertificate(request.keyPem, new Date(now.getTime() - BACKDATE_MS), new Date(notAfter));
  cert.setSubject([utf8Attribute('commonName', request.dnsNames[0] ?? request.ipAddresses[0] ?? 'webhook')]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [
    ...request.dnsNames.map((value) => ({ type: 2, value })),
    ...request.ipAddresses.map((ip) => ({ type: 7, ip })),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: request.keyPem };
}
