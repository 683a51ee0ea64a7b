// The proxy's authentication, resolved from spec.oidcConfigRef (with the MCPOIDCConfig it names) or the
// legacy spec.oidcConfig, pure: the run config's `auth` section (proxy/config.ts RunConfigAuth, mirrored
// here because controller/ does not import proxy/), the volumes the proxy pod needs for it, and where the
// proxy must reach to verify tokens. Decisions:
// - Secret values never go into the run config: a client secret is a mounted file (clientSecretFile),
//   and so is a CA bundle. The legacy `configMap` type keeps its client secret in a ConfigMap (ToolHive
//   reads key `clientSecret`); that key is mounted as a file too, never copied.
// - kubernetesServiceAccount: the issuer is the one the cluster's tokens carry (ControllerConfig's,
//   discovered from the API server at start, or --service-account-issuer). ToolHive's CRD default
//   `https://kubernetes.default.svc` is read as "the cluster's": a cluster whose tokens say otherwise
//   (ours say https://kubernetes.default.svc.cluster.local) would otherwise refuse every token. JWKS from
//   https://kubernetes.default.svc/openid/v1/jwks unless set. useClusterAuth (default true) mounts the
//   pod's own token and CA (automountServiceAccountToken) for those requests. Tokens are accepted only
//   from ServiceAccounts of `namespace` (default: the MCPServer's), and of `serviceAccount` when named.
// - Audiences: the reference's audience and the resource URL (RFC 8707: a token for this resource).
//   A legacy inline config without audience gets the resource URL alone: an audience check is never
//   skipped (ToolHive skips it). Legacy `kubernetes` keeps ToolHive's default audience `toolhive`.
// - Scopes: advertised as scopes_supported (default ["openid"], as ToolHive); required of every token
//   only when the reference sets them (ToolHive only advertises them).
// - resourceUrl: as given, else the proxy's own URL (status.url without its fragment).
// - jwksAllowPrivateIP and protectedResourceAllowPrivateIP are accepted and have no effect: the proxy
//   never refuses private addresses.
// - A Secret or ConfigMap key it would mount that is missing (oidc-files.ts) fails the plan
//   (OIDCConfigRefNotValid, ToolHive's reason, the message naming it): the proxy is held, not left in
//   FailedMount.
import { missingOidcFile, oidcFiles } from './oidc-files.ts';
import { isDict, str, type Dict, type Finding, type ServerFacts } from './types.ts';

export interface RunConfigAuth {
  issuer: string;
  audiences: string[];
  resourceUrl: string;
  scopesSupported: string[];
  requiredScopes: string[];
  jwksUrl?: string;
  introspectionUrl?: string;
  clientId?: string;
  clientSecretFile?: string;
  caBundleFile?: string;
  authTokenFile?: string;
  insecureAllowHTTP?: boolean;
  kubernetes?: { namespace: string; serviceAccount?: string };
}

/** Where the proxy must be able to connect for authentication (proxy-networkpolicy.ts). */
export interface AuthEgress {
  /** The kube-apiserver (kubernetesServiceAccount: JWKS, discovery). */
  apiServer: boolean;
  /** TCP ports of other issuers' endpoints, anywhere: a NetworkPolicy cannot name hosts. */
  ports: number[];
}

export interface OidcPlan {
  auth?: RunConfigAuth;
  volumes: Dict[];
  mounts: Dict[];
  /** The pod's own ServiceAccount token and CA are needed (useClusterAuth). */
  clusterToken: boolean;
  egress: AuthEgress;
  /** Condition OIDCConfigRefValidated; undefined when the server names no OIDC config. */
  finding?: Finding;
}

export const TOOLHIVE_KUBE_ISSUER = 'https://kubernetes.default.svc';
export const KUBE_JWKS_URL = 'https://kubernetes.default.svc/openid/v1/jwks';
export const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
export const AUTH_MOUNT_DIR = '/etc/mcp-operator-auth';
const CLIENT_SECRET_DIR = `${AUTH_MOUNT_DIR}/client-secret`;
const CA_DIR = `${AUTH_MOUNT_DIR}/ca`;
export const CLIENT_SECRET_FILE = `${CLIENT_SECRET_DIR}/secret`;
export const CA_BUNDLE_FILE = `${CA_DIR}/ca.crt`;

