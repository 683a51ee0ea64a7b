// Who sent one HTTP request to the proxy, as its authentication established it (proxy/auth/). The
// fronts bind each session to the caller that opened it and pass the caller with every message, so
// authorization and audit (proxy/authz/) see the identity of each request, not only the first one's.
// The token itself never gets here: only what was verified about it.

export interface Caller {
  /**
   * The identity a session is bound to: issuer and subject. A request on a session opened by another
   * key is answered as if the session did not exist.
   */
  key: string;
  subject: string;
  issuer?: string;
  /** The verified token's claims (JWT payload or introspection answer); never the token. */
  claims: Readonly<Record<string, unknown>>;
  /** The token's scopes (`scope` or `scp`). */
  scopes: readonly string[];
}

/** The caller when the proxy has no authentication configured (ToolHive calls it the local user). */
export const ANONYMOUS: Caller = Object.freeze({
  key: 'anonymous',
  subject: 'anonymous',
  claims: Object.freeze({}),
  scopes: Object.freeze([]),
});
