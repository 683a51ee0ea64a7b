// The webhook's certificate authority as a pure state machine: renewalDue() looks at the state and the
// clock and names the one step to take; advance() takes it. No I/O: certs/self-managed-source.ts stores
// the state in a Secret, publishes the CA bundle and calls these functions; certs/issuer.ts signs.
//
// Lifetimes. The serving certificate lives 90 days (cert-manager's default) and is renewed at two
// thirds of its lifetime. The CA lives 2 years, not the 10 that hand-made webhook CAs often get: its
// key sits in a Secret, and a rotation that runs every ~16 months keeps being exercised, while one
// that runs once a decade breaks unnoticed. The CA only signs this webhook's certificate and the API
// server trusts it only for our two webhook configurations, so even a stolen key is contained.
//
// CA rotation, one step per decision, each step persisted by the caller before the next is decided:
//   1. steady     trusted = [ca]; the serving certificate is signed by ca
//   2. introduce  ca reached 2/3 of its life: a next CA is created; trusted = [ca, next]  'introduce-next-ca'
//   3. publish    the caller writes trusted into both webhook configurations' caBundle, then
//                 records that with markBundlePublished()                                'publish-bundle'
//   4. wait       OVERLAP after publication, so every API server has reloaded the configurations
//   5. switch     next becomes the signing CA and the serving certificate is re-issued from it; the
//                 old CA is kept as retired, trusted = [old, new], so replicas still serving the old
//                 certificate stay trusted until they re-read the Secret                 'switch-to-next-ca'
//   6. drop       OVERLAP after the switch: trusted = [new], back to 1                    'drop-retired-ca'
// A CA that is missing, unreadable or expired cannot be rotated with overlap: the state is rebuilt
// ('bootstrap') and admission fails until the new bundle is published, a matter of seconds.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { type CertificatePair, issueCa, issueServing } from './issuer.ts';

/** Everything the authority remembers between decisions. */
export interface AuthorityState {
  /** Signs the serving certificate. */
  ca: CertificatePair;
  serving: CertificatePair;
  /** A CA being introduced (step 2); publishedAt is set once a bundle holding it was published (step 3). */
  next?: { ca: CertificatePair; publishedAt?: Date };
  /** The previous CA, still trusted for OVERLAP after the switch (step 5). */
  retired?: { certPem: string; retiredAt: Date };
}

export interface AuthorityConfig {
  /** DNS names the serving certificate must carry: the webhook Service's names. */
  dnsNames: readonly string[];
  /** IP addresses it must carry: 127.0.0.1 when the API server calls a local process. */
  ipAddresses: readonly string[];
  caLifetimeMs: number;
  servingLifetimeMs: number;
  /** How long each of steps 4 and 6 lasts. */
  overlapMs: number;
  /** Returns a fresh RSA private key in PEM; injected so tests can reuse one key. */
  generateKeyPem: () => string;
}

export type RenewalStep =
  | { kind: 'none'; recheckAt: Date }
  | { kind: 'bootstrap'; reason: string }
  | { kind: 'issue-serving'; reason: string }
  | { kind: 'introduce-next-ca' }
  | { kind: 'publish-bundle' }
  | { kind: 'switch-to-next-ca' }
  | { kind: 'drop-retired-ca' };

const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_LIFETIMES = {
  caLifetimeMs: 730 * DAY_MS,
  servingLifetimeMs: 90 * DAY_MS,
  // A day is far longer than an API server takes to reload a webhook configuration (seconds) or a
  // replica takes to re-read the Secret (minutes), and far shorter than the ~8 months left on the old CA.
  overlapMs: DAY_MS,
} as const;

// Renew at two thirds of the lifetime, not just before expiry: a pod paused or rescheduled across
// the renewal moment must still have time to renew before the API server rejects the certificate.
const RENEW_AT_FRACTION = 2 / 3;

/** The moment a certificate should be replaced: two thirds into its validity. */
export function renewalTime(certPem: string): Date {
  const cert = new X509Certificate(certPem);
  const from = cert.validFromDate.getTime();
  return new Date(from + (cert.validToDate.getTime() - from) * RENEW_AT_FRACTION);
}

/** The PEM bundle the API server must trust, oldest CA first, so the switch (step 5) leaves it unchanged. */
export function trustedCaBundle(state: AuthorityState): string {
  const pems = [state.retired?.certPem, state.ca.certPem, state.next?.ca.certPem].filter(
    (p) => p !== undefined,
  );
  return pems.map((pem) => (pem.endsWith('\n') ? pem : `${pem}\n`)).join('');
}

/** Records that trustedCaBundle(state) reached both webhook configurations (end of step 3). */
export function markBundlePublished(state: AuthorityState, now: Date): AuthorityState {
  if (!state.next || state.next.publishedAt) return state;
  return { ...state, next: { ...state.next, publishedAt: now } };
}

