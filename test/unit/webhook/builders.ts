// Test builders (cert-manager's test/unit/gen habit): mcpServer(name, ...mods) starts from a valid object
// and each withX changes one thing, so a test shows only what matters to it.
import type { AdmissionFacts } from '../../../webhook/facts.ts';
import type { Dict } from '../../../webhook/rules/shape.ts';

export type Modifier = (server: Dict) => void;

const specOf = (server: Dict): Dict => server.spec as Dict;

export function mcpServer(name: string, ...mods: Modifier[]): Dict {
  const server: Dict = {
    apiVersion: 'toolhive.stacklok.dev/v1alpha1',
    kind: 'MCPServer',
    metadata: { name, namespace: 'team-a' },
    spec: { image: 'ghcr.io/example/server:1.0' },
  };
  for (const mod of mods) mod(server);
  return server;
}

export const withSpec =
  (fields: Dict): Modifier =>
  (server) => {
    Object.assign(specOf(server), fields);
  };

export const withNamespace =
  (namespace: string): Modifier =>
  (server) => {
    (server.metadata as Dict).namespace = namespace;
  };

export const withSecret =
  (name: string, key: string, targetEnvName?: string): Modifier =>
  (server) => {
    const spec = specOf(server);
    const ref: Dict = targetEnvName === undefined ? { name, key } : { name, key, targetEnvName };
    spec.secrets = [...((spec.secrets as Dict[] | undefined) ?? []), ref];
  };

export const withEnv =
  (name: string, value = 'x'): Modifier =>
  (server) => {
    const spec = specOf(server);
    spec.env = [...((spec.env as Dict[] | undefined) ?? []), { name, value }];
  };

export const withPodSpec =
  (podSpec: unknown): Modifier =>
  (server) => {
    specOf(server).podTemplateSpec = { spec: podSpec };
  };

export const withProfile =
  (type: string, name: string, key?: string): Modifier =>
  (server) => {
    specOf(server).permissionProfile = key === undefined ? { type, name } : { type, name, key };
  };

/** Facts as a cluster with these Secrets (name -> keys) and ConfigMaps (name -> data) would give them. */
export function factsWith(
  secrets: Record<string, string[]> = {},
  configMaps: Record<string, Record<string, string>> = {},
  referenced: { secrets?: string[]; configMaps?: string[] } = {},
): AdmissionFacts {
  const secretNames = [...Object.keys(secrets), ...(referenced.secrets ?? [])];
  const configMapNames = [...Object.keys(configMaps), ...(referenced.configMaps ?? [])];
  return {
    lookupsSkipped: false,
    secretKeys: new Map(secretNames.map((n) => [n, secrets[n]])),
    configMapData: new Map(configMapNames.map((n) => [n, configMaps[n]])),
  };
}

/** Facts in which the named Secrets and ConfigMaps were looked up and not found. */
export const factsMissing = (secrets: string[], configMaps: string[] = []): AdmissionFacts =>
  factsWith({}, {}, { secrets, configMaps });
