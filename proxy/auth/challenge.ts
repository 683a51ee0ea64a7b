// What the proxy tells a client about its protection: the WWW-Authenticate challenge (RFC 6750 §3 with
// RFC 9728's resource_metadata) and the Protected Resource Metadata document (RFC 9728 §2). Pure.
// Decisions:
// - The metadata lives at the path-aware well-known URL of each endpoint (/.well-known/oauth-protected-
//   resource/mcp, .../sse) and at the root one; the challenge names the one for resourceUrl's path, on
//   resourceUrl's origin (MCP 2025-11-25, "Protected Resource Metadata Discovery Requirements"), since
//   that origin is how clients reach the proxy (a Service or Ingress), not the pod address it listens on.
// - Every document says resource = resourceUrl: one resource, one audience, whichever transport.
// - Behind an ingress (edge: trustProxyHeaders, endpointPrefix; forwarded.ts) the resource and the
//   challenge's metadata URL are the client's: the public origin, the prefix, then resourceUrl's path
//   (not prefixed twice when it already starts with it), and the metadata URL keeps the prefix in front
//   of the well-known path, since a path-based ingress routes only what starts with it. Audiences stay
//   as configured: a header never widens which tokens are accepted.
// - error_description carries which check failed; quotes and backslashes are escaped, control
//   characters dropped, so nothing a client sent can break the header.
import type { RunConfigAuth } from '../config.ts';
import { isPlain, type PublicBase } from '../forwarded.ts';
import type { AuthFailure } from './failure.ts';

export const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** The well-known paths the proxy answers with the metadata document. */
export function metadataPaths(endpointPaths: readonly string[]): string[] {
  return [WELL_KNOWN, ...endpointPaths.map((p) => `${WELL_KNOWN}${p}`)];
}

/** The metadata URL for resourceUrl: its origin, the well-known prefix, its path (none for '/'). */
export function metadataUrl(resourceUrl: string): string {
  const url = new URL(resourceUrl);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}${WELL_KNOWN}${path}`;
}

/** resourceUrl and its metadata URL as a client reaching the proxy through `base` sees them. */
export function publicResource(
  resourceUrl: string,
  base: PublicBase,
): { resource: string; metadata: string } {
  if (isPlain(base)) return { resource: resourceUrl, metadata: metadataUrl(resourceUrl) };
  const url = new URL(resourceUrl);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  const { prefix } = base;
  const inner =
    prefix && (path === prefix || path.startsWith(`${prefix}/`)) ? path.slice(prefix.length) : path;
  const origin = base.origin ?? url.origin;
  return {
    resource: `${origin}${prefix}${inner}` + (prefix + inner === '' ? '/' : ''),
    metadata: `${origin}${prefix}${WELL_KNOWN}${inner}`,
  };
}

export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported?: string[];
  bearer_methods_supported: ['header'];
  resource_name?: string;
}

export function protectedResourceMetadata(
  auth: Pick<RunConfigAuth, 'resourceUrl' | 'issuer' | 'scopesSupported'>,
  resourceName?: string,
  resource: string = auth.resourceUrl,
): ProtectedResourceMetadata {
  return {
    resource,
    authorization_servers: [auth.issuer],
    ...(auth.scopesSupported?.length ? { scopes_supported: [...auth.scopesSupported] } : {}),
    bearer_methods_supported: ['header'],
    ...(resourceName ? { resource_name: resourceName } : {}),
  };
}

const quoted = (value: string): string =>
  // eslint-disable-next-line no-control-regex
  `"${value.replace(/[\u0000-\u001f\u007f]/g, '').replace(/["\\]/g, (c) => `\\${c}`)}"`;

/**
 * The WWW-Authenticate value. No failure (no token sent): only resource_metadata, as RFC 6750 §3.1 asks
 * for requests without credentials. Otherwise the error code: invalid_token, or insufficient_scope with
 * the scopes needed.
 */
export function challenge(
  resourceMetadata: string,
  failure?: AuthFailure,
  scopes: readonly string[] = [],
): string {
  const params = [`resource_metadata=${quoted(resourceMetadata)}`];
  if (failure && failure.reason !== 'missing') {
    const code = failure.reason === 'scope' ? 'insufficient_scope' : 'invalid_token';
    params.push(`error=${quoted(code)}`, `error_description=${quoted(failure.description)}`);
  }
  if (scopes.length > 0) params.push(`scope=${quoted(scopes.join(' '))}`);
  return `Bearer ${params.join(', ')}`;
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), else a reason. */
export function bearerToken(
  header: string | undefined,
): { token: string } | { problem: 'missing' | 'malformed' } {
  if (header === undefined || header === '') return { problem: 'missing' };
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (match) return { token: match[1]! };
  return /^Bearer(\s|$)/i.test(header) ? { problem: 'malformed' } : { problem: 'missing' };
}
