// spec.authzConfig and spec.authzConfigRef of an MCPServer: at most one (ToolHive's CEL rule and
// message); the MCPAuthzConfig named must exist in the namespace; authzConfig's type (default configMap,
// as ToolHive) matches the member set (ToolHive's CEL messages); inline Cedar policies parse and would
// apply (lib/authz-config.ts: syntax with line and column, actions and entity types the proxy asks
// about), and so does a ConfigMap-held config (key default authz.json, JSON or YAML), whose problems are
// reported at spec.authzConfig.configMap.key naming the ConfigMap.
import { authzConfigFromInline, checkCedarConfig, parseAuthzConfigFile } from '../../lib/authz-config.ts';
import type { AdmissionFacts } from '../facts.ts';
import { FieldPath, forbidden, invalid, notFound, required, type FieldError } from '../field.ts';
import { authConfigKey, authzTypeOf, DEFAULT_AUTHZ_KEY } from './auth-references.ts';
import { checkConfigMapKey } from './authentication.ts';
import { cedarProblemErrors } from './cedar-problems.ts';
import { dict, isDict, metadataOf, specOf, str, type Dict } from './shape.ts';

const SPEC = FieldPath.of('spec');
export const AUTHZ_BOTH =
  'authzConfig and authzConfigRef are mutually exclusive; use authzConfigRef to reference a shared MCPAuthzConfig';
const memberMessage = (member: string) =>
  `${member} must be set when type is '${member}', and must not be set otherwise`;

// checkCedarConfig's paths (CedarAuthzConfig's keys) -> where they are in spec.authzConfig.
const INLINE_NAMES: Record<string, (string | number)[]> = {
  policies: ['inline', 'policies'],
  entitiesJson: ['inline', 'entitiesJson'],
};

function checkInline(authz: Dict, path: FieldPath): FieldError[] {
  const result = authzConfigFromInline(authz);
  if ('problems' in result) return cedarProblemErrors(result.problems, path, authz);
  return cedarProblemErrors(checkCedarConfig(result.config), path, authz, INLINE_NAMES);
}

function checkConfigMap(
  authz: Dict,
  path: FieldPath,
  facts: AdmissionFacts,
  namespace: string,
): FieldError[] {
  const ref = dict(authz.configMap);
  const name = str(ref.name);
  const key = str(ref.key) || DEFAULT_AUTHZ_KEY;
  const at = path.child('configMap');
  const missing = checkConfigMapKey(facts, name, key, at.child('name'), at.child('key'), namespace);
  if (missing.length > 0 || !name) return missing;
  const text = facts.configMapData.get(name)?.[key];
  if (text === undefined) return [];
  const parsed = parseAuthzConfigFile(text);
  const problems = 'problems' in parsed ? parsed.problems : checkCedarConfig(parsed.config);
  return problems.map((p) => {
    const where = p.line !== undefined ? `, line ${p.line}, column ${p.column ?? 1}` : '';
    const inFile = p.path.length > 0 ? ` at ${p.path.join('.')}` : '';
    return invalid(at.child('key'), key, `ConfigMap ${name}${inFile}${where}: ${p.message}`);
  });
}

/** Every problem of the server's authorization settings, all at once. */
export function checkAuthorization(server: unknown, facts: AdmissionFacts): FieldError[] {
  const spec = specOf(server);
  const namespace = str(metadataOf(server).namespace) ?? '';
  const errors: FieldError[] = [];
  if (isDict(spec.authzConfig) && isDict(spec.authzConfigRef))
    errors.push(forbidden(SPEC.child('authzConfig'), AUTHZ_BOTH));
  if (isDict(spec.authzConfigRef)) {
    const name = str(spec.authzConfigRef.name);
    const key = name ? authConfigKey('MCPAuthzConfig', name) : '';
    if (name && !facts.lookupsSkipped && facts.authConfigs?.has(key) && !facts.authConfigs.get(key)) {
      const detail = `no MCPAuthzConfig of that name in namespace ${namespace}`;
      errors.push(notFound(SPEC.child('authzConfigRef', 'name'), name, detail));
    }
  }
  if (!isDict(spec.authzConfig)) return errors;
  const authz = spec.authzConfig;
  const path = SPEC.child('authzConfig');
  const type = authzTypeOf(authz);
  for (const member of ['configMap', 'inline'] as const) {
    const set = isDict(authz[member]);
    if (type === member && !set) errors.push(required(path.child(member), memberMessage(member)));
    if (type !== member && set) errors.push(forbidden(path.child(member), memberMessage(member)));
  }
  if (type === 'inline' && isDict(authz.inline)) errors.push(...checkInline(authz, path));
  if (type === 'configMap' && isDict(authz.configMap))
    errors.push(...checkConfigMap(authz, path, facts, namespace));
  return errors;
}
