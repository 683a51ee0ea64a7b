// Certificates read from a directory: cert-manager's Secret mounted as a volume, or --cert-dir.
// Kubernetes updates a Secret volume by writing a new timestamped directory and swapping the `..data`
// symlink, so the files we opened never change in place. fs.watch on the directory sees the swap on
// Linux, but watch events are not guaranteed everywhere (network file systems, some container
// runtimes), so a periodic stat of the files, following the symlinks, catches what the watch misses.
// A cert and key that do not match (a swap seen half-way, a broken Secret) are logged and skipped:
// the last good pair keeps serving.
import { type FSWatcher, watch } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from '../lib/log.ts';
import { CertificateListeners, certificateChanged } from './listeners.ts';
import type { CertificateSource, ServingCertificate } from './source.ts';

export interface FileSourceOptions {
  dir: string;
  /** File names inside dir; the defaults are a kubernetes.io/tls Secret's keys. */
  certFile?: string;
  keyFile?: string;
  /** Read when present (cert-manager writes it); only reported, never required. */
  caFile?: string;
  pollIntervalMs?: number;
}

const DEFAULT_POLL_INTERVAL_MS = 10_000;
// A volume update is several file-system events in a burst; wait for it to settle before reading.
const SETTLE_MS = 100;

export class FileSource implements CertificateSource {
  readonly #dir: string;
  readonly #paths: { cert: string; key: string; ca: string };
  readonly #pollIntervalMs: number;
  readonly #log: Logger;
  readonly #listeners: CertificateListeners;
  #certificate: ServingCertificate | undefined;
  #filesSignature = '';
  #watcher: FSWatcher | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #settleTimer: NodeJS.Timeout | undefined;
  #reloading: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(options: FileSourceOptions, log: Logger) {
    this.#dir = options.dir;
    this.#paths = {
      cert: join(options.dir, options.certFile ?? 'tls.crt'),
      key: join(options.dir, options.keyFile ?? 'tls.key'),
      ca: join(options.dir, options.caFile ?? 'ca.crt'),
    };
    this.#pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.#log = log.child({ certDir: options.dir });
    this.#listeners = new CertificateListeners(log);
  }

  async start(): Promise<void> {
    this.#filesSignature = await this.#signature();
    this.#certificate = await readCertificateFiles(this.#paths);
    this.#log.info('Loaded serving certificate from files');
    this.#watchDirectory();
    this.#pollTimer = setInterval(() => void this.#pollOnce(), this.#pollIntervalMs);
    this.#pollTimer.unref();
  }

  current(): ServingCertificate {
    if (!this.#certificate) throw new Error('FileSource.current() called before start() resolved');
    return this.#certificate;
  }

  onChange(listener: (certificate: ServingCertificate) => void): () => void {
    return this.#listeners.add(listener);
  }

  stop(): Promise<void> {
    this.#stopped = true;
    this.#watcher?.close();
    clearInterval(this.#pollTimer);
    clearTimeout(this.#settleTimer);
    this.#listeners.clear();
    return this.#reloading;
  }

  #watchDirectory(): void {
    try {
      this.#watcher = watch(this.#dir, () => {
        clearTimeout(this.#settleTimer);
        this.#settleTimer = setTimeout(() => this.#reload(), SETTLE_MS);
      });
      this.#watcher.on('error', (err) => this.#log.warn({ err }, 'Stopped watching certificate directory'));
    } catch (err) {
      this.#log.warn({ err }, 'Could not watch certificate directory; polling only');
    }
  }

  async #pollOnce(): Promise<void> {
    const signature = await this.#signature().catch(() => '');
    if (signature !== this.#filesSignature) this.#reload();
  }

  /** Serialised, so a watch event and a poll tick never read at the same time. */
  #reload(): void {
    this.#reloading = this.#reloading.then(() => this.#reloadNow());
  }

  async #reloadNow(): Promise<void> {
    if (this.#stopped) return;
    try {
      const signature = await this.#signature();
      const certificate = await readCertificateFiles(this.#paths);
      this.#filesSignature = signature;
      if (this.#stopped || !certificateChanged(this.#certificate, certificate)) return;
      this.#certificate = certificate;
      this.#log.info('Reloaded serving certificate from files');
      this.#listeners.notify(certificate);
    } catch (err) {
      this.#log.warn({ err }, 'Kept the previous serving certificate; the files are not a usable pair');
    }
  }

  /** Inode, size and mtime of the files behind the symlinks: changes whenever a volume update lands. */
  async #signature(): Promise<string> {
    const parts = await Promise.all(
      [this.#paths.cert, this.#paths.key].map(async (path) => {
        const s = await stat(path);
        return `${s.ino}:${s.size}:${s.mtimeMs}`;
      }),
    );
    return parts.join('|');
  }
}

/** Reads cert, key and optional CA; throws unless the key belongs to the certificate. */
export async function readCertificateFiles(paths: {
  cert: string;
  key: string;
  ca: string;
}): Promise<ServingCertificate> {
  const [certPem, keyPem, caBundlePem] = await Promise.all([
    readFile(paths.cert, 'utf8'),
    readFile(paths.key, 'utf8'),
    readFile(paths.ca, 'utf8').catch(() => undefined),
  ]);
  if (!new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem))) {
    throw new Error(`${paths.key} does not belong to ${paths.cert}`);
  }
  return caBundlePem === undefined ? { certPem, keyPem } : { certPem, keyPem, caBundlePem };
}
