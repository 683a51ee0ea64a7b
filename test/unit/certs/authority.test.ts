import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import {
  type AuthorityConfig,
  type AuthorityState,
  advance,
  markBundlePublished,
  newAuthority,
  renewalDue,
  trustedCaBundle,
} from '../../../certs/authority.ts';
import { generateRsaKeyPem } from '../../../certs/issuer.ts';
import { reusedKeyPem } from '../../support/certificates.ts';

const DAY = 24 * 60 * 60 * 1000;
const START = new Date('2030-01-01T00:00:00Z');
const day = (n: number) => new Date(START.getTime() + n * DAY);

const config: AuthorityConfig = {
  dnsNames: ['mcp-webhook', 'mcp-webhook.ops', 'mcp-webhook.ops.svc', 'mcp-webhook.ops.svc.cluster.local'],
  ipAddresses: ['127.0.0.1'],
  caLifetimeMs: 30 * DAY,
  servingLifetimeMs: 9 * DAY,
  overlapMs: DAY,
  generateKeyPem: reusedKeyPem,
};

/** "ca@day20" for a CA issued on day 20 of the test clock (its CN carries the issue time). */
function caLabel(subjectOrIssuer: string): string {
  const seconds = Number(/mcp-operator-webhook-ca@(\d+)/.exec(subjectOrIssuer)?.[1]);
  return `ca@day${Math.round((seconds * 1000 - START.getTime()) / DAY)}`;
}

function trustedLabels(state: AuthorityState): string[] {
  const pems =
    trustedCaBundle(state).match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  return pems.map((pem) => caLabel(new X509Certificate(pem).subject));
}

interface Event {
  day: number;
  step: string;
  trusted: string[];
  servingSignedBy: string;
}

/** Runs the state machine once a day, as SelfManagedSource would, publishing whenever asked. */
function runDays(from: number, to: number): Event[] {
  let state: AuthorityState | undefined;
  const events: Event[] = [];
  for (let d = from; d <= to; d++) {
    for (
      let step = renewalDue(state, day(d), config);
      step.kind !== 'none';
      step = renewalDue(state, day(d), config)
    ) {
      state =
        step.kind === 'publish-bundle'
          ? markBundlePublished(state!, day(d))
          : advance(state, step, day(d), config);
      const servingSignedBy = caLabel(new X509Certificate(state.serving.certPem).issuer);
      events.push({ day: d, step: step.kind, trusted: trustedLabels(state), servingSignedBy });
    }
  }
  return events;
}

describe('certificate authority rotation', () => {
  it('renews the serving certificate at 2/3 of its life and rotates the CA with overlap on both sides', () => {
    expect(runDays(0, 28)).to.deep.equal([
      { day: 0, step: 'bootstrap', trusted: ['ca@day0'], servingSignedBy: 'ca@day0' },
      { day: 6, step: 'issue-serving', trusted: ['ca@day0'], servingSignedBy: 'ca@day0' },
      { day: 12, step: 'issue-serving', trusted: ['ca@day0'], servingSignedBy: 'ca@day0' },
      { day: 18, step: 'issue-serving', trusted: ['ca@day0'], servingSignedBy: 'ca@day0' },
      // the new CA is trusted first, and only then published...
      { day: 20, step: 'introduce-next-ca', trusted: ['ca@day0', 'ca@day20'], servingSignedBy: 'ca@day0' },
      { day: 20, step: 'publish-bundle', trusted: ['ca@day0', 'ca@day20'], servingSignedBy: 'ca@day0' },
      // ...a day later the serving certificate moves to it, the old CA still trusted...
      { day: 21, step: 'switch-to-next-ca', trusted: ['ca@day0', 'ca@day20'], servingSignedBy: 'ca@day20' },
      // ...and a day after that the old CA is dropped.
      { day: 22, step: 'drop-retired-ca', trusted: ['ca@day20'], servingSignedBy: 'ca@day20' },
      { day: 27, step: 'issue-serving', trusted: ['ca@day20'], servingSignedBy: 'ca@day20' },
    ]);
  });

  it('does not switch to the next CA until the bundle holding it was published', () => {
    const introduced = advance(newAuthority(day(0), config), { kind: 'introduce-next-ca' }, day(20), config);
    expect([
      renewalDue(introduced, day(20), config).kind,
      renewalDue(introduced, day(29), config).kind,
    ]).to.deep.equal(['publish-bundle', 'publish-bundle']);
  });

  it('waits the overlap after publication before switching', () => {
    const introduced = advance(newAuthority(day(19), config), { kind: 'introduce-next-ca' }, day(20), config);
    const published = markBundlePublished(introduced, day(20));
    const kinds = [day(20.5), day(21)].map((t) => renewalDue(published, t, config).kind);
    expect(kinds).to.deep.equal(['none', 'switch-to-next-ca']);
  });
});

