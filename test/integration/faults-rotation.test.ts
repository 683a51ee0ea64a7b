// Certificate rotation under steady admission load (issue 7, faults): the webhook with self-managed
// certificates (certs/self-managed-source.ts: the CA in a Secret, its bundle published into both webhook
// configurations) and lifetimes shortened through its AuthorityConfig, so that within a minute its
// serving certificate is renewed and its CA is rotated with overlap (introduce B and publish [A, B],
// switch to B, retire A: [B]), while the API server keeps calling it several times a second. Every
// request must be answered by the webhooks: zero failed admissions.
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { BACKDATE_MS, generateRsaKeyPem } from '../../certs/issuer.ts';
import { secretAuthorityStore, webhookCaBundlePublisher } from '../../certs/kubernetes-store.ts';
import { SelfManagedSource } from '../../certs/self-managed-source.ts';
import { serviceDnsNames } from '../../lib/service-names.ts';
import { silentLogger } from '../../lib/log.ts';
import { webhookConfigurationNames } from '../../webhook/configuration.ts';
import { type AdmissionOutcome, latencies, startAdmissionLoad, summarize } from './admission-load.ts';
import { adminKubeConfig, controlPlane, eventually, installCrd } from './harness.ts';
import { type LocalWebhook, startLocalWebhook } from './local-webhook.ts';

const OPERATOR_NS = 'mcp-operator-system';
const NAME = 'faults-rotation';
const TEST_NS = `faults-rotation-${process.pid}`;
const LOAD_PER_SECOND = 8;

/**
 * The lifetime whose certificate is renewed `ms` after it is issued: issuer.ts backdates notBefore by
 * BACKDATE_MS and authority.ts renews at two thirds of notBefore..notAfter, so renewal comes
 * (2 * lifetime - BACKDATE_MS) / 3 after issue.
 */
const lifetimeRenewedAfter = (ms: number): number => (3 * ms + BACKDATE_MS) / 2;
const LIFETIMES = {
  caLifetimeMs: lifetimeRenewedAfter(20_000), // CA rotation starts 20 s in...
  servingLifetimeMs: lifetimeRenewedAfter(8_000), // ...the serving certificate is renewed every 8 s...
  overlapMs: 5_000, // ...and each overlap (publish..switch, switch..retire) lasts 5 s.
};

/** Records each new value a probe returns, with when it was first seen. */
class Sampler {
  readonly seen: { value: string; at: number }[] = [];
  readonly #timer: NodeJS.Timeout;
  constructor(probe: () => Promise<string>, everyMs: number) {
    this.#timer = setInterval(() => {
      probe().then(
        (value) => {
          if (this.seen.at(-1)?.value !== value) this.seen.push({ value, at: Date.now() });
        },
        () => undefined, // a probe that fails now and then (a handshake during a restart) is not a finding
      );
    }, everyMs);
  }
  values(): string[] {
    return this.seen.map((s) => s.value);
  }
  stop(): void {
    clearInterval(this.#timer);
  }
}

/** Names certificates by their order of appearance (A, B, C...), so histories read as rotations. */
class Letters {
  readonly #byFingerprint = new Map<string, string>();
  of(cert: X509Certificate): string {
    const known = this.#byFingerprint.get(cert.fingerprint256);
    if (known) return known;
    const letter = String.fromCharCode(65 + this.#byFingerprint.size);
    this.#byFingerprint.set(cert.fingerprint256, letter);
    return letter;
  }
}

const certificatesIn = (bundlePem: string): X509Certificate[] =>
  (bundlePem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map(
    (pem) => new X509Certificate(pem),
  );

/** The certificate the webhook presents on a new TLS connection. */
function servedCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.destroy();
      if (cert) resolve(cert);
      else reject(new Error('no peer certificate'));
    });
    socket.on('error', reject);
    socket.setTimeout(3000, () => socket.destroy(new Error('TLS probe timed out')));
  });
}