/** The one step to take now; 'none' says when to look again. */
export function renewalDue(
  state: AuthorityState | undefined,
  now: Date,
  config: AuthorityConfig,
): RenewalStep {
  if (!state) return { kind: 'bootstrap', reason: 'no CA yet' };
  const caProblem = unusableCa(state.ca, now);
  if (caProblem) return { kind: 'bootstrap', reason: caProblem };
  const rotation = rotationStep(state, now, config);
  if (rotation) return rotation;
  const servingProblem = unusableServing(state, now, config);
  if (servingProblem) return { kind: 'issue-serving', reason: servingProblem };
  return { kind: 'none', recheckAt: nextDecisionTime(state, config) };
}

function rotationStep(state: AuthorityState, now: Date, config: AuthorityConfig): RenewalStep | undefined {
  if (state.retired && now.getTime() >= state.retired.retiredAt.getTime() + config.overlapMs) {
    return { kind: 'drop-retired-ca' };
  }
  if (state.next && !state.next.publishedAt) return { kind: 'publish-bundle' };
  if (state.next?.publishedAt && now.getTime() >= state.next.publishedAt.getTime() + config.overlapMs) {
    return { kind: 'switch-to-next-ca' };
  }
  if (!state.next && !state.retired && now >= renewalTime(state.ca.certPem))
    return { kind: 'introduce-next-ca' };
  return undefined;
}

function nextDecisionTime(state: AuthorityState, config: AuthorityConfig): Date {
  const times = [renewalTime(state.serving.certPem).getTime(), renewalTime(state.ca.certPem).getTime()];
  if (state.retired) times.push(state.retired.retiredAt.getTime() + config.overlapMs);
  if (state.next?.publishedAt) times.push(state.next.publishedAt.getTime() + config.overlapMs);
  return new Date(Math.min(...times));
}

/** Takes one step; 'none' and 'publish-bundle' leave the state as it is (publishing is the caller's I/O). */
export function advance(
  state: AuthorityState | undefined,
  step: RenewalStep,
  now: Date,
  config: AuthorityConfig,
): AuthorityState {
  if (step.kind === 'bootstrap' || !state) return newAuthority(now, config);
  switch (step.kind) {
    case 'issue-serving':
      return { ...state, serving: issueServing(state.ca, now, servingRequest(config)) };
    case 'introduce-next-ca':
      return { ...state, next: { ca: issueCa(now, config.caLifetimeMs, config.generateKeyPem()) } };
    case 'switch-to-next-ca':
      return switchToNextCa(state, now, config);
    case 'drop-retired-ca':
      return { ca: state.ca, serving: state.serving, ...(state.next ? { next: state.next } : {}) };
    default:
      return state;
  }
}

function switchToNextCa(state: AuthorityState, now: Date, config: AuthorityConfig): AuthorityState {
  if (!state.next) return state;
  const ca = state.next.ca;
  return {
    ca,
    serving: issueServing(ca, now, servingRequest(config)),
    retired: { certPem: state.ca.certPem, retiredAt: now },
  };
}

/** A brand-new state: a CA and a serving certificate it signed. */
export function newAuthority(now: Date, config: AuthorityConfig): AuthorityState {
  const ca = issueCa(now, config.caLifetimeMs, config.generateKeyPem());
  return { ca, serving: issueServing(ca, now, servingRequest(config)) };
}

function servingRequest(config: AuthorityConfig) {
  return {
    dnsNames: config.dnsNames,
    ipAddresses: config.ipAddresses,
    lifetimeMs: config.servingLifetimeMs,
    keyPem: config.generateKeyPem(),
  };
}

/** Why the CA cannot sign any more, or undefined when it can. */
function unusableCa(ca: CertificatePair, now: Date): string | undefined {
  try {
    const cert = new X509Certificate(ca.certPem);
    if (!cert.ca) return 'CA certificate is not a CA';
    if (!cert.checkPrivateKey(createPrivateKey(ca.keyPem))) return 'CA key does not match its certificate';
    if (now >= cert.validToDate) return 'CA certificate expired';
    return undefined;
  } catch {
    return 'CA certificate or key is unreadable';
  }
}

/** Why the serving certificate cannot be kept, or undefined when it can. */
function unusableServing(state: AuthorityState, now: Date, config: AuthorityConfig): string | undefined {
  try {
    const serving = new X509Certificate(state.serving.certPem);
    const ca = new X509Certificate(state.ca.certPem);
    if (!serving.checkIssued(ca) || !serving.verify(ca.publicKey))
      return 'serving certificate is not signed by the CA';
    if (!serving.checkPrivateKey(createPrivateKey(state.serving.keyPem))) return 'serving key does not match';
    if (!carriesExactly(serving, config)) return 'serving certificate names differ from the configured ones';
    if (now >= renewalTime(state.serving.certPem)) return 'serving certificate reached its renewal time';
    return undefined;
  } catch {
    return 'serving certificate or key is unreadable';
  }
}

function carriesExactly(cert: X509Certificate, config: AuthorityConfig): boolean {
  const want = [
    ...config.dnsNames.map((n) => `DNS:${n}`),
    ...config.ipAddresses.map((ip) => `IP Address:${ip}`),
  ];
  const have = (cert.subjectAltName ?? '').split(', ').filter((s) => s !== '');
  return want.length === have.length && want.every((name) => have.includes(name));
}
