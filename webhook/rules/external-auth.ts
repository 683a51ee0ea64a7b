// spec.externalAuthConfigRef of an MCPServer: how its proxy authenticates to the MCP server. The
// MCPExternalAuthConfig must exist (companion-references.ts says Not found otherwise); here: outgoing
// authentication needs an HTTP server (a stdio server's stdin carries no credentials); tokenExchange
// needs the proxy to authenticate callers (their token is the subject token); the Secrets it names must
// exist with their keys, denied at spec.externalAuthConfigRef.name with the MCPExternalAuthConfig's
// field in the message, as authentication.ts does for an MCPOIDCConfig. Key names only, never values.
// Existence checks are skipped offline and for names facts.ts did not look up. Pure.
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
import { companionKey } from './companion-references.ts';
import { dict, isDict, metadataOf, specOf, str, type Dict } from './shape.ts';

const SPEC = FieldPath.of('spec');

/** Each Secret reference of the config's implemented type: its path in the config, name and key. */
function secretRefs(config: Dict): { path: FieldPath; name: string; key: string }[] {
  const spec = FieldPath.of('spec');
  const refs: [FieldPath, unknown][] = [
    [spec.child('tokenExchange', 'clientSecretRef'), dict(config.tokenExchange).clientSecretRef],
    [spec.child('headerInjection', 'valueSecretRef'), dict(config.headerInjection).valueSecretRef],
    [spec.child('bearerToken', 'tokenSecretRef'), dict(config.bearerToken).tokenSecretRef],
  ];
  return refs.flatMap(([path, ref]) => {
    const name = str(dict(ref).name);
    return name ? [{ path, name, key: str(dict(ref).key) ?? '' }] : [];
  });
}

/** The MCPExternalAuthConfig a server names, when the facts have it. */
function namedConfig(server: unknown, facts: AdmissionFacts): { name: string; config: Dict } | undefined {
  const name = str(dict(specOf(server).externalAuthConfigRef).name);
  const config = name ? facts.companions?.get(companionKey('MCPExternalAuthConfig', name)) : undefined;
  return name && isDict(config) ? { name, config } : undefined;
}

/** The Secrets the named MCPExternalAuthConfig references (facts.ts reads them in its second round). */
export function externalAuthSecrets(server: unknown, companions: AdmissionFacts['companions']): string[] {
  const named = namedConfig(server, {
    lookupsSkipped: false,
    secretKeys: new Map(),
    configMapData: new Map(),
    companions,
  });
  return named ? secretRefs(named.config).map((r) => r.name) : [];
}

export function checkExternalAuth(server: unknown, facts: AdmissionFacts): FieldError[] {
  const spec = specOf(server);
  if (spec.externalAuthConfigRef === undefined) return [];
  const refPath = SPEC.child('externalAuthConfigRef');
  const errors: FieldError[] = [];
  if ((str(spec.transport) ?? 'stdio') === 'stdio')
    errors.push(
      forbidden(
        refPath,
        'outgoing authentication applies to MCP servers reached over HTTP (transport sse or streamable-http); the proxy reaches a stdio server through its stdin, which carries no credentials',
      ),
    );
  const named = namedConfig(server, facts);
  if (!named) return errors;
  const hasIncomingAuth = spec.oidcConfigRef !== undefined || spec.oidcConfig !== undefined;
  if (str(named.config.type) === 'tokenExchange' && !hasIncomingAuth)
    errors.push(
      required(
        SPEC.child('oidcConfigRef'),
        `MCPExternalAuthConfig ${named.name} exchanges the caller's own token (RFC 8693): the proxy must authenticate callers (spec.oidcConfigRef or spec.oidcConfig)`,
      ),
    );
  return [...errors, ...checkSecretKeys(named, facts, str(metadataOf(server).namespace) ?? '')];
}

function checkSecretKeys(
  named: { name: string; config: Dict },
  facts: AdmissionFacts,
  namespace: string,
): FieldError[] {
  if (facts.lookupsSkipped) return [];
  const found = secretRefs(named.config).flatMap(({ path, name, key }) => {
    if (!facts.secretKeys.has(name)) return [];
    const keys = facts.secretKeys.get(name);
    if (keys === undefined)
      return [notFound(path.child('name'), name, `no Secret of that name in namespace ${namespace}`)];
    return keys.includes(key) ? [] : [notFound(path.child('key'), key, `Secret ${name} has no such key`)];
  });
  const namePath = SPEC.child('externalAuthConfigRef', 'name');
  return found.map((e) =>
    invalid(namePath, named.name, `MCPExternalAuthConfig ${named.name}: ${formatFieldError(e)}`),
  );
}
