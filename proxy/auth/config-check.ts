// The run config's `auth` section checked before the proxy starts (config.ts checkRunConfigFile calls
// it): a proxy with a bad auth config must fail at start, naming the field, not serve anything open or
// refuse everything. Pure: whether the files can be read is tried when the proxy starts (verifier.ts).
import type { RunConfigAuth } from '../config.ts';
import { ASYMMETRIC_ALGORITHMS } from './algorithms.ts';

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';

type Fields = Partial<Record<keyof RunConfigAuth, unknown>>;

/** The first problem of the section (prefixed `auth.`), or undefined. */
export function authProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'auth must be an object';
  const auth = value as Fields;
  if (auth.insecureAllowHTTP !== undefined && typeof auth.insecureAllowHTTP !== 'boolean')
    return 'auth.insecureAllowHTTP must be true or false';
  return (
    urlsProblem(auth) ?? listsProblem(auth) ?? numbersProblem(auth) ?? kubernetesProblem(auth.kubernetes)
  );
}

function urlsProblem(auth: Fields): string | undefined {
  const insecure = auth.insecureAllowHTTP === true;
  const urlProblem = (
    field: keyof RunConfigAuth,
    required: boolean,
    anyScheme = false,
  ): string | undefined => {
    const v = auth[field];
    if (v === undefined && !required) return undefined;
    if (!isText(v)) return `auth.${field} must be a URL`;
    if (!URL.canParse(v)) return `auth.${field} ${JSON.stringify(v)} is not a URL`;
    const { protocol } = new URL(v);
    if (protocol === 'https:' || anyScheme || (protocol === 'http:' && insecure)) return undefined;
    return `auth.${field} must be an https URL (or set insecureAllowHTTP for http)`;
  };
  return (
    urlProblem('issuer', true) ??
    urlProblem('jwksUrl', false) ??
    urlProblem('introspectionUrl', false) ??
    // resourceUrl is where clients reach the proxy (often http inside the cluster), not a fetch target.
    urlProblem('resourceUrl', true, true)
  );
}

function listsProblem(auth: Fields): string | undefined {
  if (!isStrings(auth.audiences) || auth.audiences.length === 0 || auth.audiences.includes(''))
    return 'auth.audiences must be a non-empty list of strings';
  for (const field of ['scopesSupported', 'requiredScopes'] as const)
    if (auth[field] !== undefined && !isStrings(auth[field]))
      return `auth.${field} must be a list of strings`;
  for (const field of ['clientId', 'clientSecretFile', 'caBundleFile', 'authTokenFile'] as const)
    if (auth[field] !== undefined && !isText(auth[field])) return `auth.${field} must be a non-empty string`;
  if (auth.clientSecretFile !== undefined && auth.clientId === undefined)
    return 'auth.clientSecretFile needs auth.clientId';
  return algorithmsProblem(auth.algorithms);
}

function algorithmsProblem(algorithms: unknown): string | undefined {
  if (algorithms === undefined) return undefined;
  if (!isStrings(algorithms) || algorithms.length === 0)
    return 'auth.algorithms must be a non-empty list of strings';
  const refused = algorithms.filter((a) => !ASYMMETRIC_ALGORITHMS.includes(a));
  if (refused.length === 0) return undefined;
  return `auth.algorithms: ${refused.join(', ')} not accepted (only ${ASYMMETRIC_ALGORITHMS.join(', ')})`;
}

function numbersProblem(auth: Fields): string | undefined {
  const skew = auth.clockSkewSeconds;
  if (skew === undefined || (typeof skew === 'number' && Number.isFinite(skew) && skew >= 0 && skew <= 600))
    return undefined;
  return 'auth.clockSkewSeconds must be a number of seconds from 0 to 600';
}

function kubernetesProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null)
    return 'auth.kubernetes must be {namespace, serviceAccount?}';
  const k = value as { namespace?: unknown; serviceAccount?: unknown };
  if (!isText(k.namespace)) return 'auth.kubernetes must be {namespace, serviceAccount?}';
  if (k.serviceAccount !== undefined && !isText(k.serviceAccount))
    return 'auth.kubernetes.serviceAccount must be a non-empty string';
  return undefined;
}
