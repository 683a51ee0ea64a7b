import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { expect } from 'chai';
import { createControlPlanePki, type ControlPlanePki } from '../../../controlplane/pki.ts';

describe('createControlPlanePki', () => {
  let pki: ControlPlanePki;
  let ca: X509Certificate;
  before(() => {
    pki = createControlPlanePki();
    ca = new X509Certificate(pki.ca.certPem);
  });

  it('makes a self-signed CA', () => {
    expect(ca.ca).to.equal(true);
    expect(ca.verify(ca.publicKey)).to.equal(true);
  });

  const leaves: Record<string, { pick: (p: ControlPlanePki) => string; subject: string }> = {
    'the API server certificate': { pick: (p) => p.apiserver.certPem, subject: 'CN=kube-apiserver' },
    'the admin certificate, in group system:masters': {
      pick: (p) => p.admin.certPem,
      subject: 'CN=mcp-operator-admin\nO=system:masters',
    },
    'the controller-manager certificate': {
      pick: (p) => p.controllerManager.certPem,
      subject: 'CN=system:kube-controller-manager',
    },
    'the scheduler certificate': { pick: (p) => p.scheduler.certPem, subject: 'CN=system:kube-scheduler' },
  };
  for (const [name, c] of Object.entries(leaves)) {
    it(`signs ${name} with the CA`, () => {
      const cert = new X509Certificate(c.pick(pki));
      expect(cert.subject).to.equal(c.subject);
      expect(cert.ca).to.equal(false);
      expect(cert.checkIssued(ca)).to.equal(true);
      expect(cert.verify(ca.publicKey)).to.equal(true);
    });
  }

  it('names loopback and the kubernetes Service in the API server certificate', () => {
    const cert = new X509Certificate(pki.apiserver.certPem);
    expect(cert.checkIP('127.0.0.1')).to.equal('127.0.0.1');
    expect(cert.checkHost('localhost')).to.equal('localhost');
    expect(cert.checkHost('kubernetes.default.svc.cluster.local')).to.equal(
      'kubernetes.default.svc.cluster.local',
    );
    expect(cert.checkHost('example.com')).to.equal(undefined);
  });

  it('pairs each certificate with its own private key', () => {
    const cert = new X509Certificate(pki.admin.certPem);
    expect(cert.checkPrivateKey(createPrivateKey(pki.admin.keyPem))).to.equal(true);
    expect(cert.checkPrivateKey(createPrivateKey(pki.scheduler.keyPem))).to.equal(false);
  });

  it('gives the service-account signer a public key that matches its private key', () => {
    const fromPrivate = createPublicKey(pki.serviceAccount.keyPem).export({ type: 'spki', format: 'pem' });
    expect(fromPrivate).to.equal(pki.serviceAccount.publicKeyPem);
  });
});
