// Certificates held in memory, for local development and tests. createLocalDevSource() makes a CA and
// a serving certificate for loopback at start and writes the CA to a file, which the local API server's
// webhook `url` client config (or a test's HTTPS client) trusts. There is no rotation: a development
// process lives hours and the certificate 90 days; restart it and a new CA is made. replace() lets a
// test swap the certificate to check that the server picks it up without restart.
import { writeFile } from 'node:fs/promises';
import type { Logger } from '../lib/log.ts';
import { DEFAULT_LIFETIMES, newAuthority, trustedCaBundle } from './authority.ts';
import { generateRsaKeyPem } from './issuer.ts';
import { CertificateListeners, certificateChanged } from './listeners.ts';
import type { CertificateSource, ServingCertificate } from './source.ts';

export class InMemorySource implements CertificateSource {
  #certificate: ServingCertificate;
  readonly #listeners: CertificateListeners;

  constructor(certificate: ServingCertificate, log: Logger) {
    this.#certificate = certificate;
    this.#listeners = new CertificateListeners(log);
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  current(): ServingCertificate {
    return this.#certificate;
  }

  onChange(listener: (certificate: ServingCertificate) => void): () => void {
    return this.#listeners.add(listener);
  }

  /** Serves a different certificate from now on, telling the listeners. */
  replace(certificate: ServingCertificate): void {
    if (!certificateChanged(this.#certificate, certificate)) return;
    this.#certificate = certificate;
    this.#listeners.notify(certificate);
  }

  stop(): Promise<void> {
    this.#listeners.clear();
    return Promise.resolve();
  }
}

export interface LocalDevOptions {
  /** Where to write the CA certificate (PEM) for the API server and clients to trust. */
  caFile: string;
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  now?: Date;
}

/** A fresh CA and loopback serving certificate, the CA written to options.caFile. */
export async function createLocalDevSource(options: LocalDevOptions, log: Logger): Promise<InMemorySource> {
  const state = newAuthority(options.now ?? new Date(), {
    dnsNames: options.dnsNames ?? ['localhost'],
    ipAddresses: options.ipAddresses ?? ['127.0.0.1'],
    ...DEFAULT_LIFETIMES,
    generateKeyPem: generateRsaKeyPem,
  });
  const caBundlePem = trustedCaBundle(state);
  await writeFile(options.caFile, caBundlePem, { mode: 0o644 });
  log.info({ caFile: options.caFile }, 'Wrote local webhook CA');
  return new InMemorySource({ ...state.serving, caBundlePem }, log);
}
