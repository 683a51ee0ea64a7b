// Why a request was not authenticated: the reasons the proxy counts (mcp_proxy_auth_failures_total)
// and the HTTP answer each one gets. A reason names the check that failed, never the token. 401 for a
// token that is missing or not acceptable, 403 for one that is acceptable but lacks scopes, 503 when the
// proxy could not check it (keys or introspection unreachable): that is the issuer's outage, not the
// client's fault, and a 401 would make clients throw away good tokens.

export type FailureReason =
  | 'missing'
  | 'malformed'
  | 'algorithm'
  | 'signature'
  | 'unknown-key'
  | 'issuer'
  | 'audience'
  | 'expired'
  | 'not-yet-valid'
  | 'claims'
  | 'inactive'
  | 'no-introspection'
  | 'namespace'
  | 'service-account'
  | 'scope'
  | 'unavailable';

export interface AuthFailure {
  reason: FailureReason;
  /** For error_description: which check failed, in words; never the token or its claims' values. */
  description: string;
  /** For the log only, not the client: what went wrong reaching the issuer (reason 'unavailable'). */
  detail?: string;
  /** Scopes the token lacks (reason 'scope'). */
  missingScopes?: string[];
}

export const fail = (reason: FailureReason, description: string): AuthFailure => ({ reason, description });

/** The HTTP status a failure is answered with. */
export function statusOf(failure: AuthFailure): 401 | 403 | 503 {
  if (failure.reason === 'scope') return 403;
  if (failure.reason === 'unavailable') return 503;
  return 401;
}

export const isFailure = (value: unknown): value is AuthFailure =>
  typeof value === 'object' && value !== null && 'reason' in value && 'description' in value;