export const NO_EGRESS: AuthEgress = { apiServer: false, ports: [] };
const NONE: OidcPlan = { volumes: [], mounts: [], clusterToken: false, egress: NO_EGRESS };

const VALID = 'OIDCConfigRefValid';
const NOT_FOUND = 'OIDCConfigRefNotFound';
const NOT_VALID = 'OIDCConfigRefNotValid';

/** What the resolution needs besides the MCPServer. */
export interface OidcInputs {
  namespace: string;
  /** The proxy's own URL (status.url). */
  proxyUrl: string;
  /** The issuer of the cluster's ServiceAccount tokens. */
  clusterIssuer: string;
  clusterDomain: string;
}

interface Source {
  /** What the condition message calls it. */
  what: string;
  audience: string | undefined;
  scopes: string[] | undefined;
  resourceUrl: string | undefined;
}

const dict = (v: unknown): Dict => (isDict(v) ? v : {});
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s !== '') : undefined;
const failed = (reason: string, message: string): OidcPlan => ({
  ...NONE,
  finding: { status: 'False', reason, message },
});
const unique = (values: (string | undefined)[]): string[] => [
  ...new Set(values.filter((v): v is string => !!v)),
];

/** The authentication of `spec` (oidcConfigRef, else oidcConfig); NONE when it names neither. */
export function oidcPlan(spec: Dict, facts: ServerFacts, inputs: OidcInputs): OidcPlan {
  const plan = resolvedPlan(spec, facts, inputs);
  if (plan.finding?.status !== 'True') return plan;
  const files = oidcFiles(spec, facts.oidcConfig);
  const missing = missingOidcFile(files, facts.oidcFileKeys, inputs.namespace);
  return missing ? failed(NOT_VALID, missing) : plan;
}

function resolvedPlan(spec: Dict, facts: ServerFacts, inputs: OidcInputs): OidcPlan {
  if (isDict(spec.oidcConfigRef)) {
    const ref = spec.oidcConfigRef;
    const name = str(ref.name);
    const source: Source = {
      what: `MCPOIDCConfig ${name}`,
      audience: str(ref.audience) || undefined,
      scopes: strings(ref.scopes),
      resourceUrl: str(ref.resourceUrl) || undefined,
    };
    const found = facts.oidcConfig;
    if (!found) return failed(NOT_FOUND, `${source.what} not found in namespace ${inputs.namespace}`);
    if (!source.audience) return failed(NOT_VALID, 'spec.oidcConfigRef.audience is required');
    const cfg = dict(found.spec);
    if (cfg.type === 'kubernetesServiceAccount')
      return kubernetesPlan(dict(cfg.kubernetesServiceAccount), source, inputs);
    if (cfg.type === 'inline' && isDict(cfg.inline)) return inlinePlan(cfg.inline, source, inputs);
    return failed(
      NOT_VALID,
      `${source.what}: spec.type ${JSON.stringify(cfg.type)} has no matching settings`,
    );
  }
  if (isDict(spec.oidcConfig)) return legacyPlan(spec.oidcConfig, facts, inputs);
  return NONE;
}

