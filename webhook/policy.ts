// The cluster administrator's admission policy: which namespaces this operator serves and what MCPServers
// may ask for there. Parsed from the `policy.yaml` key of a ConfigMap; loading and reloading that
// ConfigMap happens elsewhere (the webhook server), and the rules in rules/policy.ts apply it.
// An invalid policy is an error for the loader to report, never a silently relaxed policy.
import { parse } from 'yaml';
import { EXPOSURE_KEY, parseExposure, type ExposurePolicy } from '../lib/exposure.ts';
import { parseProxyClientNamespaces, PROXY_CLIENT_NAMESPACES_KEY } from '../lib/proxy-clients.ts';
import { parseQuantity } from './quantity.ts';
import { POD_SECURITY_LEVELS, type PodSecurityLevel } from './rules/pod-security-standards.ts';
import { dict, isDict, type Dict } from './rules/shape.ts';

export { POD_SECURITY_LEVELS, stricterLevel, type PodSecurityLevel } from './rules/pod-security-standards.ts';

export type BuiltinProfileName = 'none' | 'network';

/** The level when the policy names none: host namespaces, hostPath and privileged pods are denied. */
export const DEFAULT_POD_SECURITY_LEVEL: PodSecurityLevel = 'baseline';

/** Allows one permission profile in the namespaces matching any pattern (`prod-*` or an exact name). */
export interface PermissionProfileRule {
  /** A builtin profile name, `configmap` for any ConfigMap-defined profile, or `*` for any. */
  profile: string;
  namespaces: string[];
}

export interface ResourceCeilings {
  cpu?: string;
  memory?: string;
}

export interface AdmissionPolicy {
  /** Namespaces whose MCPServers this operator admits and runs: every one, or these. */
  servedNamespaces: 'all' | string[];
  /** Image prefixes allowed in spec.image, e.g. `ghcr.io/` or `ghcr.io/stackloklabs/`. Unset: any image. */
  allowedImageRegistries?: string[];
  /** Which profile may be used where. Unset: any profile anywhere. */
  allowedPermissionProfiles?: PermissionProfileRule[];
  /** Set by the mutating webhook on MCPServers that name no permission profile. */
  defaultPermissionProfile?: BuiltinProfileName;
  maxReplicas?: number;
  /** Ceilings on the proxy's spec.resources and on every container's resources (limits and requests). */
  maxResources?: ResourceCeilings;
  /** The Pod Security Standard the MCP server's pod must meet (with the namespace's enforce label, the stricter). */
  podSecurityLevel?: PodSecurityLevel;
  /** Whether spec.podTemplateSpec may pin the pod to a node (nodeName bypasses the scheduler). */
  allowNodeName?: boolean;
  /** Whether the pod may use the host's network, which no NetworkPolicy (so no permission profile) reaches. */
  allowHostNetwork?: boolean;
  /** ServiceAccounts the MCP server may run as instead of the one the operator makes; `*` for any. */
  allowedServiceAccounts?: string[];
  /** Namespace patterns where an MCPServer must name an OIDC config (oidcConfigRef or oidcConfig). */
  authenticationRequiredNamespaces?: string[];
  /** Namespace patterns where transport stdio (one server process shared by every session) is denied. */
  separateSessionsRequiredNamespaces?: string[];
  /**
   * The namespaces whose pods may reach a proxy (besides its own); applied by the controller to each
   * proxy's ingress NetworkPolicy (lib/proxy-clients.ts). Only validated here.
   */
  proxyClientNamespaces?: string[];
  /** The Gateways MCPServers may be exposed through (lib/exposure.ts); the controller builds the routes. */
  exposure?: ExposurePolicy;
}

export const POLICY_KEY = 'policy.yaml';

/** Everything allowed, in every namespace: the policy when no ConfigMap is configured. */
export function defaultPolicy(): AdmissionPolicy {
  return { servedNamespaces: 'all' };
}

export type PolicyParseResult = { policy: AdmissionPolicy } | { errors: string[] };

const KNOWN_KEYS = new Set([
  'servedNamespaces',
  'allowedImageRegistries',
  'allowedPermissionProfiles',
  'defaultPermissionProfile',
  'maxReplicas',
  'maxResources',
  'podSecurityLevel',
  'allowNodeName',
  'allowHostNetwork',
  'allowedServiceAccounts',
  'authenticationRequiredNamespaces',
  'separateSessionsRequiredNamespaces',
  PROXY_CLIENT_NAMESPACES_KEY,
  EXPOSURE_KEY,
]);

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function parseServedNamespaces(value: unknown, errors: string[]): 'all' | string[] {
  if (value === undefined || value === 'all') return 'all';
  if (isStringList(value)) return value;
  errors.push('servedNamespaces: must be "all" or a list of namespace names');
  return 'all';
}

function parseProfileRules(value: unknown, errors: string[]): PermissionProfileRule[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    errors.push('allowedPermissionProfiles: must be a list of {profile, namespaces}');
    return undefined;
  }
  return value.flatMap((item: unknown, i) => {
    const rule = dict(item);
    if (typeof rule.profile === 'string' && isStringList(rule.namespaces)) {
      return [{ profile: rule.profile, namespaces: rule.namespaces }];
    }
    errors.push(`allowedPermissionProfiles[${i}]: needs a string profile and a list of namespaces`);
    return [];
  });
}

