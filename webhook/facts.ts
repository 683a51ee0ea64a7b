// What the admission rules need to know from the cluster, and the only webhook module that asks for it.
// The rules themselves stay pure: gatherFacts reads each referenced Secret and ConfigMap once, up front,
// and the decision is made from the resulting AdmissionFacts (see review.ts).
import type { PodSecurityLevel } from './policy.ts';
import {
  authConfigKey,
  authConfigMaps,
  authConfigRefs,
  authSecrets,
  oidcConfigFiles,
  type AuthConfigKind,
} from './rules/auth-references.ts';
import { companionKey, companionRefs } from './rules/companion-references.ts';
import { sessionStorageSecrets } from './rules/scale-out.ts';
import type { ConfigKind } from './config-kinds.ts';
import { dict, dictsOf, specOf, str, type Dict } from './rules/shape.ts';

import { externalAuthSecrets } from './rules/external-auth.ts';
import { webhookConfigSecrets } from './rules/webhook-config.ts';

export { authConfigKey, type AuthConfigKind } from './rules/auth-references.ts';

/**
 * Reads from the cluster. Resolving to `undefined` means "does not exist" (the rules deny with Not found);
 * throwing means "could not tell" (the review answers Errored 500, never a denial, so a flaky API server
 * cannot make valid objects look invalid). The implementation against the API server is cluster-lookup.ts.
 */
