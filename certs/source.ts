// Where the webhook server gets its serving certificate. One interface, three implementations, one
// per file so each stays small:
//   certs/self-managed-source.ts  the default in a cluster: our own CA, kept in a Secret, rotated on schedule,
//                                 its bundle written into the webhook configurations' caBundle
//   certs/file-source.ts          cert-manager (a mounted Secret) and --cert-dir: files reloaded when they change
//   certs/memory-source.ts        local development and tests: generated at start, CA written to a file
// The server (webhook/server.ts) only reads current() and listens to onChange(); it never knows which.

/** What a TLS server needs to present, plus the CA bundle clients should trust when we know it. */
export interface ServingCertificate {
  certPem: string;
  keyPem: string;
  /** PEM of the CA(s) that clients must trust; undefined when the source does not know (e.g. cert-manager). */
  caBundlePem?: string;
}

/**
 * A supply of serving certificates that may change while the process runs.
 *
 * - `start()` loads (or creates) the first certificate and starts whatever keeps it fresh. It resolves
 *   once `current()` can be called and rejects when no usable certificate could be obtained; it is
 *   called once.
 * - `current()` may be called only after `start()` resolved and before `stop()`; it never does I/O and
 *   never throws then, so a TLS handshake can call it. Before `start()` resolved it throws.
 * - `onChange(listener)` calls the listener after `current()` started returning a different
 *   certificate, with that certificate, once per change and never for an unchanged one. Listeners are
 *   called one at a time, in registration order; a listener that throws is logged, not propagated.
 *   It returns a function that removes the listener.
 * - `stop()` ends timers and watches; idempotent; no listener is called after it resolved.
 */
export interface CertificateSource {
  start(): Promise<void>;
  current(): ServingCertificate;
  onChange(listener: (certificate: ServingCertificate) => void): () => void;
  stop(): Promise<void>;
}