function legacyPlan(legacy: Dict, facts: ServerFacts, inputs: OidcInputs): OidcPlan {
  const type = legacy.type ?? 'kubernetes';
  const resourceUrl = str(legacy.resourceUrl) || undefined;
  if (type === 'kubernetes') {
    const k = dict(legacy.kubernetes);
    const source = {
      what: 'spec.oidcConfig',
      audience: str(k.audience) || 'toolhive',
      scopes: undefined,
      resourceUrl,
    };
    return kubernetesPlan(k, source, inputs);
  }
  if (type === 'inline' && isDict(legacy.inline)) {
    const i = legacy.inline;
    const source = {
      what: 'spec.oidcConfig',
      audience: str(i.audience) || undefined,
      scopes: strings(i.scopes),
      resourceUrl,
    };
    return inlinePlan(i, source, inputs);
  }
  if (type === 'configMap' && isDict(legacy.configMap)) {
    const name = str(legacy.configMap.name);
    const data = facts.authConfigMaps?.get(name);
    if (!data)
      return failed(
        NOT_FOUND,
        `ConfigMap ${name} (spec.oidcConfig.configMap) not found in namespace ${inputs.namespace}`,
      );
    return configMapPlan(name, data, legacy.configMap, resourceUrl, inputs);
  }
  return failed(NOT_VALID, `spec.oidcConfig.type ${JSON.stringify(type)} has no matching settings`);
}

