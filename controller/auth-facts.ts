// What an MCPServer's authentication, authorization and companions (tool, telemetry, outgoing auth,
// webhook configs, group) read from the cluster, for the desired-state
// builders (desired/proxy-security.ts): the MCPOIDCConfig and MCPAuthzConfig it names and the
// ConfigMaps its legacy OIDC and authz configs name, all from the informer caches (no request), plus
// what the manager knows of the cluster: the ServiceAccount issuer and the policy's proxy clients.
// The Secrets and ConfigMaps the proxy mounts for authentication (desired/oidc-files.ts) are reduced to
// their key names: a ConfigMap's from the cache, a Secret's from `secretKeys` (the cache holds Secrets'
// metadata only; cluster-io.ts reads them as key digests, secret-digests.ts), so no value is kept.
import { companionKey, companionRefs } from '../schemas/companion-refs.ts';
import type { MCPServer } from '../schemas/generated/mcpserver.ts';
import { oidcFileKey, oidcFiles } from './desired/oidc-files.ts';
import { isDict, str, type Dict, type ServerFacts } from './desired/types.ts';
import { authConfigMapNames, type Caches } from './informers.ts';

export interface AuthKnown {
  clusterIssuer: string | undefined;
  proxyClients: readonly string[] | undefined;
  /** A Secret's keys (any value per key: only the names are kept); undefined when it does not exist. */
  secretKeys: (namespace: string, name: string) => Promise<Record<string, unknown> | undefined>;
}

export async function authFacts(
  server: MCPServer,
  caches: Pick<Caches, 'get'>,
  { secretKeys, ...known }: AuthKnown,
): Promise<Partial<ServerFacts>> {
  const namespace = server.metadata?.namespace ?? '';
  const spec = server.spec as unknown as Dict;
  const named = (field: string): string => (isDict(spec[field]) ? str(spec[field].name) : '');
  const facts: Partial<ServerFacts> = { ...known };
  if (named('oidcConfigRef'))
    facts.oidcConfig = caches.get('MCPOIDCConfig', namespace, named('oidcConfigRef'));
  if (named('authzConfigRef'))
    facts.authzConfig = caches.get('MCPAuthzConfig', namespace, named('authzConfigRef'));
  const companions = companionRefs(server);
  if (companions.length)
    facts.companions = new Map(
      companions.map(({ kind, name }) => [companionKey(kind, name), caches.get(kind, namespace, name)]),
    );
  const dataOf = (name: string) => {
    const found = caches.get('ConfigMap', namespace, name);
    return found ? ((found.data ?? {}) as Record<string, string>) : undefined;
  };
  const names = authConfigMapNames(spec);
  if (names.length) facts.authConfigMaps = new Map(names.map((n) => [n, dataOf(n)]));
  const files = oidcFiles(spec, facts.oidcConfig);
  if (files.length) {
    const keysOf = async (kind: 'Secret' | 'ConfigMap', name: string) => {
      const found = kind === 'Secret' ? await secretKeys(namespace, name) : dataOf(name);
      return found ? Object.keys(found) : undefined;
    };
    const entries = await Promise.all(
      files.map(async (f) => [oidcFileKey(f.kind, f.name), await keysOf(f.kind, f.name)] as const),
    );
    facts.oidcFileKeys = new Map(entries);
  }
  return facts;
}
