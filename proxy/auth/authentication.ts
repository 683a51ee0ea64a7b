// The proxy's authentication as the fronts and the server use it: FrontDeps.authenticate (the bearer
// token of each request to a Caller, or the 401/403/503 answer), and the Protected Resource Metadata
// documents server.ts serves, open, at the well-known paths.
// Decisions:
// - Only the Authorization header carries tokens (MCP 2025-11-25 forbids the query string); an
//   access_token query parameter is not looked at.
// - Answers: the fronts' JSON-RPC error body, WWW-Authenticate per challenge.ts, the reason counted in
//   mcp_proxy_auth_failures_total and logged at debug (a client without a token is routine, not news).
// - 503 with Retry-After when the token could not be checked (keys or introspection unreachable).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../lib/log.ts';
import type { Caller } from '../caller.ts';
import type { RunConfigAuth } from '../config.ts';
import type { RunConfigEdge } from '../edge-config.ts';
import { publicBase } from '../forwarded.ts';
import { sendJson } from '../fronts/http.ts';
import { INVALID_REQUEST, errorResponse } from '../jsonrpc.ts';
import {
  bearerToken,
  challenge,
  metadataPaths,
  protectedResourceMetadata,
  publicResource,
} from './challenge.ts';
import { fail, isFailure, statusOf, type AuthFailure, type FailureReason } from './failure.ts';
import { createVerifier, type VerifierOptions } from './verifier.ts';

const WARN_EVERY_MS = 30_000;

export interface Authentication {
  authenticate: (req: IncomingMessage, res: ServerResponse) => Promise<Caller | undefined>;
  /**
   * Answers a request for a well-known metadata path and returns true; false for any other path. With
   * `edge`, the document's resource follows the request's public base (forwarded.ts).
   */
  serveMetadata: (pathname: string, res: ServerResponse, req?: IncomingMessage) => boolean;
  close: () => void;
}

export interface AuthenticationDeps {
  log: Logger;
  /** Counts a refused request by reason (metrics.ts). */
  refused?: (reason: FailureReason) => void;
  /** RFC 9728 resource_name: the MCPServer's name. */
  resourceName?: string;
  /** The fronts' paths, each of which gets a path-aware metadata URL. */
  endpointPaths?: readonly string[];
  verifier?: VerifierOptions;
  /** Behind an ingress: the public URLs are built per request (forwarded.ts). */
  edge?: RunConfigEdge;
}

export function createAuthentication(auth: RunConfigAuth, deps: AuthenticationDeps): Authentication {
  const verifier = createVerifier(auth, deps.log, deps.verifier);
  const plain = publicResource(auth.resourceUrl, { prefix: '' });
  const plainDocument = JSON.stringify(protectedResourceMetadata(auth, deps.resourceName));
  // The client's resource and metadata URL: the configured ones unless an ingress is in between.
  const resourceFor = (req?: IncomingMessage) =>
    deps.edge && req ? publicResource(auth.resourceUrl, publicBase(req.headers, deps.edge)) : plain;
  const documentFor = (resource: string) =>
    resource === plain.resource
      ? plainDocument
      : JSON.stringify(protectedResourceMetadata(auth, deps.resourceName, resource));
  const endpoints = deps.endpointPaths ?? ['/mcp', '/sse'];
  // With endpointPrefix, also the RFC 9728 location of the prefixed resource, for an ingress that
  // routes /.well-known/ to the proxy.
  const prefix = deps.edge?.endpointPrefix?.replace(/\/+$/, '') ?? '';
  const paths = new Set(
    metadataPaths(prefix ? [...endpoints, ...endpoints.map((p) => prefix + p)] : endpoints),
  );
  const required = auth.requiredScopes ?? [];
  let lastWarned = -Infinity;

  const refuse = (req: IncomingMessage, res: ServerResponse, failure: AuthFailure): undefined => {
    deps.refused?.(failure.reason);
    const fields = { reason: failure.reason, path: req.url?.split('?')[0], remote: req.socket.remoteAddress };
    // An issuer outage refuses every request: warned of once per WARN_EVERY_MS, not per request.
    if (failure.detail && Date.now() - lastWarned >= WARN_EVERY_MS) {
      lastWarned = Date.now();
      deps.log.warn({ ...fields, detail: failure.detail }, 'Cannot check bearer tokens');
    } else deps.log.debug({ ...fields, detail: failure.detail }, 'Refused an unauthenticated request');
    const status = statusOf(failure);
    const headers: Record<string, string> = {};
    if (status === 503) headers['retry-after'] = '5';
    else headers['www-authenticate'] = challenge(resourceFor(req).metadata, failure, required);
    const word = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Service Unavailable';
    sendJson(res, status, errorResponse(null, INVALID_REQUEST, `${word}: ${failure.description}`), headers);
    return undefined;
  };

  return {
    async authenticate(req, res) {
      const header = req.headers.authorization;
      const bearer = bearerToken(header);
      if ('problem' in bearer) {
        const failure =
          bearer.problem === 'missing'
            ? fail('missing', 'no bearer token in the Authorization header')
            : fail('malformed', 'the Authorization header is not "Bearer <token>"');
        return refuse(req, res, failure);
      }
      const result = await verifier.verify(bearer.token);
      return isFailure(result) ? refuse(req, res, result) : result;
    },
    serveMetadata(pathname, res, req) {
      if (!paths.has(pathname)) return false;
      const document = documentFor(resourceFor(req).resource);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(document),
        'cache-control': 'max-age=300',
        'access-control-allow-origin': '*',
      });
      res.end(document);
      return true;
    },
    close: () => verifier.close(),
  };
}
