// spec.oidcConfigRef and the legacy spec.oidcConfig of an MCPServer: at most one of them; the
// MCPOIDCConfig named must exist in the namespace; the legacy config's type matches the member set
// (ToolHive's default type is kubernetes); its Secret and ConfigMaps exist with their keys; issuer, JWKS
// and introspection URLs are https unless insecureAllowHTTP; resourceUrl is an absolute http(s) URL.
// Legacy `kubernetes.namespace` may name another namespace: it says whose ServiceAccount tokens are
// accepted, it reads nothing there. The legacy `configMap` type keeps its settings in the ConfigMap's
// keys (issuer, audience, jwksUrl, ..., as ToolHive's resolver reads them): the ConfigMap must exist and
// hold `issuer`. An inline MCPOIDCConfig's clientSecretRef and caBundleRef are checked as the legacy
// inline ones are, and denied at spec.oidcConfigRef.name (the field of this object that leads there),
// the message naming the MCPOIDCConfig's field: `MCPOIDCConfig idp: spec.inline.clientSecretRef.name:
// Not found: "s": no Secret of that name in namespace ns`. Key names only, never a Secret's value.
// Existence checks are skipped offline and for names facts.ts did not look up.
import type { AdmissionFacts } from '../facts.ts';
import {
  FieldPath,
  forbidden,
  formatFieldError,
  invalid,
  notFound,
  required,
  type FieldError,
} from '../field.ts';
import { authConfigKey, DEFAULT_CA_BUNDLE_KEY, oidcTypeOf } from './auth-references.ts';
import { dict, isDict, metadataOf, specOf, str, type Dict } from './shape.ts';
import { checkEndpointUrls, checkResourceUrl } from './urls.ts';

const SPEC = FieldPath.of('spec');
export const OIDC_BOTH =
  'oidcConfig and oidcConfigRef are mutually exclusive; use oidcConfigRef to reference a shared MCPOIDCConfig';

/** A ConfigMap `name` with `key`, from the facts; errors at namePath/keyPath. */
export function checkConfigMapKey(
  facts: AdmissionFacts,
  name: string | undefined,
  key: string,
  namePath: FieldPath,
  keyPath: FieldPath,
  namespace: string,
): FieldError[] {
  if (!name || facts.lookupsSkipped || !facts.configMapData.has(name)) return [];
  const data = facts.configMapData.get(name);
  if (data === undefined)
    return [notFound(namePath, name, `no ConfigMap of that name in namespace ${namespace}`)];
  if (data[key] === undefined) return [notFound(keyPath, key, `ConfigMap ${name} has no such key`)];
  return [];
}

/** caBundleRef.configMapRef: the ConfigMap and its key (default ca.crt). */
function checkCaBundle(
  ref: unknown,
  path: FieldPath,
  facts: AdmissionFacts,
  namespace: string,
): FieldError[] {
  const selector = dict(dict(ref).configMapRef);
  const refPath = path.child('configMapRef');
  const key = str(selector.key) || DEFAULT_CA_BUNDLE_KEY;
  return checkConfigMapKey(
    facts,
    str(selector.name),
    key,
    refPath.child('name'),
    refPath.child('key'),
    namespace,
  );
}

function checkClientSecret(
  ref: unknown,
  path: FieldPath,
  facts: AdmissionFacts,
  namespace: string,
): FieldError[] {
  const name = str(dict(ref).name);
  const key = str(dict(ref).key);
  if (!name || facts.lookupsSkipped || !facts.secretKeys.has(name)) return [];
  const keys = facts.secretKeys.get(name);
  if (keys === undefined)
    return [notFound(path.child('name'), name, `no Secret of that name in namespace ${namespace}`)];
  return key !== undefined && !keys.includes(key)
    ? [notFound(path.child('key'), key, `Secret ${name} has no such key`)]
    : [];
}

/** The Secret and CA ConfigMap of the inline MCPOIDCConfig `name` (its spec `config`), at namePath. */
function checkOidcConfigFiles(
  name: string,
  config: Dict,
  namePath: FieldPath,
  facts: AdmissionFacts,
  namespace: string,
): FieldError[] {
  if (config.type !== 'inline' || !isDict(config.inline)) return [];
  const at = SPEC.child('inline');
  const found = [
    ...checkClientSecret(config.inline.clientSecretRef, at.child('clientSecretRef'), facts, namespace),
    ...checkCaBundle(config.inline.caBundleRef, at.child('caBundleRef'), facts, namespace),
  ];
  return found.map((e) => invalid(namePath, name, `MCPOIDCConfig ${name}: ${formatFieldError(e)}`));
}

