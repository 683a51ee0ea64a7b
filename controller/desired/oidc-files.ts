// The user's objects the proxy's authentication mounts as files (proxy-auth.ts): the client secret
// (clientSecretRef: a Secret key) and the CA bundle (caBundleRef.configMapRef: a ConfigMap key) of an
// inline MCPOIDCConfig, of the legacy inline oidcConfig, and the legacy configMap type's CA bundle.
// Pure. A missing one would leave the proxy pod in ContainerCreating (FailedMount) with nothing said on
// the MCPServer: missingOidcFile finds it first, and proxy-auth.ts then fails OIDCConfigRefValidated and
// holds the proxy. The key defaults are the ones proxy-auth.ts mounts (clientSecret, ca.crt). Facts are
// key names only (auth-facts.ts), never a Secret's value. Each name is in the MCPServer's namespace:
// an MCPOIDCConfig is read in that namespace, and names objects in its own.
import { isDict, str, type Dict } from './types.ts';

export interface OidcFile {
  kind: 'Secret' | 'ConfigMap';
  name: string;
  key: string;
  /** Where it is named, for the condition message: `MCPOIDCConfig idp: spec.inline.clientSecretRef`. */
  field: string;
}

/** Key names by `<kind>/<name>` (oidcFileKey); undefined: no such object. Absent: not looked up. */
export type OidcFileKeys = ReadonlyMap<string, readonly string[] | undefined>;

export const oidcFileKey = (kind: OidcFile['kind'], name: string): string => `${kind}/${name}`;

const dict = (v: unknown): Dict => (isDict(v) ? v : {});

/** The files of an inline settings block (`inline`), named at `at`. */
function filesOf(inline: Dict, at: string): OidcFile[] {
  const files: OidcFile[] = [];
  const secret = dict(inline.clientSecretRef);
  if (str(secret.name))
    files.push({
      kind: 'Secret',
      name: str(secret.name),
      key: str(secret.key) || 'clientSecret',
      field: `${at}.clientSecretRef`,
    });
  const ca = dict(dict(inline.caBundleRef).configMapRef);
  if (str(ca.name))
    files.push({
      kind: 'ConfigMap',
      name: str(ca.name),
      key: str(ca.key) || 'ca.crt',
      field: `${at}.caBundleRef`,
    });
  return files;
}

/** The files an MCPOIDCConfig object (as cached: metadata and spec) names; none unless type inline. */
export function configFiles(config: Dict | undefined): OidcFile[] {
  const spec = dict(config?.spec);
  if (spec.type !== 'inline' || !isDict(spec.inline)) return [];
  return filesOf(spec.inline, `MCPOIDCConfig ${str(dict(config?.metadata).name)}: spec.inline`);
}

/**
 * The files an MCPServer's `spec` names for its authentication: through oidcConfigRef (the MCPOIDCConfig
 * as cached, `oidcConfig`; none while it is not known), else through the legacy oidcConfig.
 */
export function oidcFiles(spec: Dict, oidcConfig: Dict | undefined): OidcFile[] {
  if (isDict(spec.oidcConfigRef)) return oidcConfig ? configFiles(oidcConfig) : [];
  if (!isDict(spec.oidcConfig)) return [];
  const legacy = spec.oidcConfig;
  const type = legacy.type ?? 'kubernetes';
  if (type === 'inline' && isDict(legacy.inline)) return filesOf(legacy.inline, 'spec.oidcConfig.inline');
  if (type === 'configMap' && isDict(legacy.configMap))
    return filesOf({ caBundleRef: legacy.configMap.caBundleRef }, 'spec.oidcConfig.configMap');
  return [];
}

/** What the first missing file is, as the condition says it; undefined when none is (or not known). */
export function missingOidcFile(
  files: readonly OidcFile[],
  keys: OidcFileKeys | undefined,
  namespace: string,
): string | undefined {
  for (const file of files) {
    const id = oidcFileKey(file.kind, file.name);
    if (!keys?.has(id)) continue;
    const found = keys.get(id);
    const what = `${file.kind} ${JSON.stringify(file.name)}`;
    if (found === undefined) return `${file.field}: ${what} not found in namespace ${namespace}`;
    if (!found.includes(file.key)) return `${file.field}: ${what} has no key ${JSON.stringify(file.key)}`;
  }
  return undefined;
}
