// The JWS algorithms the proxy accepts: the asymmetric ones. `none` and HS* never, whatever the
// configuration says: an HMAC key would be the issuer's secret, which a resource server must not hold.
// Its own file so the pure config check (config-check.ts) does not load jose.

export const ASYMMETRIC_ALGORITHMS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

/** The configured algorithms that are accepted; all asymmetric ones when none are configured. */
export function allowedAlgorithms(configured: readonly string[] | undefined): string[] {
  if (!configured || configured.length === 0) return [...ASYMMETRIC_ALGORITHMS];
  return configured.filter((alg) => ASYMMETRIC_ALGORITHMS.includes(alg));
}
