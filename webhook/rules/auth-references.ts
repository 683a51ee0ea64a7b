// What an MCPServer's authentication and authorization fields name in its namespace, read defensively:
// the MCPOIDCConfig and MCPAuthzConfig (oidcConfigRef, authzConfigRef), the ConfigMaps (legacy
// oidcConfig.configMap, CA bundles, authzConfig.configMap) and the Secret (legacy inline
// clientSecretRef). facts.ts reads them before the rules run; the rules check what it found. An inline
// MCPOIDCConfig names a Secret and a CA ConfigMap of its own (oidcConfigFiles): facts.ts reads those
// once the config is found. Every reference is a name in the MCPServer's own namespace: none of these
// fields can name another (nor can an MCPOIDCConfig's, read in the MCPServer's namespace too).
// The defaults are ToolHive's: oidcConfig.type kubernetes, authzConfig.type configMap, the authz key
// authz.json and the CA bundle key ca.crt.
import { dict, isDict, str, type Dict } from './shape.ts';

export type AuthConfigKind = 'MCPOIDCConfig' | 'MCPAuthzConfig';

export const DEFAULT_AUTHZ_KEY = 'authz.json';
export const DEFAULT_CA_BUNDLE_KEY = 'ca.crt';

/** The key of a referenced MCPOIDCConfig or MCPAuthzConfig in AdmissionFacts.authConfigs. */
export const authConfigKey = (kind: AuthConfigKind, name: string): string => `${kind}/${name}`;

const specOf = (server: unknown): Dict => dict(dict(server).spec);
const named = (value: unknown): string | undefined => str(dict(value).name) || undefined;

/** The legacy oidcConfig's type, defaulted as ToolHive's CRD does. */
export const oidcTypeOf = (oidc: Dict): unknown => oidc.type ?? 'kubernetes';
/** The authzConfig's type, defaulted as ToolHive's CRD does. */
export const authzTypeOf = (authz: Dict): unknown => authz.type ?? 'configMap';

/** The MCPOIDCConfig and MCPAuthzConfig the server names. */
export function authConfigRefs(server: unknown): Array<{ kind: AuthConfigKind; name: string }> {
  const spec = specOf(server);
  const out: Array<{ kind: AuthConfigKind; name: string }> = [];
  const oidc = named(spec.oidcConfigRef);
  if (oidc) out.push({ kind: 'MCPOIDCConfig', name: oidc });
  const authz = named(spec.authzConfigRef);
  if (authz) out.push({ kind: 'MCPAuthzConfig', name: authz });
  return out;
}

/** The ConfigMaps the legacy oidcConfig and the authzConfig name. */
export function authConfigMaps(server: unknown): string[] {
  const spec = specOf(server);
  const names: (string | undefined)[] = [];
  if (isDict(spec.oidcConfig)) {
    const oidc = spec.oidcConfig;
    const type = oidcTypeOf(oidc);
    if (type === 'inline') names.push(named(dict(dict(oidc.inline).caBundleRef).configMapRef));
    if (type === 'configMap') {
      names.push(named(oidc.configMap));
      names.push(named(dict(dict(oidc.configMap).caBundleRef).configMapRef));
    }
  }
  if (isDict(spec.authzConfig) && authzTypeOf(spec.authzConfig) === 'configMap')
    names.push(named(spec.authzConfig.configMap));
  return names.filter((n): n is string => !!n);
}

/** The Secrets the legacy oidcConfig names (inline clientSecretRef). */
export function authSecrets(server: unknown): string[] {
  const oidc = dict(specOf(server).oidcConfig);
  if (oidcTypeOf(oidc) !== 'inline') return [];
  const name = named(dict(oidc.inline).clientSecretRef);
  return name ? [name] : [];
}

/** The Secret (clientSecretRef) and CA ConfigMap (caBundleRef) an MCPOIDCConfig of type inline names. */
export function oidcConfigFiles(spec: Dict | undefined): { secrets: string[]; configMaps: string[] } {
  const inline = dict(spec?.inline);
  if (spec?.type !== 'inline') return { secrets: [], configMaps: [] };
  const secret = named(inline.clientSecretRef);
  const ca = named(dict(inline.caBundleRef).configMapRef);
  return { secrets: secret ? [secret] : [], configMaps: ca ? [ca] : [] };
}
