// Exposure through the Gateway API: which Gateways a platform team offers (the admission policy's
// `exposure` key) and what one MCPServer asks for (three annotations). Shared by the webhook, which
// refuses a request the policy does not allow, and the controller, which builds the HTTPRoute
// (controller/desired/httproute.ts) and refuses the same request again if the policy changed since.
// Pure. Decisions:
// - The switch is an annotation, not a spec field: ToolHive's CRD has no such field, and a field of our
//   own would be pruned by the API server (or refused) wherever ToolHive's CRD is installed, so one
//   manifest could not serve both operators. Annotations are kept by every CRD.
// - The platform names the Gateway (parentRef) in the policy; a tenant only picks one of the policy's
//   entries by name, a hostname the entry allows and a path. A tenant can never attach a route to a
//   Gateway the policy does not list, nor claim a hostname outside the entry's patterns.
// - Hostname patterns: an exact name, or `*.suffix`, which (as the Gateway API's wildcard hostnames)
//   matches any name ending in `.suffix`, one label or more.
// - Namespace patterns: a name, `prefix*`, or `*`, as the policy's other namespace keys.
// Not here: conflicts between two routes claiming the same hostname and path are the Gateway's to settle
// (the Gateway API gives the oldest route precedence and reports it in the route's status).
import { parse } from 'yaml';

export const EXPOSURE_KEY = 'exposure';
export const EXPOSE_ANNOTATION = 'toolhive.stacklok.dev/expose';
export const EXPOSE_HOSTNAME_ANNOTATION = 'toolhive.stacklok.dev/expose-hostname';
export const EXPOSE_PATH_ANNOTATION = 'toolhive.stacklok.dev/expose-path';
export const EXPOSURE_ANNOTATIONS = [EXPOSE_ANNOTATION, EXPOSE_HOSTNAME_ANNOTATION, EXPOSE_PATH_ANNOTATION];

/** A Gateway API ParentReference to a Gateway (group and kind are always the Gateway's). */
export interface GatewayParentRef {
  name: string;
  namespace: string;
  sectionName?: string;
  port?: number;
}

export interface ExposureGateway {
  /** What an MCPServer's expose annotation names. */
  name: string;
  parentRef: GatewayParentRef;
  /** Hostnames MCPServers may ask for: exact names or `*.suffix`. */
  hostnames: string[];
  /** The MCPServer namespaces that may use this entry (patterns); default every one. */
  namespaces: string[];
  /** The external URL's scheme: what the Gateway's listener serves (default https). */
  scheme: 'https' | 'http';
  /** The external URL's port, when not the scheme's default. */
  port?: number;
  /** Where the Gateway's own pods run: the proxies' NetworkPolicy admits them. Default parentRef.namespace. */
  gatewayNamespaces: string[];
}

export interface ExposurePolicy {
  gateways: ExposureGateway[];
}

/** What the annotations ask for; undefined when the server does not ask to be exposed. */
export interface ExposureRequest {
  gateway: string;
  hostname: string | undefined;
  path: string;
}

/** A request the policy allows, with the URL it makes. */
export interface ResolvedExposure {
  gateway: ExposureGateway;
  hostname: string;
  /** `/` or a prefix without a trailing slash. */
  path: string;
  /** scheme://hostname[:port][path without the trailing slash]; the MCP endpoint is under it. */
  baseUrl: string;
}

export type ProblemType = 'Required' | 'Invalid' | 'NotSupported' | 'Forbidden';
export interface ExposureProblem {
  annotation: string;
  type: ProblemType;
  value?: string;
  detail: string;
  /** For NotSupported: the values that are. */
  allowed?: string[];
}

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** The Gateway API's own hostname rule (HTTPRoute spec.hostnames), without the wildcard. */
export const isHostname = (h: string): boolean => h.length <= 253 && DNS1123_SUBDOMAIN.test(h);
const isHostnamePattern = (p: string): boolean =>
  isHostname(p.startsWith('*.') ? p.slice(2) : p) && !/^\d+(\.\d+){3}$/.test(p);
const isNamespaceName = (n: string): boolean => n.length <= 63 && DNS1123_LABEL.test(n);

export function hostnameAllowed(pattern: string, hostname: string): boolean {
  return pattern.startsWith('*.') ? hostname.endsWith(pattern.slice(1)) : pattern === hostname;
}

export function namespaceAllowed(pattern: string, namespace: string): boolean {
  return pattern.endsWith('*') ? namespace.startsWith(pattern.slice(0, -1)) : pattern === namespace;
}

