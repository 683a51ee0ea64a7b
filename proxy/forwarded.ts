// Where a client reached the proxy, as opposed to where the proxy listens. Behind an ingress a client's
// URL has another scheme and host, and often a path prefix the ingress strips before forwarding
// (https://mcp.example.com/team-a/sse arrives as /sse). The URLs the proxy hands out must be the
// client's: the SSE front's `endpoint` event (fronts/sse.ts) and the Protected Resource Metadata and
// its challenge (auth/challenge.ts). Pure.
// Decisions (ToolHive's pkg/transport/proxy httpsse and transparent proxies, kept where they agree):
// - endpointPrefix (configured) wins over X-Forwarded-Prefix; a prefix ending in /sse loses that suffix
//   (some ingresses send the whole matched path; ToolHive strips it too).
// - X-Forwarded-Proto, -Host, -Port and -Prefix are read only with trustProxyHeaders. Without it they
//   are ignored, all of them: anyone who reaches the pod could otherwise choose the host a client is
//   sent to. (ToolHive's SSE proxy reads X-Forwarded-Proto even untrusted; we do not.)
// - With trust, a forwarded Host or Proto makes URLs absolute (scheme and host from the headers, the
//   Host header filling in a missing one, X-Forwarded-Port replacing the port); otherwise URLs stay
//   relative to the URL the client used, which is always right for the host.
// - A list (proxies in a chain append) counts by its first value, the one nearest the client. A value
//   that cannot be a scheme, host, port or path is ignored, never copied into a URL.
import type { IncomingHttpHeaders } from 'node:http';
import { endpointPrefixProblem, normalEndpointPrefix } from '../lib/endpoint-prefix.ts';
import type { RunConfigEdge } from './edge-config.ts';

/** The client's view of the proxy: an origin (absent: the URL the client used) and a path prefix. */
export interface PublicBase {
  /** e.g. https://mcp.example.com; only from trusted forwarded headers. */
  origin?: string;
  /** '' or '/team-a' (no trailing slash). */
  prefix: string;
}

const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?$/;
const PORT = /^\d{1,5}$/;

/** The first value of a header, trimmed; undefined when absent or empty. */
function first(headers: IncomingHttpHeaders, name: string): string | undefined {
  const raw = headers[name];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.split(',')[0]?.trim();
  return value ? value : undefined;
}

function forwardedPrefix(headers: IncomingHttpHeaders): string {
  const value = first(headers, 'x-forwarded-prefix');
  if (value === undefined || endpointPrefixProblem(value)) return '';
  return normalEndpointPrefix(value).replace(/\/sse$/, '');
}

function forwardedOrigin(headers: IncomingHttpHeaders): string | undefined {
  const proto = first(headers, 'x-forwarded-proto')?.toLowerCase();
  const forwardedHost = first(headers, 'x-forwarded-host');
  if (proto === undefined && forwardedHost === undefined) return undefined;
  const scheme = proto === 'https' || proto === 'http' ? proto : 'http';
  const host = HOST.exec(forwardedHost ?? first(headers, 'host') ?? '');
  if (!host) return undefined;
  const port = first(headers, 'x-forwarded-port');
  const portPart = port !== undefined && PORT.test(port) && Number(port) <= 65535 ? port : host[2];
  const url = new URL(`${scheme}://${host[1]}${portPart ? `:${portPart}` : ''}`);
  return url.origin;
}

/** The public base of a request, by the run config's `edge` section (none: the proxy's own view). */
export function publicBase(headers: IncomingHttpHeaders, edge: RunConfigEdge | undefined): PublicBase {
  const trusted = edge?.trustProxyHeaders === true;
  const configured = edge?.endpointPrefix ? normalEndpointPrefix(edge.endpointPrefix) : '';
  const prefix = configured || (trusted ? forwardedPrefix(headers) : '');
  const origin = trusted ? forwardedOrigin(headers) : undefined;
  return origin ? { origin, prefix } : { prefix };
}

/** A URL for one of the proxy's own paths ('/messages'), as the client must use it. */
export const publicUrl = (base: PublicBase, path: string): string =>
  `${base.origin ?? ''}${base.prefix}${path}`;

/** Whether the base changes anything (else URLs are the proxy's own). */
export const isPlain = (base: PublicBase): boolean => base.origin === undefined && base.prefix === '';