function parseCeilings(value: unknown, errors: string[]): ResourceCeilings | undefined {
  if (value === undefined) return undefined;
  if (!isDict(value)) {
    errors.push('maxResources: must be a map with cpu and/or memory');
    return undefined;
  }
  const ceilings: ResourceCeilings = {};
  for (const [name, quantity] of Object.entries(value)) {
    if (
      (name !== 'cpu' && name !== 'memory') ||
      typeof quantity !== 'string' ||
      parseQuantity(quantity) === undefined
    ) {
      errors.push(`maxResources.${name}: must be cpu or memory with a quantity string such as "2" or "1Gi"`);
    } else ceilings[name] = quantity;
  }
  return ceilings;
}

function parseDocument(doc: Dict, errors: string[]): AdmissionPolicy {
  for (const key of Object.keys(doc)) if (!KNOWN_KEYS.has(key)) errors.push(`${key}: unknown policy field`);
  const policy: AdmissionPolicy = { servedNamespaces: parseServedNamespaces(doc.servedNamespaces, errors) };
  const registries = doc.allowedImageRegistries;
  if (isStringList(registries)) policy.allowedImageRegistries = registries;
  else if (registries !== undefined) errors.push('allowedImageRegistries: must be a list of image prefixes');
  const profiles = parseProfileRules(doc.allowedPermissionProfiles, errors);
  if (profiles) policy.allowedPermissionProfiles = profiles;
  const fallback = doc.defaultPermissionProfile;
  if (fallback === 'none' || fallback === 'network') policy.defaultPermissionProfile = fallback;
  else if (fallback !== undefined) errors.push('defaultPermissionProfile: must be "none" or "network"');
  const max = doc.maxReplicas;
  if (typeof max === 'number' && Number.isInteger(max) && max >= 0) policy.maxReplicas = max;
  else if (max !== undefined) errors.push('maxReplicas: must be a non-negative integer');
  const ceilings = parseCeilings(doc.maxResources, errors);
  if (ceilings) policy.maxResources = ceilings;
  parsePodKeys(doc, policy, errors);
  parseTenancyKeys(doc, policy, errors);
  return policy;
}

function parseTenancyKeys(doc: Dict, policy: AdmissionPolicy, errors: string[]): void {
  for (const key of ['authenticationRequiredNamespaces', 'separateSessionsRequiredNamespaces'] as const) {
    const value = doc[key];
    if (isStringList(value) && value.every((p) => p !== '')) policy[key] = value;
    else if (value !== undefined && value !== null)
      errors.push(`${key}: must be a list of namespace names or patterns ending in *`);
  }
  const clients = parseProxyClientNamespaces(doc[PROXY_CLIENT_NAMESPACES_KEY]);
  if ('problem' in clients) errors.push(clients.problem);
  else if (clients.namespaces) policy.proxyClientNamespaces = clients.namespaces;
  const exposure = parseExposure(doc[EXPOSURE_KEY]);
  if ('problems' in exposure) errors.push(...exposure.problems);
  else if (exposure.exposure) policy.exposure = exposure.exposure;
}

function parsePodKeys(doc: Dict, policy: AdmissionPolicy, errors: string[]): void {
  const level = doc.podSecurityLevel;
  if (POD_SECURITY_LEVELS.includes(level as PodSecurityLevel))
    policy.podSecurityLevel = level as PodSecurityLevel;
  else if (level !== undefined)
    errors.push('podSecurityLevel: must be "restricted", "baseline" or "privileged"');
  for (const key of ['allowNodeName', 'allowHostNetwork'] as const) {
    const value = doc[key];
    if (typeof value === 'boolean') policy[key] = value;
    else if (value !== undefined) errors.push(`${key}: must be true or false`);
  }
  const accounts = doc.allowedServiceAccounts;
  if (isStringList(accounts)) policy.allowedServiceAccounts = accounts;
  else if (accounts !== undefined)
    errors.push('allowedServiceAccounts: must be a list of ServiceAccount names');
}

/** The Pod Security level the policy asks for. */
export const policyPodSecurityLevel = (policy: AdmissionPolicy): PodSecurityLevel =>
  policy.podSecurityLevel ?? DEFAULT_POD_SECURITY_LEVEL;

/** The policy in a ConfigMap's data, or every problem found in it. */
export function parsePolicy(configMapData: Record<string, string>): PolicyParseResult {
  const text = configMapData[POLICY_KEY];
  if (text === undefined) return { errors: [`missing key ${POLICY_KEY}`] };
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    return { errors: [`${POLICY_KEY} is not valid YAML: ${(e as Error).message.split('\n')[0]}`] };
  }
  if (doc === null || doc === undefined) return { policy: defaultPolicy() };
  if (!isDict(doc)) return { errors: [`${POLICY_KEY} must be a YAML map`] };
  const errors: string[] = [];
  const policy = parseDocument(doc, errors);
  return errors.length > 0 ? { errors } : { policy };
}

/** Whether a namespace matches a pattern: an exact name, `*`, or a prefix ending in `*`. */
export function namespaceMatches(pattern: string, namespace: string): boolean {
  if (pattern.endsWith('*')) return namespace.startsWith(pattern.slice(0, -1));
  return pattern === namespace;
}
