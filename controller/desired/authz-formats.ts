// ToolHive's Cedar authorization formats, read for the proxy's run config (proxy-authz.ts), pure but for
// loading the Cedar wasm. A stand-in with exactly the signatures of lib/authz-config.ts (helper 2's
// shared reader, which admission uses too): when that lands, proxy-authz.ts imports it instead and this
// file goes. It checks what would make a proxy refuse to start: the shape of the three formats, Cedar
// syntax (with line and column in the policy's own text), and that entities are JSON.
//   MCPAuthzConfig spec      {type: cedarv1, config: {policies, entities_json, group_claim_name,
//                            role_claim_name, group_entity_type}}
//   spec.authzConfig inline  {inline: {policies, entitiesJson}, groupClaimName, roleClaimName,
//                            groupEntityType}
//   ConfigMap file           {version, type: cedarv1, cedar: {policies, entities_json, ...}} (JSON or YAML)
import { checkParsePolicySet } from '@cedar-policy/cedar-wasm/nodejs';
import { parse } from 'yaml';
import { isDict, str, type Dict } from './types.ts';

export interface CedarAuthzConfig {
  type: 'cedarv1';
  policies: string[];
  entitiesJson: string;
  groupClaimName?: string;
  roleClaimName?: string;
  groupEntityType?: string;
}
export interface AuthzProblem {
  path: (string | number)[];
  message: string;
  line?: number;
  column?: number;
}
type Result = { config: CedarAuthzConfig } | { problems: AuthzProblem[] };

/** 1-based line and column of a character offset in `text`. */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

export function checkCedarConfig(config: CedarAuthzConfig): AuthzProblem[] {
  const problems: AuthzProblem[] = [];
  config.policies.forEach((text, i) => {
    const answer = checkParsePolicySet({ staticPolicies: text });
    if (answer.type === 'success') return;
    for (const error of answer.errors) {
      const at = error.sourceLocations?.[0];
      problems.push({
        path: ['policies', i],
        message: error.message,
        ...(at ? position(text, at.start) : {}),
      });
    }
  });
  try {
    if (!Array.isArray(JSON.parse(config.entitiesJson || '[]')))
      problems.push({ path: ['entitiesJson'], message: 'must be a JSON array of entities' });
  } catch (err) {
    problems.push({ path: ['entitiesJson'], message: `not JSON: ${(err as Error).message}` });
  }
  return problems;
}

/** The config out of the snake_case keys ToolHive's files and MCPAuthzConfig use. */
function fromSnakeCase(options: unknown, at: (string | number)[]): Result {
  const o: Dict = isDict(options) ? options : {};
  const policies = o.policies;
  if (!Array.isArray(policies) || !policies.length || policies.some((p) => typeof p !== 'string'))
    return {
      problems: [{ path: [...at, 'policies'], message: 'must be a non-empty list of Cedar policies' }],
    };
  const config: CedarAuthzConfig = {
    type: 'cedarv1',
    policies: policies as string[],
    entitiesJson: str(o.entities_json) || '[]',
  };
  if (str(o.group_claim_name)) config.groupClaimName = str(o.group_claim_name);
  if (str(o.role_claim_name)) config.roleClaimName = str(o.role_claim_name);
  if (str(o.group_entity_type)) config.groupEntityType = str(o.group_entity_type);
  return { config };
}

const notCedar = (type: unknown): Result => ({
  problems: [{ path: ['type'], message: `type ${JSON.stringify(type)} is not supported (only cedarv1)` }],
});

export function parseAuthzConfigFile(text: string): Result {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    return {
      problems: [{ path: [], message: `not JSON or YAML: ${(err as Error).message.split('\n')[0]}` }],
    };
  }
  if (!isDict(doc)) return { problems: [{ path: [], message: 'must be a map' }] };
  if (doc.type !== 'cedarv1') return notCedar(doc.type);
  return fromSnakeCase(doc.cedar, ['cedar']);
}

export function authzConfigFromSpec(spec: unknown): Result {
  const s: Dict = isDict(spec) ? spec : {};
  if (s.type !== 'cedarv1') return notCedar(s.type);
  return fromSnakeCase(s.config, ['config']);
}

export function authzConfigFromInline(authzConfig: unknown): Result {
  const a: Dict = isDict(authzConfig) ? authzConfig : {};
  const inline: Dict = isDict(a.inline) ? a.inline : {};
  const result = fromSnakeCase({ policies: inline.policies, entities_json: inline.entitiesJson }, ['inline']);
  if ('problems' in result) return result;
  for (const field of ['groupClaimName', 'roleClaimName', 'groupEntityType'] as const)
    if (str(a[field])) result.config[field] = str(a[field]);
  return result;
}
