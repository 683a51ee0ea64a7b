// The onChange() bookkeeping every CertificateSource shares: a list of listeners, each called in
// turn, one that throws logged rather than allowed to stop the others.
import type { Logger } from '../lib/log.ts';
import type { ServingCertificate } from './source.ts';

export type CertificateListener = (certificate: ServingCertificate) => void;

export class CertificateListeners {
  readonly #listeners: CertificateListener[] = [];
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  add(listener: CertificateListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const index = this.#listeners.indexOf(listener);
      if (index >= 0) this.#listeners.splice(index, 1);
    };
  }

  notify(certificate: ServingCertificate): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(certificate);
      } catch (err) {
        this.#log.error({ err }, 'Certificate change listener failed');
      }
    }
  }

  clear(): void {
    this.#listeners.length = 0;
  }
}

/** True when a and b would make a TLS server present something different. */
export function certificateChanged(a: ServingCertificate | undefined, b: ServingCertificate): boolean {
  return !a || a.certPem !== b.certPem || a.keyPem !== b.keyPem || a.caBundlePem !== b.caBundlePem;
}
