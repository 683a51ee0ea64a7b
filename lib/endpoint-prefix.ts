// spec.endpointPrefix: the path an ingress strips before forwarding to the proxy, put back in front of
// the URLs the proxy hands out (the SSE front's `endpoint` event, Protected Resource Metadata). Shared by
// admission (webhook/rules/proxy-edge.ts), which refuses a bad one, and the proxy (proxy/edge-config.ts),
// which refuses to start with one and reads X-Forwarded-Prefix by the same rule. Pure.
// A prefix ends up in a URL the client resolves, so dot segments are refused in every spelling
// (`..`, `%2e%2E`): `new URL('/a/%2e%2e/messages', base)` is `/messages`, and a prefix that climbs out of
// itself sends clients somewhere the administrator did not write.

// RFC 3986 pchar (unreserved, pct-encoded, sub-delims, ':' and '@'), segments joined by '/'.
const PATH = /^(\/[A-Za-z0-9\-._~!$&'()*+,;=:@%]*)+$/;
const PCT = /%(?![0-9A-Fa-f]{2})/;
const MAX_LENGTH = 1024;

const decoded = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** Why `prefix` cannot be an endpoint prefix, or undefined when it can. */
export function endpointPrefixProblem(prefix: string): string | undefined {
  if (!prefix.startsWith('/')) return "must be a path starting with '/'";
  if (prefix.length > MAX_LENGTH) return `must be at most ${MAX_LENGTH} characters`;
  if (!PATH.test(prefix) || PCT.test(prefix))
    return "must be a URL path: letters, digits and -._~!$&'()*+,;=:@ or %XX escapes between slashes";
  const segments = prefix.split('/').slice(1);
  if (segments.some((s) => s === '.' || s === '..' || decoded(s) === '.' || decoded(s) === '..'))
    return "must not contain '.' or '..' segments";
  if (segments.slice(0, -1).some((s) => s === '')) return "must not contain '//'";
  return undefined;
}

/** The prefix as URLs are built with it: no trailing slash, '' for '/'. Assumes no problem. */
export const normalEndpointPrefix = (prefix: string): string => prefix.replace(/\/+$/, '');
