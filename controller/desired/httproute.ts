// Exposure through the Gateway API (lib/exposure.ts has the policy and the annotations): an HTTPRoute
// `mcp-<name>-proxy` (gateway.networking.k8s.io/v1) owned by the MCPServer, attached to the Gateway the
// admission policy names, for the hostname and path the server's annotations ask for, sending traffic to
// the proxy Service. Pure. Decisions:
// - Off unless `toolhive.stacklok.dev/expose` is set; turned off (or no longer allowed by the policy),
//   the route is not desired and the reconciler prunes it.
// - A path other than `/` is stripped before the proxy (URLRewrite ReplacePrefixMatch, a standard
//   filter), so the proxy keeps serving /mcp, /sse and its well-known paths. The Protected Resource
//   Metadata of the external resource `https://host/prefix/mcp` is at
//   `https://host/.well-known/oauth-protected-resource/prefix/mcp` (RFC 9728 §3.1 inserts the well-known
//   segment before the path), so a second rule maps that prefix onto the proxy's own well-known path.
// - Without the Gateway API CRDs (facts.gatewayApi false) nothing is built and the condition says so;
//   the controller wakes exposed servers when the CRDs appear (informers.ts onServedChange).
// - Exposed is True only once the Gateway's controller has accepted the route (the route's
//   status.parents, from the cache); before that Unknown, and False with the Gateway's own reason.
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import {
  exposureRequest,
  resolveExposure,
  type ExposureProblem,
  type GatewayParentRef,
  type ResolvedExposure,
} from '../../lib/exposure.ts';
import { effectiveSpec } from '../spec.ts';
import { childMetadata, commonLabels } from './labels.ts';
import { namespaceOf, proxyServiceName } from './names.ts';
import {
  dictsIn,
  isDict,
  str,
  type ChildObject,
  type Dict,
  type Finding,
  type ServerFacts,
} from './types.ts';

export const EXPOSED_CONDITION = 'Exposed';
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** The route shares the proxy Service's name: it routes to that Service and nothing else. */
export const routeName = (server: MCPServer): string => proxyServiceName(server);

export interface ExposurePlan {
  route?: ChildObject;
  /** The MCP endpoint's external URL (status.externalUrl, the proxy's resource URL). */
  externalUrl?: string;
  /** The Host clients send through the Gateway, which the proxy must accept (its DNS-rebinding check). */
  hostname?: string;
  /** Namespaces of the Gateway's pods: the proxy's NetworkPolicy must admit them. */
  gatewayNamespaces: string[];
  /** Condition Exposed; undefined when the server does not ask to be exposed. */
  finding?: Finding;
}

const NOT_EXPOSED: ExposurePlan = { gatewayNamespaces: [] };

/** The request resolved against the policy, or why not; undefined when the server asks for nothing. */
export function resolvedExposure(
  server: MCPServer,
  facts: Pick<ServerFacts, 'exposure'>,
): { resolved: ResolvedExposure } | { problems: ExposureProblem[] } | undefined {
  const request = exposureRequest(server.metadata?.annotations);
  return request ? resolveExposure(request, facts.exposure, namespaceOf(server)) : undefined;
}

export function externalUrl(server: MCPServer, resolved: ResolvedExposure): string {
  return `${resolved.baseUrl}${effectiveSpec(server).proxyMode === 'sse' ? '/sse' : '/mcp'}`;
}

const stripTo = (prefix: string): Dict => ({
  type: 'URLRewrite',
  urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: prefix } },
});

function parentRef(ref: GatewayParentRef): Dict {
  return {
    group: GATEWAY_API_GROUP,
    kind: 'Gateway',
    name: ref.name,
    namespace: ref.namespace,
    ...(ref.sectionName ? { sectionName: ref.sectionName } : {}),
    ...(ref.port ? { port: ref.port } : {}),
  };
}

