// Why the proxy could not authenticate a request to the MCP server. The HTTP backend answers the
// client's request with a JSON-RPC error naming it (backends/http.ts), and the proxy counts it in
// mcp_proxy_outgoing_auth_failures_total{reason}.
export type OutgoingAuthReason =
  /** The caller has no token to exchange (no authentication, or a request that carried none). */
  | 'no-subject-token'
  /** The token endpoint did not answer (connection refused, timeout, TLS). */
  | 'unreachable'
  /** The token endpoint refused the exchange (its OAuth error is in the message). */
  | 'refused'
  /** The token endpoint answered something that is not an RFC 8693 token response. */
  | 'malformed';

export class OutgoingAuthError extends Error {
  readonly reason: OutgoingAuthReason;

  constructor(reason: OutgoingAuthReason, message: string) {
    super(message);
    this.name = 'OutgoingAuthError';
    this.reason = reason;
  }
}
