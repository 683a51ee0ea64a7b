// How an AuthorityState is laid out in the `<name>-webhook-tls` Secret, both ways, pure. tls.crt/tls.key
// are the serving pair and ca.crt is the bundle clients must trust (the keys cert-manager uses), which
// lets the Secret also be mounted like any TLS Secret.
// The rest is the authority's memory: the signing CA's key, a CA being introduced and when its bundle
// was published, and a retired CA and when it was retired (see certs/authority.ts for the sequence).
import { type AuthorityState, trustedCaBundle } from './authority.ts';

const KEYS = {
  servingCert: 'tls.crt',
  servingKey: 'tls.key',
  trustedBundle: 'ca.crt',
  caCert: 'signing-ca.crt',
  caKey: 'signing-ca.key',
  nextCaCert: 'next-ca.crt',
  nextCaKey: 'next-ca.key',
  nextCaPublishedAt: 'next-ca.published-at',
  retiredCaCert: 'retired-ca.crt',
  retiredCaRetiredAt: 'retired-ca.retired-at',
} as const;

/** The Secret's `data` (base64 values) for state. */
export function authorityToSecretData(state: AuthorityState): Record<string, string> {
  const text: Record<string, string | undefined> = {
    [KEYS.servingCert]: state.serving.certPem,
    [KEYS.servingKey]: state.serving.keyPem,
    [KEYS.trustedBundle]: trustedCaBundle(state),
    [KEYS.caCert]: state.ca.certPem,
    [KEYS.caKey]: state.ca.keyPem,
    [KEYS.nextCaCert]: state.next?.ca.certPem,
    [KEYS.nextCaKey]: state.next?.ca.keyPem,
    [KEYS.nextCaPublishedAt]: state.next?.publishedAt?.toISOString(),
    [KEYS.retiredCaCert]: state.retired?.certPem,
    [KEYS.retiredCaRetiredAt]: state.retired?.retiredAt.toISOString(),
  };
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(text)) {
    if (value !== undefined) data[key] = Buffer.from(value, 'utf8').toString('base64');
  }
  return data;
}

/** The state kept in a Secret's `data`, or undefined when a required key is missing or a date is bad. */
export function authorityFromSecretData(
  data: Record<string, string> | undefined,
): AuthorityState | undefined {
  const read = (key: string): string | undefined => {
    const value = data?.[key];
    return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
  };
  const [caCert, caKey, servingCert, servingKey] = [
    KEYS.caCert,
    KEYS.caKey,
    KEYS.servingCert,
    KEYS.servingKey,
  ].map(read);
  if (!caCert || !caKey || !servingCert || !servingKey) return undefined;
  const state: AuthorityState = {
    ca: { certPem: caCert, keyPem: caKey },
    serving: { certPem: servingCert, keyPem: servingKey },
  };
  const [nextCert, nextKey, publishedAt] = [KEYS.nextCaCert, KEYS.nextCaKey, KEYS.nextCaPublishedAt].map(
    read,
  );
  if (nextCert && nextKey) {
    const published = parseDate(publishedAt);
    state.next = {
      ca: { certPem: nextCert, keyPem: nextKey },
      ...(published ? { publishedAt: published } : {}),
    };
  }
  const [retiredCert, retiredAt] = [KEYS.retiredCaCert, KEYS.retiredCaRetiredAt].map(read);
  const retired = parseDate(retiredAt);
  // A retired CA without its date is dropped rather than trusted forever.
  if (retiredCert && retired) state.retired = { certPem: retiredCert, retiredAt: retired };
  return state;
}

function parseDate(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