describe('renewalDue', () => {
  const fresh = newAuthority(day(0), config);
  const cases: Record<
    string,
    { state: AuthorityState | undefined; now: Date; cfg?: AuthorityConfig; want: unknown }
  > = {
    'asks for a bootstrap when there is no state': {
      state: undefined,
      now: day(0),
      want: { kind: 'bootstrap', reason: 'no CA yet' },
    },
    'keeps a fresh state and says to look again when the serving certificate reaches 2/3 of its life': {
      state: fresh,
      now: day(1),
      want: {
        kind: 'none',
        recheckAt: new Date(day(0).getTime() - 5 * 60_000 + ((9 * DAY + 5 * 60_000) * 2) / 3),
      },
    },
    'bootstraps again once the CA has expired, since no overlap is possible': {
      state: fresh,
      now: day(31),
      want: { kind: 'bootstrap', reason: 'CA certificate expired' },
    },
    're-issues the serving certificate when the configured names change': {
      state: fresh,
      now: day(1),
      cfg: { ...config, dnsNames: ['other-webhook'] },
      want: { kind: 'issue-serving', reason: 'serving certificate names differ from the configured ones' },
    },
    're-issues a serving certificate that another CA signed': {
      // its own key: CAs sharing a key would verify each other's signatures
      state: {
        ...fresh,
        serving: newAuthority(day(0), { ...config, generateKeyPem: generateRsaKeyPem }).serving,
      },
      now: day(1),
      want: { kind: 'issue-serving', reason: 'serving certificate is not signed by the CA' },
    },
    'bootstraps when the stored CA is not a certificate': {
      state: { ...fresh, ca: { certPem: 'garbage', keyPem: fresh.ca.keyPem } },
      now: day(1),
      want: { kind: 'bootstrap', reason: 'CA certificate or key is unreadable' },
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(renewalDue(c.state, c.now, c.cfg ?? config)).to.deep.equal(c.want));
  }
});

describe('newAuthority certificates', () => {
  const state = newAuthority(day(0), config);
  const ca = new X509Certificate(state.ca.certPem);
  const serving = new X509Certificate(state.serving.certPem);

  it('makes a CA that signed the serving certificate', () => {
    expect({
      caIsCa: ca.ca,
      servingIsCa: serving.ca,
      issued: serving.checkIssued(ca),
      verified: serving.verify(ca.publicKey),
    }).to.deep.equal({ caIsCa: true, servingIsCa: false, issued: true, verified: true });
  });

  it('names every Service name and the loopback address, for server authentication only', () => {
    expect({ sans: serving.subjectAltName, eku: serving.keyUsage }).to.deep.equal({
      sans: 'DNS:mcp-webhook, DNS:mcp-webhook.ops, DNS:mcp-webhook.ops.svc, DNS:mcp-webhook.ops.svc.cluster.local, IP Address:127.0.0.1',
      eku: ['1.3.6.1.5.5.7.3.1'],
    });
  });

  it('starts both certificates five minutes early and ends them after their lifetimes', () => {
    const validity = (c: X509Certificate) => [c.validFromDate.toISOString(), c.validToDate.toISOString()];
    expect({ ca: validity(ca), serving: validity(serving) }).to.deep.equal({
      ca: ['2029-12-31T23:55:00.000Z', '2030-01-31T00:00:00.000Z'],
      serving: ['2029-12-31T23:55:00.000Z', '2030-01-10T00:00:00.000Z'],
    });
  });

  it('never lets the serving certificate outlive its CA', () => {
    const late = advance(state, { kind: 'issue-serving', reason: 'test' }, day(25), config);
    expect(new X509Certificate(late.serving.certPem).validToDate).to.deep.equal(ca.validToDate);
  });
});