/** ToolHive's legacy ConfigMap keys (cmd/thv-operator/pkg/oidc/resolver.go), the secret as a file. */
function configMapPlan(
  name: string,
  data: Record<string, string>,
  ref: Dict,
  resourceUrl: string | undefined,
  inputs: OidcInputs,
): OidcPlan {
  const inline: Dict = {
    issuer: data.issuer,
    jwksUrl: data.jwksUrl,
    introspectionUrl: data.introspectionUrl,
    clientId: data.clientId,
    jwksAuthTokenPath: data.jwksAuthTokenPath,
    insecureAllowHTTP: data.insecureAllowHTTP === 'true',
    caBundleRef: ref.caBundleRef,
  };
  const scopes = (data.scopes ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const source = {
    what: `ConfigMap ${name}`,
    audience: data.audience || undefined,
    scopes: scopes.length ? scopes : undefined,
    resourceUrl,
  };
  const plan = inlinePlan(inline, source, inputs);
  if (!plan.auth) return plan;
  if (data.thvCABundlePath && !isDict(ref.caBundleRef)) plan.auth.caBundleFile = data.thvCABundlePath;
  if (data.clientSecret !== undefined) {
    plan.auth.clientSecretFile = CLIENT_SECRET_FILE;
    plan.volumes.push({
      name: 'oidc-client-secret',
      configMap: { name, items: [{ key: 'clientSecret', path: 'secret' }] },
    });
    plan.mounts.push({ name: 'oidc-client-secret', mountPath: CLIENT_SECRET_DIR, readOnly: true });
  }
  return plan;
}

function common(
  source: Source,
  inputs: OidcInputs,
): Pick<RunConfigAuth, 'audiences' | 'resourceUrl' | 'scopesSupported' | 'requiredScopes'> {
  const resourceUrl = source.resourceUrl ?? inputs.proxyUrl.replace(/#.*$/, '');
  return {
    audiences: unique([source.audience, resourceUrl]),
    resourceUrl,
    scopesSupported: source.scopes?.length ? source.scopes : ['openid'],
    requiredScopes: source.scopes ?? [],
  };
}

function kubernetesPlan(k: Dict, source: Source, inputs: OidcInputs): OidcPlan {
  const given = str(k.issuer);
  const issuer = !given || given === TOOLHIVE_KUBE_ISSUER ? inputs.clusterIssuer : given;
  const clusterAuth = k.useClusterAuth !== false;
  const auth: RunConfigAuth = {
    issuer,
    ...common(source, inputs),
    jwksUrl: str(k.jwksUrl) || KUBE_JWKS_URL,
    ...(str(k.introspectionUrl) ? { introspectionUrl: str(k.introspectionUrl) } : {}),
    ...(clusterAuth ? { caBundleFile: `${SA_DIR}/ca.crt`, authTokenFile: `${SA_DIR}/token` } : {}),
    kubernetes: {
      namespace: str(k.namespace) || inputs.namespace,
      ...(str(k.serviceAccount) ? { serviceAccount: str(k.serviceAccount) } : {}),
    },
  };
  return checked(
    { auth, volumes: [], mounts: [], clusterToken: clusterAuth, egress: egressFor(auth, inputs) },
    source,
  );
}

function inlinePlan(i: Dict, source: Source, inputs: OidcInputs): OidcPlan {
  if (!str(i.issuer)) return failed(NOT_VALID, `${source.what}: the issuer is required`);
  const auth: RunConfigAuth = { issuer: str(i.issuer), ...common(source, inputs) };
  for (const field of ['jwksUrl', 'introspectionUrl', 'clientId'] as const)
    if (str(i[field])) auth[field] = str(i[field]);
  if (str(i.jwksAuthTokenPath)) auth.authTokenFile = str(i.jwksAuthTokenPath);
  if (i.insecureAllowHTTP === true) auth.insecureAllowHTTP = true;
  const plan: OidcPlan = { auth, volumes: [], mounts: [], clusterToken: false, egress: NO_EGRESS };
  const secret = dict(i.clientSecretRef);
  if (str(secret.name)) {
    auth.clientSecretFile = CLIENT_SECRET_FILE;
    const key = str(secret.key) || 'clientSecret';
    plan.volumes.push({
      name: 'oidc-client-secret',
      secret: { secretName: str(secret.name), items: [{ key, path: 'secret' }] },
    });
    plan.mounts.push({ name: 'oidc-client-secret', mountPath: CLIENT_SECRET_DIR, readOnly: true });
  }
  const ca = dict(dict(i.caBundleRef).configMapRef);
  if (str(ca.name)) {
    auth.caBundleFile = CA_BUNDLE_FILE;
    const key = str(ca.key) || 'ca.crt';
    plan.volumes.push({
      name: 'oidc-ca-bundle',
      configMap: { name: str(ca.name), items: [{ key, path: 'ca.crt' }] },
    });
    plan.mounts.push({ name: 'oidc-ca-bundle', mountPath: CA_DIR, readOnly: true });
  }
  plan.egress = egressFor(auth, inputs);
  return checked(plan, source);
}

/** The URLs the proxy would refuse at start, found now: a proxy must not crash-loop on them. */
function checked(plan: OidcPlan, source: Source): OidcPlan {
  const auth = plan.auth!;
  for (const field of ['issuer', 'jwksUrl', 'introspectionUrl', 'resourceUrl'] as const) {
    const value = auth[field];
    if (value === undefined) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return failed(NOT_VALID, `${source.what}: ${field} ${JSON.stringify(value)} is not a URL`);
    }
    const httpOk = field === 'resourceUrl' || auth.insecureAllowHTTP === true;
    if (url.protocol !== 'https:' && !(httpOk && url.protocol === 'http:'))
      return failed(
        NOT_VALID,
        `${source.what}: ${field} must be an https URL (or set insecureAllowHTTP for http)`,
      );
  }
  return { ...plan, finding: { status: 'True', reason: VALID, message: `${source.what} is valid` } };
}

/** The API server's in-cluster names, and the issuer's host when it is the cluster's. */
function onApiServer(host: string, inputs: OidcInputs): boolean {
  const names = [
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    `kubernetes.default.svc.${inputs.clusterDomain}`,
  ];
  let issuerHost = '';
  try {
    issuerHost = new URL(inputs.clusterIssuer).hostname;
  } catch {
    // an issuer that is no URL names no host
  }
  return names.includes(host) || host === issuerHost;
}

/** Where the proxy fetches from: the JWKS (or, without one, the issuer's discovery) and introspection. */
export function egressFor(auth: RunConfigAuth, inputs: OidcInputs): AuthEgress {
  const fetched = [auth.jwksUrl ?? auth.issuer, auth.introspectionUrl].filter((u): u is string => !!u);
  const egress: AuthEgress = { apiServer: false, ports: [] };
  for (const value of fetched) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      continue;
    }
    if (onApiServer(url.hostname, inputs)) egress.apiServer = true;
    else egress.ports.push(Number(url.port) || (url.protocol === 'http:' ? 80 : 443));
  }
  egress.ports = [...new Set(egress.ports)].sort((a, b) => a - b);
  return egress;
}