function parseParentRef(value: unknown, at: string, problems: string[]): GatewayParentRef | undefined {
  if (!isDict(value) || typeof value.name !== 'string' || typeof value.namespace !== 'string') {
    problems.push(`${at}.parentRef: needs the Gateway's name and namespace`);
    return undefined;
  }
  const ref: GatewayParentRef = { name: value.name, namespace: value.namespace };
  if (!isHostname(ref.name) || !isNamespaceName(ref.namespace))
    problems.push(`${at}.parentRef: name and namespace must be DNS names`);
  if (typeof value.sectionName === 'string') ref.sectionName = value.sectionName;
  else if (value.sectionName !== undefined) problems.push(`${at}.parentRef.sectionName: must be a string`);
  if (isPort(value.port)) ref.port = value.port;
  else if (value.port !== undefined) problems.push(`${at}.parentRef.port: must be a port number`);
  return ref;
}

const isPort = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 65536;

/** The checks of one entry's lists and URL parts, each problem named by its key. */
function entryProblems(value: Dict, at: string): string[] {
  const problems: string[] = [];
  const hostnames = value.hostnames;
  if (!isStringList(hostnames) || !hostnames.length || !hostnames.every(isHostnamePattern))
    problems.push(`${at}.hostnames: required, a list of host names or *.suffix patterns`);
  if (value.namespaces !== undefined && !isStringList(value.namespaces))
    problems.push(`${at}.namespaces: must be a list of namespace patterns`);
  if (value.scheme !== undefined && value.scheme !== 'https' && value.scheme !== 'http')
    problems.push(`${at}.scheme: must be "https" or "http"`);
  if (value.port !== undefined && !isPort(value.port)) problems.push(`${at}.port: must be a port number`);
  const pods = value.gatewayNamespaces;
  if (pods !== undefined && !(isStringList(pods) && pods.every(isNamespaceName)))
    problems.push(`${at}.gatewayNamespaces: must be a list of namespace names`);
  return problems;
}

function parseGateway(value: unknown, at: string, problems: string[]): ExposureGateway | undefined {
  if (!isDict(value) || typeof value.name !== 'string' || !isNamespaceName(value.name)) {
    problems.push(`${at}.name: required, a DNS label (what MCPServers name in ${EXPOSE_ANNOTATION})`);
    return undefined;
  }
  const parentRef = parseParentRef(value.parentRef, at, problems);
  problems.push(...entryProblems(value, at));
  if (!parentRef || problems.length) return undefined;
  const pods = (value.gatewayNamespaces as string[] | undefined) ?? [parentRef.namespace];
  return {
    name: value.name,
    parentRef,
    hostnames: value.hostnames as string[],
    namespaces: (value.namespaces as string[] | undefined) ?? ['*'],
    scheme: (value.scheme as 'https' | 'http' | undefined) ?? 'https',
    ...(isPort(value.port) ? { port: value.port } : {}),
    gatewayNamespaces: [...new Set(pods)],
  };
}

/** The policy's `exposure` value checked; undefined when unset (nothing may be exposed). */
export function parseExposure(
  value: unknown,
): { exposure: ExposurePolicy | undefined } | { problems: string[] } {
  if (value === undefined || value === null) return { exposure: undefined };
  if (!isDict(value) || !Array.isArray(value.gateways))
    return { problems: [`${EXPOSURE_KEY}: must be a map with a list of gateways`] };
  const problems: string[] = [];
  const gateways = value.gateways.flatMap((g, i) => {
    const own: string[] = [];
    const parsed = parseGateway(g, `${EXPOSURE_KEY}.gateways[${i}]`, own);
    problems.push(...own);
    return parsed ? [parsed] : [];
  });
  const names = gateways.map((g) => g.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length)
    problems.push(`${EXPOSURE_KEY}.gateways: duplicate names ${[...new Set(twice)].join(', ')}`);
  for (const key of Object.keys(value))
    if (key !== 'gateways') problems.push(`${EXPOSURE_KEY}.${key}: unknown field`);
  return problems.length ? { problems } : { exposure: { gateways } };
}

/** The key read out of the policy ConfigMap's data (key policy.yaml). */
export function exposureFromPolicyData(
  data: Record<string, string> | undefined,
): { exposure: ExposurePolicy | undefined } | { problems: string[] } {
  const text = data?.['policy.yaml'];
  if (text === undefined) return { exposure: undefined };
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    return { problems: [`the policy is not valid YAML: ${(err as Error).message.split('\n')[0]}`] };
  }
  return parseExposure(isDict(doc) ? doc[EXPOSURE_KEY] : undefined);
}

