// What the proxy tells each client session in answer to `initialize` when one stdio server, initialized
// once by the proxy, serves them all. Pure.
import type { Params } from './jsonrpc.ts';

// The SDK's LATEST_PROTOCOL_VERSION and SUPPORTED_PROTOCOL_VERSIONS, copied: importing its types.js
// loads zod and every schema (about 20 MiB resident) for two constants. negotiate.test.ts fails when
// the SDK's lists change, so the copy cannot drift silently.
/** The revision the proxy asks the server for: the newest it can relay. */
export const PROXY_PROTOCOL_VERSION = '2025-11-25';
export const SESSION_PROTOCOL_VERSIONS: readonly string[] = [
  PROXY_PROTOCOL_VERSION,
  '2025-06-18',
  '2025-03-26',
  '2024-11-05',
  '2024-10-07',
];

/**
 * The client's revision when the proxy knows it and the server speaks it too (revisions are dates, so
 * they compare as strings), else the server's: the spec lets a server answer with a revision it
 * supports, and the client decides whether to continue.
 */
export function negotiateVersion(requested: unknown, serverVersion: string): string {
  if (typeof requested !== 'string') return serverVersion;
  if (!SESSION_PROTOCOL_VERSIONS.includes(requested)) return serverVersion;
  return requested <= serverVersion ? requested : serverVersion;
}

/**
 * The client capabilities the proxy declares to the server: everything it can route to some session.
 * A server that registers features only for capable clients (server-everything's sampling tool) then
 * offers them; a request reaching a session that did not declare the capability gets an error back.
 */
export const PROXY_CLIENT_CAPABILITIES: Params = {
  sampling: {},
  elicitation: { form: {}, url: {} },
  roots: { listChanged: true },
};

export const PROXY_CLIENT_INFO = { name: 'mcp-operator-proxy', version: '0.1.0' };

/** The client capability a server-to-client request needs, or undefined for ping and unknown methods. */
export function capabilityFor(method: string): string | undefined {
  if (method === 'sampling/createMessage') return 'sampling';
  if (method === 'elicitation/create') return 'elicitation';
  if (method === 'roots/list') return 'roots';
  return undefined;
}

/** The initialize result one session gets: the server's, with the session's negotiated revision. */
export function sessionInitializeResult(serverResult: Params, requested: unknown): Params {
  const serverVersion =
    typeof serverResult.protocolVersion === 'string' ? serverResult.protocolVersion : PROXY_PROTOCOL_VERSION;
  return { ...serverResult, protocolVersion: negotiateVersion(requested, serverVersion) };
}