export function desiredHttpRoute(server: MCPServer, resolved: ResolvedExposure): ChildObject {
  const backendRefs = [{ name: proxyServiceName(server), port: effectiveSpec(server).proxyPort }];
  const prefixed = resolved.path !== '/';
  const rule = (path: string, rewriteTo?: string): Dict => ({
    matches: [{ path: { type: 'PathPrefix', value: path } }],
    ...(rewriteTo ? { filters: [stripTo(rewriteTo)] } : {}),
    backendRefs,
  });
  return {
    apiVersion: `${GATEWAY_API_GROUP}/v1`,
    kind: 'HTTPRoute',
    metadata: childMetadata(server, routeName(server), commonLabels(server)),
    spec: {
      parentRefs: [parentRef(resolved.gateway.parentRef)],
      hostnames: [resolved.hostname],
      rules: prefixed
        ? [rule(resolved.path, '/'), rule(`${WELL_KNOWN}${resolved.path}`, WELL_KNOWN)]
        : [rule('/')],
    },
  };
}

const sameParent = (status: Dict, ref: GatewayParentRef): boolean => {
  const p = isDict(status.parentRef) ? status.parentRef : {};
  return str(p.name) === ref.name && (str(p.namespace) || ref.namespace) === ref.namespace;
};

/** What the Gateway's controller said of the route (its status.parents entry for our Gateway). */
export function routeFinding(
  route: Dict | undefined,
  resolved: ResolvedExposure,
  url: string,
  name: string,
): Finding {
  const ref = resolved.gateway.parentRef;
  const gateway = `Gateway ${ref.namespace}/${ref.name}`;
  const parents = dictsIn(isDict(route?.status) ? route.status.parents : undefined);
  const conditions = dictsIn(parents.find((p) => sameParent(p, ref))?.conditions);
  const accepted = conditions.find((c) => c.type === 'Accepted');
  const refs = conditions.find((c) => c.type === 'ResolvedRefs');
  const failed = [accepted, refs].find((c) => c?.status === 'False');
  if (failed)
    return {
      status: 'False',
      reason: str(failed.reason) || 'NotAccepted',
      message: `${gateway}: ${str(failed.message)}`,
    };
  if (accepted?.status === 'True')
    return { status: 'True', reason: 'Accepted', message: `${gateway} serves ${url}` };
  return {
    status: 'Unknown',
    reason: 'Pending',
    message: `HTTPRoute ${name} applied, waiting for ${gateway} to accept it (${url})`,
  };
}

/**
 * What exposure changes of the proxy (proxy-security.ts): the Host the Gateway forwards is allowed, and
 * when proxyClientNamespaces limits who may connect, the Gateway's pods may.
 */
export function exposedProxy(
  plan: ExposurePlan,
  clients: readonly string[] | undefined,
): { clients: readonly string[] | undefined; allowedHosts?: string[] } {
  if (!plan.route || !plan.hostname) return { clients };
  return {
    clients: clients && [...new Set([...clients, ...plan.gatewayNamespaces])],
    allowedHosts: [plan.hostname],
  };
}

const problemText = (p: ExposureProblem): string =>
  `metadata.annotations[${p.annotation}]: ${p.type}${p.value === undefined ? '' : `: ${JSON.stringify(p.value)}`}: ${p.detail}`;

export function desiredExposure(server: MCPServer, facts: ServerFacts): ExposurePlan {
  const outcome = resolvedExposure(server, facts);
  if (!outcome) return NOT_EXPOSED;
  if ('problems' in outcome)
    return {
      gatewayNamespaces: [],
      finding: {
        status: 'False',
        reason: 'ExposureNotAllowed',
        message: outcome.problems.map(problemText).join('; '),
      },
    };
  const { resolved } = outcome;
  if (facts.gatewayApi === false)
    return {
      gatewayNamespaces: [],
      finding: {
        status: 'False',
        reason: 'GatewayAPINotInstalled',
        message: `the Gateway API's HTTPRoute (${GATEWAY_API_GROUP}/v1) is not served by this cluster: install its CRDs and a Gateway controller`,
      },
    };
  const url = externalUrl(server, resolved);
  return {
    route: desiredHttpRoute(server, resolved),
    externalUrl: url,
    hostname: resolved.hostname,
    gatewayNamespaces: resolved.gateway.gatewayNamespaces,
    finding: routeFinding(facts.route, resolved, url, routeName(server)),
  };
}