describe('certificate rotation under steady admission load', function () {
  this.timeout(150_000);
  const log = silentLogger();
  let core: k8s.CoreV1Api;
  let admission: k8s.AdmissionregistrationV1Api;
  let webhook: LocalWebhook | undefined;
  let bundles: Sampler;
  let served: Sampler;
  let outcomes: AdmissionOutcome[] = [];
  const cas = new Letters();
  const servingCerts = new Letters();

  const validatingBundle = async (): Promise<string> => {
    const config = await admission.readValidatingWebhookConfiguration({
      name: webhookConfigurationNames(NAME).validating,
    });
    return Buffer.from(config.webhooks?.[0]?.clientConfig.caBundle ?? '', 'base64').toString();
  };
  /** "A" or "A+B": the CAs in the published bundle. */
  const bundleLetters = async (): Promise<string> =>
    certificatesIn(await validatingBundle())
      .map((c) => cas.of(c))
      .join('+');

  before(async () => {
    const kc = adminKubeConfig();
    core = kc.makeApiClient(k8s.CoreV1Api);
    admission = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
    await installCrd();
    for (const ns of [OPERATOR_NS, TEST_NS])
      await core.createNamespace({ body: { metadata: { name: ns } } }).catch(() => undefined);
    // A Secret left by an aborted run would hold a CA from another time; start from none.
    await core
      .deleteNamespacedSecret({ name: `${NAME}-webhook-tls`, namespace: OPERATOR_NS })
      .catch(() => undefined);
    const certificates = new SelfManagedSource(
      {
        store: secretAuthorityStore(core, OPERATOR_NS, `${NAME}-webhook-tls`),
        publisher: webhookCaBundlePublisher(admission, webhookConfigurationNames(NAME), log),
        config: {
          dnsNames: serviceDnsNames(`${NAME}-webhook`, OPERATOR_NS),
          ipAddresses: ['127.0.0.1'], // the API server calls this in-process webhook on loopback
          ...LIFETIMES,
          generateKeyPem: generateRsaKeyPem,
        },
      },
      log,
    );
    webhook = await startLocalWebhook(NAME, { certificates });
    const port = webhook.port;
    bundles = new Sampler(bundleLetters, 200);
    served = new Sampler(async () => {
      const cert = await servedCertificate(port);
      return `${cert.issuer.split('\n').find((l) => l.startsWith('CN=')) ?? '?'}/${servingCerts.of(cert)}`;
    }, 250);
    const trustFrom = Date.now();
    await eventually('the API server to trust the published CA', async () => {
      const probe = startAdmissionLoad({
        server: controlPlane().server,
        tls: controlPlane().adminTls,
        namespace: TEST_NS,
        perSecond: 4,
      });
      await new Promise((r) => setTimeout(r, 600));
      const { counts } = summarize(await probe.stop());
      return counts.failed === 0 && counts.admitted > 0 && counts.denied > 0 ? true : undefined;
    });

    process.stdout.write(
      `      admission answered ${((Date.now() - trustFrom) / 1000).toFixed(1)} s after the webhook started\n`,
    );
    const load = startAdmissionLoad({
      server: controlPlane().server,
      tls: controlPlane().adminTls,
      namespace: TEST_NS,
      perSecond: LOAD_PER_SECOND,
    });
    // Until the first CA has been retired and the serving certificate has changed twice under load.
    const servedBeforeLoad = served.seen.length;
    await eventually(
      'a CA rotation (A, then A+B, then B) and two serving certificate changes under load',
      () => {
        const history = bundles.values().join(' → ');
        if (history.includes('A → A+B → B') && served.seen.length - servedBeforeLoad >= 2)
          return Promise.resolve(true);
        return Promise.reject(new Error(`bundles ${history}; served ${served.values().join(', ')}`));
      },
      90_000,
    );
    await new Promise((r) => setTimeout(r, 2_000)); // a little load after the last change, too
    outcomes = await load.stop();
    bundles.stop();
    served.stop();
  });

  after(async () => {
    bundles?.stop();
    served?.stop();
    await webhook?.remove();
    await core
      ?.deleteNamespacedSecret({ name: `${NAME}-webhook-tls`, namespace: OPERATOR_NS })
      .catch(() => undefined);
    await core?.deleteNamespace({ name: TEST_NS }).catch(() => undefined);
  });

  it('rotated the CA with an overlap: the bundle went A, A+B, then B, in both configurations', async () => {
    expect(bundles.values().join(' → ')).to.contain('A → A+B → B');
    const mutating = await admission.readMutatingWebhookConfiguration({
      name: webhookConfigurationNames(NAME).mutating,
    });
    expect(mutating.webhooks?.[0]?.clientConfig.caBundle).to.equal(
      Buffer.from(await validatingBundle()).toString('base64'),
    );
  });

  it('served a renewed certificate from the same CA, then one from the new CA', () => {
    const history = served.values();
    const issuers = history.map((h) => h.split('/')[0]);
    const renewals = history.filter((h, i) => i > 0 && issuers[i] === issuers[i - 1]);
    const switches = history.filter((h, i) => i > 0 && issuers[i] !== issuers[i - 1]);
    expect(renewals, history.join(', ')).to.not.be.empty;
    expect(switches, history.join(', ')).to.not.be.empty;
  });

  it('answered every admission request during the rotation: zero failed', () => {
    const { counts, failures } = summarize(outcomes);
    const introduced = bundles.seen.find((s) => s.value === 'A+B')!.at;
    const retired = bundles.seen.find((s, i) => s.value === 'B' && bundles.seen[i - 1]?.value === 'A+B')!.at;
    process.stdout.write(
      `      ${outcomes.length} requests (${counts.admitted} admitted, ${counts.denied} denied, ` +
        `${counts.failed} failed) over ${((outcomes.at(-1)!.sentAt - outcomes[0]!.sentAt) / 1000).toFixed(1)} s; ` +
        `bundle ${bundles.values().join(' → ')}; served ${served.values().length} certificates; ` +
        `latency p50 ${latencies(outcomes).p50} ms, p99 ${latencies(outcomes).p99} ms\n`,
    );
    expect(outcomes[0]!.sentAt, 'load started before the new CA was published').to.be.below(introduced);
    expect(outcomes.at(-1)!.sentAt, 'load ran past the retirement of the old CA').to.be.above(retired);
    expect(Object.fromEntries(failures), 'failed admissions').to.deep.equal({});
    expect(counts.admitted).to.be.greaterThan(50);
    expect(counts.denied).to.be.greaterThan(50);
  });
});
