// What an MCPServer's authentication and authorization read from the cluster, for the desired-state
// builders (desired/proxy-security.ts): the MCPOIDCConfig and MCPAuthzConfig it names and the
// ConfigMaps its legacy OIDC and authz configs name, all from the informer caches (no request), plus
// what the manager knows of the cluster: the ServiceAccount issuer and the policy's proxy clients.
import type { MCPServer } from '../schemas/generated/mcpserver.ts';
import { isDict, str, type Dict, type ServerFacts } from './desired/types.ts';
import { authConfigMapNames, type Caches } from './informers.ts';

export function authFacts(
  server: MCPServer,
  caches: Pick<Caches, 'get'>,
  known: { clusterIssuer: string | undefined; proxyClients: readonly string[] | undefined },
): Partial<ServerFacts> {
  const namespace = server.metadata?.namespace ?? '';
  const spec = server.spec as unknown as Dict;
  const named = (field: string): string => (isDict(spec[field]) ? str(spec[field].name) : '');
  const facts: Partial<ServerFacts> = { ...known };
  if (named('oidcConfigRef'))
    facts.oidcConfig = caches.get('MCPOIDCConfig', namespace, named('oidcConfigRef'));
  if (named('authzConfigRef'))
    facts.authzConfig = caches.get('MCPAuthzConfig', namespace, named('authzConfigRef'));
  const names = authConfigMapNames(spec);
  if (names.length) {
    const dataOf = (name: string) => {
      const found = caches.get('ConfigMap', namespace, name);
      return found ? ((found.data ?? {}) as Record<string, string>) : undefined;
    };
    facts.authConfigMaps = new Map(names.map((n) => [n, dataOf(n)]));
  }
  return facts;
}