const MEMBERS = ['kubernetes', 'configMap', 'inline'] as const;

function checkLegacy(oidc: Dict, facts: AdmissionFacts, namespace: string): FieldError[] {
  const path = SPEC.child('oidcConfig');
  const type = oidcTypeOf(oidc);
  const errors = checkResourceUrl(oidc.resourceUrl, path.child('resourceUrl'));
  for (const member of MEMBERS) {
    const set = isDict(oidc[member]);
    if (type === member && !set && member !== 'kubernetes')
      errors.push(required(path.child(member), `must be set when type is "${member}"`));
    if (type !== member && set)
      errors.push(forbidden(path.child(member), `must not be set when type is ${JSON.stringify(type)}`));
  }
  if (type === 'kubernetes') {
    errors.push(...checkEndpointUrls(dict(oidc.kubernetes), path.child('kubernetes'), false));
  } else if (type === 'inline' && isDict(oidc.inline)) {
    const inline = oidc.inline;
    const at = path.child('inline');
    errors.push(...checkEndpointUrls(inline, at, inline.insecureAllowHTTP === true));
    errors.push(...checkClientSecret(inline.clientSecretRef, at.child('clientSecretRef'), facts, namespace));
    errors.push(...checkCaBundle(inline.caBundleRef, at.child('caBundleRef'), facts, namespace));
  } else if (type === 'configMap' && isDict(oidc.configMap)) {
    const at = path.child('configMap');
    const name = str(oidc.configMap.name);
    const found = checkConfigMapKey(facts, name, 'issuer', at.child('name'), at.child('name'), namespace);
    errors.push(...found);
    const data = name ? facts.configMapData.get(name) : undefined;
    if (found.length === 0 && data?.issuer !== undefined) {
      // The ConfigMap's values, checked as the inline ones are; named by the field that points at them.
      const allowHttp = data.insecureAllowHTTP === 'true';
      for (const e of checkEndpointUrls(data, at.child('name'), allowHttp))
        errors.push({ ...e, detail: `ConfigMap ${name ?? ''}: ${e.detail}` });
    }
    errors.push(...checkCaBundle(oidc.configMap.caBundleRef, at.child('caBundleRef'), facts, namespace));
  }
  return errors;
}

/** spec.oidcConfigRef: its resourceUrl, the MCPOIDCConfig it names and what that config names. */
function checkRef(ref: Dict, facts: AdmissionFacts, namespace: string): FieldError[] {
  const path = SPEC.child('oidcConfigRef');
  const errors = checkResourceUrl(ref.resourceUrl, path.child('resourceUrl'));
  const name = str(ref.name);
  if (!name || facts.lookupsSkipped || !facts.authConfigs?.has(authConfigKey('MCPOIDCConfig', name)))
    return errors;
  const config = facts.authConfigs.get(authConfigKey('MCPOIDCConfig', name));
  if (!config)
    errors.push(
      notFound(path.child('name'), name, `no MCPOIDCConfig of that name in namespace ${namespace}`),
    );
  else errors.push(...checkOidcConfigFiles(name, config, path.child('name'), facts, namespace));
  return errors;
}

/** Every problem of the server's authentication settings, all at once. */
export function checkAuthentication(server: unknown, facts: AdmissionFacts): FieldError[] {
  const spec = specOf(server);
  const namespace = str(metadataOf(server).namespace) ?? '';
  const errors: FieldError[] = [];
  if (isDict(spec.oidcConfig) && isDict(spec.oidcConfigRef))
    errors.push(forbidden(SPEC.child('oidcConfig'), OIDC_BOTH));
  if (isDict(spec.oidcConfigRef)) errors.push(...checkRef(spec.oidcConfigRef, facts, namespace));
  if (isDict(spec.oidcConfig)) errors.push(...checkLegacy(spec.oidcConfig, facts, namespace));
  return errors;
}