/** What the annotations ask for; undefined when `toolhive.stacklok.dev/expose` is absent or "false". */
export function exposureRequest(annotations: unknown): ExposureRequest | undefined {
  const a = isDict(annotations) ? annotations : {};
  const gateway = typeof a[EXPOSE_ANNOTATION] === 'string' ? a[EXPOSE_ANNOTATION].trim() : '';
  if (!gateway || gateway === 'false') return undefined;
  const hostname = a[EXPOSE_HOSTNAME_ANNOTATION];
  const path = a[EXPOSE_PATH_ANNOTATION];
  return {
    gateway,
    hostname: typeof hostname === 'string' && hostname ? hostname : undefined,
    path: typeof path === 'string' && path ? path : '/',
  };
}

/** Path segments a URL may carry unencoded, no empty, `.` or `..` segment. */
const PATH = /^(\/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+\/?$/;

function checkPath(path: string): ExposureProblem[] {
  const segments = path.split('/').filter(Boolean);
  if (
    path === '/' ||
    (PATH.test(path) && !segments.some((s) => s === '.' || s === '..') && path.length <= 200)
  )
    return [];
  return [
    {
      annotation: EXPOSE_PATH_ANNOTATION,
      type: 'Invalid',
      value: path,
      detail: 'must be / or an absolute path of plain segments (no //, . or ..), at most 200 characters',
    },
  ];
}

function pickGateway(
  request: ExposureRequest,
  policy: ExposurePolicy | undefined,
): ExposureGateway | ExposureProblem {
  const gateways = policy?.gateways ?? [];
  const only = gateways.length === 1 ? gateways[0] : undefined;
  const found = request.gateway === 'true' ? only : gateways.find((g) => g.name === request.gateway);
  if (found) return found;
  const names = gateways.map((g) => g.name);
  return {
    ...(names.length ? { allowed: names } : {}),
    annotation: EXPOSE_ANNOTATION,
    type: names.length ? 'NotSupported' : 'Forbidden',
    value: request.gateway,
    detail: names.length
      ? `the admission policy's exposure.gateways offers ${names.map((n) => JSON.stringify(n)).join(', ')}${request.gateway === 'true' ? ': name one' : ''}`
      : 'the admission policy offers no Gateway (its exposure key is unset): ask the platform team',
  };
}

function pickHostname(request: ExposureRequest, gateway: ExposureGateway): string | ExposureProblem {
  const exact = gateway.hostnames.filter((h) => !h.startsWith('*.'));
  const hostname =
    request.hostname ?? (gateway.hostnames.length === 1 && exact.length === 1 ? exact[0] : undefined);
  const allowed = `gateway ${gateway.name} allows ${gateway.hostnames.join(', ')}`;
  if (hostname === undefined)
    return { annotation: EXPOSE_HOSTNAME_ANNOTATION, type: 'Required', detail: `name the host: ${allowed}` };
  if (!isHostname(hostname))
    return {
      annotation: EXPOSE_HOSTNAME_ANNOTATION,
      type: 'Invalid',
      value: hostname,
      detail: 'must be a lower-case DNS name without a wildcard',
    };
  if (!gateway.hostnames.some((p) => hostnameAllowed(p, hostname)))
    return { annotation: EXPOSE_HOSTNAME_ANNOTATION, type: 'Forbidden', value: hostname, detail: allowed };
  return hostname;
}

const defaultPort = (scheme: string, port: number | undefined): boolean =>
  port === undefined || (scheme === 'https' ? port === 443 : port === 80);

/** The request checked against the policy, for an MCPServer in `namespace`: every problem at once. */
export function resolveExposure(
  request: ExposureRequest,
  policy: ExposurePolicy | undefined,
  namespace: string,
): { resolved: ResolvedExposure } | { problems: ExposureProblem[] } {
  const problems = checkPath(request.path);
  const gateway = pickGateway(request, policy);
  if ('annotation' in gateway) return { problems: [gateway, ...problems] };
  if (!gateway.namespaces.some((p) => namespaceAllowed(p, namespace)))
    problems.unshift({
      annotation: EXPOSE_ANNOTATION,
      type: 'Forbidden',
      value: request.gateway,
      detail: `gateway ${gateway.name} is not offered to namespace ${namespace} (the admission policy's exposure.gateways[].namespaces)`,
    });
  const hostname = pickHostname(request, gateway);
  if (typeof hostname !== 'string') problems.push(hostname);
  if (problems.length || typeof hostname !== 'string') return { problems };
  const path = request.path === '/' ? '/' : request.path.replace(/\/$/, '');
  const port = defaultPort(gateway.scheme, gateway.port) ? '' : `:${gateway.port}`;
  const baseUrl = `${gateway.scheme}://${hostname}${port}${path === '/' ? '' : path}`;
  return { resolved: { gateway, hostname, path, baseUrl } };
}
