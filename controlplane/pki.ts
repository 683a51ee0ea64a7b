// The control plane's PKI: one CA that signs the API server's serving certificate and every client
// certificate (admin, controller-manager, scheduler), plus the service-account signing key pair.
// Keys come from Node's native generator: node-forge's JavaScript RSA keygen takes seconds per key,
// which would dominate a warm start. node-forge only builds and signs the certificates.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface KeyPair {
  keyPem: string;
  certPem: string;
}

export interface ControlPlanePki {
  ca: KeyPair;
  apiserver: KeyPair;
  admin: KeyPair;
  controllerManager: KeyPair;
  scheduler: KeyPair;
  serviceAccount: { keyPem: string; publicKeyPem: string };
}

export interface CertRequest {
  commonName: string;
  organization?: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  isCA?: boolean;
  usage: 'server' | 'client' | 'ca';
}

// A local cluster lives for hours; a year is long enough that no test ever sees an expiry.
const VALIDITY_DAYS = 365;

function rsaKey(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function extensionsFor(req: CertRequest): object[] {
  if (req.usage === 'ca') {
    return [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ];
  }
  const altNames = [
    ...(req.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(req.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  return [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: req.usage === 'server', clientAuth: req.usage === 'client' },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
  ];
}

export function issue(req: CertRequest, issuer?: KeyPair): KeyPair {
  const key = rsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicPem);
  // Positive serial: a leading 0x00..0x7f byte keeps the DER integer non-negative.
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60_000); // tolerate small clock skew between processes
  cert.validity.notAfter = new Date(now + VALIDITY_DAYS * 86_400_000);
  // UTF8String, as Go writes it: forge's default PrintableString cannot hold every character.
  const utf8 = forge.asn1.Type.UTF8 as number;
  const subject = [{ name: 'commonName', value: req.commonName, valueTagClass: utf8 }];
  if (req.organization)
    subject.push({ name: 'organizationName', value: req.organization, valueTagClass: utf8 });
  cert.setSubject(subject);
  cert.setIssuer(issuer ? forge.pki.certificateFromPem(issuer.certPem).subject.attributes : subject);
  cert.setExtensions(extensionsFor(req));
  const signingKey = forge.pki.privateKeyFromPem(issuer ? issuer.keyPem : key.privatePem);
  cert.sign(signingKey, forge.md.sha256.create());
  return { keyPem: key.privatePem, certPem: forge.pki.certificateToPem(cert) };
}

export interface PkiOptions {
  /** More addresses the API server answers on (a real node's IP, the `kubernetes` Service's IP). */
  apiserverIps?: string[];
}

export function createControlPlanePki(options: PkiOptions = {}): ControlPlanePki {
  const ca = issue({ commonName: 'mcp-operator-local-ca', usage: 'ca' });
  const apiserver = issue(
    {
      commonName: 'kube-apiserver',
      usage: 'server',
      dnsNames: [
        'localhost',
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        'kubernetes.default.svc.cluster.local',
      ],
      ipAddresses: ['127.0.0.1', ...(options.apiserverIps ?? [])],
    },
    ca,
  );
  // system:masters bypasses RBAC, as kubeadm's admin.conf does; the components get their own
  // identities so that the bootstrap RBAC roles are really exercised.
  const admin = issue(
    { commonName: 'mcp-operator-admin', organization: 'system:masters', usage: 'client' },
    ca,
  );
  const controllerManager = issue({ commonName: 'system:kube-controller-manager', usage: 'client' }, ca);
  const scheduler = issue({ commonName: 'system:kube-scheduler', usage: 'client' }, ca);
  const sa = rsaKey();
  return {
    ca,
    apiserver,
    admin,
    controllerManager,
    scheduler,
    serviceAccount: { keyPem: sa.privatePem, publicKeyPem: sa.publicPem },
  };
}
