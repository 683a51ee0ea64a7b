// DNS rebinding protection for the MCP endpoints, pure: a page on evil.example whose name resolves to
// the proxy's address sends `Host: evil.example` (and a matching Origin), so both are checked against
// the names the proxy is really reached by. Requests without Origin (non-browser clients) pass on Host
// alone. /health and /metrics are not checked: kubelet probes by pod IP.

export interface AllowedNames {
  /** Host names without port, lower case; '[::1]' for IPv6 literals as they appear in Host. */
  hosts: readonly string[];
  /** Whole origins (scheme://host[:port]) allowed besides those whose host is in hosts. */
  origins: readonly string[];
}

export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** The host part of a Host header value or URL authority, lower case, port removed. */
export function hostName(authority: string): string {
  const lower = authority.trim().toLowerCase();
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1);
  const colon = lower.indexOf(':');
  return colon === -1 ? lower : lower.slice(0, colon);
}

/** Why the request must be refused with 403, or undefined when its Host and Origin are allowed. */
export function rebindingProblem(
  host: string | undefined,
  origin: string | undefined,
  allowed: AllowedNames,
): string | undefined {
  if (!host || !allowed.hosts.includes(hostName(host)))
    return `Host ${JSON.stringify(host ?? '')} is not allowed`;
  if (origin === undefined) return undefined;
  if (allowed.origins.includes(origin)) return undefined;
  let originHost: string;
  try {
    originHost = hostName(new URL(origin).host);
  } catch {
    return `Origin ${JSON.stringify(origin)} is not a URL`;
  }
  return allowed.hosts.includes(originHost) ? undefined : `Origin ${JSON.stringify(origin)} is not allowed`;
}