export interface ClusterLookup {
  /** The data keys of a Secret (never its values). */
  getSecretKeys(namespace: string, name: string): Promise<string[] | undefined>;
  getConfigMapData(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  /** The Pod Security level the namespace enforces (its label, from a watch: no request), if any. */
  namespaceEnforceLevel?(namespace: string): PodSecurityLevel | undefined;
  /**
   * Whether the user a review names may create (or update) MCPServers in its namespace; asked before any
   * Secret or ConfigMap is read for the review (requester-access.ts). Unset: not asked.
   */
  requesterMay?(user: RequestUser, namespace: string, verb: 'create' | 'update'): Promise<boolean>;
  /**
   * The spec of an MCPOIDCConfig or MCPAuthzConfig (`{}` when it has none), undefined when it does not
   * exist. Unset: those references are not checked.
   */
  getAuthConfig?(kind: ConfigKind, namespace: string, name: string): Promise<Dict | undefined>;
  /** True only for offlineLookup: nothing is read and existence checks are skipped. */
  readonly offline?: boolean;
}

/** Who the API server says made the request (authentication.k8s.io/v1 UserInfo). */
export interface RequestUser {
  username: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
}

export interface AdmissionFacts {
  /** True when lookups were skipped (`validate --offline`): rules skip every existence check. */
  lookupsSkipped: boolean;
  /** Secret name -> its keys, or undefined when it does not exist. Names not referenced are absent. */
  secretKeys: ReadonlyMap<string, readonly string[] | undefined>;
  /** ConfigMap name -> its data, or undefined when it does not exist. */
  configMapData: ReadonlyMap<string, Readonly<Record<string, string>> | undefined>;
  /** The namespace's `pod-security.kubernetes.io/enforce` level; unset when unlabelled or offline. */
  namespaceLevel?: PodSecurityLevel;
  /** `<kind>/<name>` -> the referenced MCPOIDCConfig's or MCPAuthzConfig's spec, undefined when absent. */
  authConfigs?: ReadonlyMap<string, Dict | undefined>;
  /** `<Kind>/<name>` -> the spec of a companion the server names (rules/companion-references.ts). */
  companions?: ReadonlyMap<string, Dict | undefined>;
}

/** Facts that say lookups were skipped. */
export function skippedFacts(): AdmissionFacts {
  return { lookupsSkipped: true, secretKeys: new Map(), configMapData: new Map() };
}

/** A lookup that reads nothing, for `mcp-operator validate --offline`. */
export const offlineLookup: ClusterLookup = {
  offline: true,
  getSecretKeys: () => Promise.resolve(undefined),
  getConfigMapData: () => Promise.resolve(undefined),
};

/** The names of the Secrets the object references, each once. */
export function referencedSecrets(server: unknown): string[] {
  const names = dictsOf(specOf(server).secrets).map(([ref]) => str(ref.name));
  const all = [...names, ...authSecrets(server), ...sessionStorageSecrets(server)];
  return [...new Set(all.filter((n): n is string => !!n))];
}

/** The names of the ConfigMaps the object references, each once. */
export function referencedConfigMaps(server: unknown): string[] {
  const profile = dict(specOf(server).permissionProfile);
  const name = str(profile.name);
  const names =
    profile.type === 'configmap' && name ? [name, ...authConfigMaps(server)] : authConfigMaps(server);
  return [...new Set(names)];
}

/** Reads every Secret and ConfigMap the object references in its namespace. Rejects if a lookup fails. */
export async function gatherFacts(
  server: unknown,
  lookup: ClusterLookup,
  namespace: string,
): Promise<AdmissionFacts> {
  if (lookup.offline) return skippedFacts();
  const namespaceLevel = lookup.namespaceEnforceLevel?.(namespace);
  const level = namespaceLevel ? { namespaceLevel } : {};
  const secrets = referencedSecrets(server);
  const configMaps = referencedConfigMaps(server);
  const getAuthConfig = lookup.getAuthConfig?.bind(lookup);
  const configs: Array<{ kind: ConfigKind; name: string }> = getAuthConfig ? authConfigRefs(server) : [];
  const companions = getAuthConfig ? companionRefs(server) : [];
  configs.push(...companions);
  if (secrets.length === 0 && configMaps.length === 0 && configs.length === 0) {
    return { lookupsSkipped: false, secretKeys: new Map(), configMapData: new Map(), ...level };
  }
  // One Promise.all over every kind: the Secrets' answers first, then the ConfigMaps', then the configs'.
  const answers = await Promise.all<string[] | Record<string, string> | Dict | undefined>([
    ...secrets.map((name) => lookup.getSecretKeys(namespace, name)),
    ...configMaps.map((name) => lookup.getConfigMapData(namespace, name)),
    ...configs.map(({ kind, name }) => getAuthConfig!(kind, namespace, name)),
  ]);
  const afterMaps = secrets.length + configMaps.length;
  const facts: AdmissionFacts = {
    ...level,
    lookupsSkipped: false,
    secretKeys: new Map(secrets.map((name, i) => [name, answers[i] as string[] | undefined])),
    configMapData: new Map(
      configMaps.map((name, i) => [name, answers[secrets.length + i] as Record<string, string> | undefined]),
    ),
    ...(configs.length > companions.length
      ? {
          authConfigs: new Map(
            configs
              .slice(0, configs.length - companions.length)
              .map(({ kind, name }, i) => [
                authConfigKey(kind as AuthConfigKind, name),
                answers[afterMaps + i] as Dict | undefined,
              ]),
          ),
        }
      : {}),
    ...(companions.length > 0
      ? {
          companions: new Map(
            companions.map(({ kind, name }, i) => [
              companionKey(kind, name),
              answers[afterMaps + configs.length - companions.length + i] as Dict | undefined,
            ]),
          ),
        }
      : {}),
  };
  return withOidcConfigFiles(facts, server, lookup, namespace);
}

/**
 * A second round, after the first has found the MCPOIDCConfig the server names: the Secret and CA
 * ConfigMap it names when it is of type inline (those the first round read already are not read again).
 */
async function withOidcConfigFiles(
  facts: AdmissionFacts,
  server: unknown,
  lookup: ClusterLookup,
  namespace: string,
): Promise<AdmissionFacts> {
  const ref = authConfigRefs(server).find(({ kind }) => kind === 'MCPOIDCConfig');
  const spec = ref ? facts.authConfigs?.get(authConfigKey(ref.kind, ref.name)) : undefined;
  const files = oidcConfigFiles(spec);
  // The Secrets the named MCPExternalAuthConfig references, found in the first round too.
  const named = [
    ...files.secrets,
    ...externalAuthSecrets(server, facts.companions),
    ...webhookConfigSecrets(server, facts.companions),
  ];
  const secrets = [...new Set(named)].filter((name) => !facts.secretKeys.has(name));
  const configMaps = files.configMaps.filter((name) => !facts.configMapData.has(name));
  if (secrets.length === 0 && configMaps.length === 0) return facts;
  const [keys, data] = await Promise.all([
    Promise.all(secrets.map((name) => lookup.getSecretKeys(namespace, name))),
    Promise.all(configMaps.map((name) => lookup.getConfigMapData(namespace, name))),
  ]);
  return {
    ...facts,
    secretKeys: new Map([...facts.secretKeys, ...secrets.map((name, i) => [name, keys[i]] as const)]),
    configMapData: new Map([
      ...facts.configMapData,
      ...configMaps.map((name, i) => [name, data[i]] as const),
    ]),
  };
}
