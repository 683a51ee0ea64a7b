// ToolHive's Cedar authorization config (`cedarv1`) in its three spellings, and the checks that decide
// whether a proxy could enforce it as its author meant. Shared by admission (webhook/), the controller
// (which resolves MCPServer.authzConfig into the proxy's run config) and the proxy. Pure but for
// loading the Cedar wasm.
//   ConfigMap file           {version, type: cedarv1, cedar: {policies, entities_json, ...}} (JSON or YAML)
//   MCPAuthzConfig spec      {type: cedarv1, config: {policies, entities_json, group_claim_name,
//                            role_claim_name, group_entity_type}}
//   spec.authzConfig inline  {inline: {policies, entitiesJson}, groupClaimName, roleClaimName,
//                            groupEntityType}
// Beyond syntax, a policy is refused when it names something the proxy never asks about, because such a
// policy does nothing and says otherwise: a typo in `forbid(principal, action == Action::"call_tol", ..)`
// silently permits; `principal == User::"alice"` never matches (the principal is always Client::"<sub>").
// Each entry of `policies` is one policy, as in ToolHive (which parses each on its own); templates
// (?principal) are refused. Line and column are 1-based within the entry's own text.
import * as cedar from './cedar-safe.ts';
import { parse as parseYaml } from 'yaml';
import {
  DEFAULT_GROUP_ENTITY_TYPE,
  knownEntityTypes,
  normalizeEntities,
  type EntityJsonShape,
  type EntityUidJson,
} from './cedar-model.ts';
import { modelProblems } from './cedar-model-check.ts';
import { policyFacts } from './cedar-policy-facts.ts';

export interface CedarAuthzConfig {
  type: 'cedarv1';
  policies: string[];
  entitiesJson: string;
  groupClaimName?: string;
  roleClaimName?: string;
  groupEntityType?: string;
}
/** One problem; path is relative to what was checked (e.g. ['policies','0'] or ['entitiesJson']). */
export interface AuthzProblem {
  path: (string | number)[];
  message: string;
  line?: number;
  column?: number;
}
type Result = { config: CedarAuthzConfig } | { problems: AuthzProblem[] };
type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

/** 1-based line and column of a UTF-8 byte offset (cedar's source locations) in `text`. */
export function positionOfByte(text: string, byteOffset: number): { line: number; column: number } {
  const before = Buffer.from(text, 'utf8').subarray(0, Math.max(0, byteOffset)).toString('utf8');
  const lines = before.split('\n');
  return { line: lines.length, column: [...lines.at(-1)!].length + 1 };
}

/** Where `Type::"id"` is first written in the text (spacing around `::` allowed), if found. */
function locateUid(text: string, uid: EntityUidJson): { line?: number; column?: number } {
  const quotedId = JSON.stringify(uid.id)
    .slice(1, -1)
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const type = uid.type.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${type}\\s*::\\s*"${quotedId}"`).exec(text);
  if (!m) return {};
  return positionOfByte(text, Buffer.byteLength(text.slice(0, m.index)));
}

/** Every problem of the Cedar policies (syntax, and the checks below) and the entities JSON, with line/column in the policy text. */
export function checkCedarConfig(config: CedarAuthzConfig): AuthzProblem[] {
  const problems: AuthzProblem[] = [];
  const groupType = config.groupEntityType || DEFAULT_GROUP_ENTITY_TYPE;
  if (config.groupEntityType !== undefined && config.groupEntityType !== '') {
    const g = config.groupEntityType;
    const ok =
      !g.includes('::') &&
      /^[A-Za-z_][A-Za-z0-9_]*$/.test(g) &&
      cedar.checkParsePolicySet({ staticPolicies: `permit(principal in ${g}::"x", action, resource);` })
        .type === 'success';
    if (!ok)
      problems.push({
        path: ['groupEntityType'],
        message: `${JSON.stringify(g)} is not a Cedar identifier without a namespace (like THVGroup)`,
      });
  }

  let entities: EntityJsonShape[] = [];
  const normalized = normalizeEntities(config.entitiesJson);
  if ('problem' in normalized) {
    problems.push({
      path: ['entitiesJson'],
      message:
        normalized.index === undefined
          ? normalized.problem
          : `entity ${normalized.index}: ${normalized.problem}`,
    });
  } else {
    const answer = cedar.checkParseEntities({ entities: normalized.entities as unknown as cedar.Entities });
    if (answer.type === 'failure')
      for (const e of answer.errors) problems.push({ path: ['entitiesJson'], message: e.message });
    else entities = normalized.entities;
  }
  const known = knownEntityTypes(groupType, entities);

  if (!Array.isArray(config.policies) || config.policies.length === 0)
    problems.push({ path: ['policies'], message: 'at least one Cedar policy is required' });
  (config.policies ?? []).forEach((text, i) => problems.push(...checkPolicy(text, i, known, groupType)));
  return problems;
}

function checkPolicy(text: unknown, i: number, known: Set<string>, groupType: string): AuthzProblem[] {
  const path = ['policies', i];
  if (typeof text !== 'string') return [{ path, message: 'must be a string' }];
  if (text.trim() === '') return [{ path, message: 'is empty; each entry must hold one Cedar policy' }];
  const parsed = cedar.checkParsePolicySet({ staticPolicies: text });
  if (parsed.type === 'failure')
    return parsed.errors.map((e) => {
      const at = e.sourceLocations?.[0];
      return { path, message: e.message, ...(at ? positionOfByte(text, at.start) : {}) };
    });
  const parts = cedar.policySetTextToParts(text);
  if (parts.type === 'failure') return parts.errors.map((e) => ({ path, message: e.message }));
  if (parts.policy_templates.length)
    return [
      {
        path,
        message: 'templates (?principal, ?resource) are not supported: write the entity out',
        ...positionOfByte(text, Buffer.byteLength(text.slice(0, Math.max(0, text.indexOf('?'))))),
      },
    ];
  if (parts.policies.length !== 1)
    return [
      {
        path,
        message: `holds ${parts.policies.length} policies; put each in its own entry (as ToolHive requires)`,
      },
    ];
  const json = cedar.policyToJson(text);
  if (json.type === 'failure') return json.errors.map((e) => ({ path, message: e.message }));
  return modelProblems(policyFacts(json.json), known, groupType).map((p) => ({
    path,
    message: p.message,
    ...(p.uid ? locateUid(text, p.uid) : {}),
  }));
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The config out of the snake_case keys ToolHive's files and MCPAuthzConfig use; shape only. */
function fromSnakeCase(options: unknown, at: (string | number)[]): Result {
  if (!isDict(options))
    return { problems: [{ path: at, message: 'must be a map with policies and entities_json' }] };
  const problems: AuthzProblem[] = [];
  const policies = options.policies;
  if (!Array.isArray(policies) || policies.length === 0)
    problems.push({ path: [...at, 'policies'], message: 'must be a non-empty list of Cedar policies' });
  else
    policies.forEach((p, i) => {
      if (typeof p !== 'string') problems.push({ path: [...at, 'policies', i], message: 'must be a string' });
    });
  const keys = {
    entities_json: 'entitiesJson',
    group_claim_name: 'groupClaimName',
    role_claim_name: 'roleClaimName',
    group_entity_type: 'groupEntityType',
  } as const;
  for (const key of Object.keys(keys) as (keyof typeof keys)[])
    if (options[key] !== undefined && options[key] !== null && typeof options[key] !== 'string')
      problems.push({ path: [...at, key], message: 'must be a string' });
  if (problems.length) return { problems };
  const config: CedarAuthzConfig = {
    type: 'cedarv1',
    policies: policies as string[],
    entitiesJson: str(options.entities_json) ?? '[]',
  };
  for (const key of ['group_claim_name', 'role_claim_name', 'group_entity_type'] as const) {
    const v = str(options[key]);
    if (v) config[keys[key]] = v;
  }
  return { config };
}

const notCedar = (type: unknown, path: (string | number)[]): Result => ({
  problems: [{ path, message: `type ${JSON.stringify(type)} is not supported (only cedarv1)` }],
});

/** ToolHive's authz config file (ConfigMap key, default `authz.json`; JSON or YAML): {version, type: cedarv1, cedar: {policies, entities_json, ...}}. */
export function parseAuthzConfigFile(text: string): Result {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    try {
      doc = parseYaml(text);
    } catch (err) {
      return {
        problems: [{ path: [], message: `not JSON or YAML: ${(err as Error).message.split('\n')[0]}` }],
      };
    }
  }
  if (!isDict(doc)) return { problems: [{ path: [], message: 'must be a map {version, type, cedar}' }] };
  if (doc.type !== 'cedarv1') return notCedar(doc.type, ['type']);
  return fromSnakeCase(doc.cedar, ['cedar']);
}

/** MCPAuthzConfig spec {type, config} (type `cedarv1`; config keys policies, entities_json, group_claim_name, role_claim_name, group_entity_type). */
export function authzConfigFromSpec(spec: unknown): Result {
  const s: Dict = isDict(spec) ? spec : {};
  if (s.type !== 'cedarv1') return notCedar(s.type, ['type']);
  return fromSnakeCase(s.config, ['config']);
}

/** MCPServer spec.authzConfig.inline {policies, entitiesJson} plus the parent's groupClaimName/roleClaimName/groupEntityType. */
export function authzConfigFromInline(authzConfig: unknown): Result {
  const a: Dict = isDict(authzConfig) ? authzConfig : {};
  if (!isDict(a.inline)) return { problems: [{ path: ['inline'], message: 'must be a map with policies' }] };
  const inline = a.inline;
  const result = fromSnakeCase(
    {
      policies: inline.policies,
      entities_json: inline.entitiesJson,
      group_claim_name: a.groupClaimName,
      role_claim_name: a.roleClaimName,
      group_entity_type: a.groupEntityType,
    },
    ['inline'],
  );
  if ('config' in result) return result;
  const camel: Record<string, (string | number)[]> = {
    entities_json: ['inline', 'entitiesJson'],
    group_claim_name: ['groupClaimName'],
    role_claim_name: ['roleClaimName'],
    group_entity_type: ['groupEntityType'],
  };
  return {
    problems: result.problems.map((p) => ({ ...p, path: camel[String(p.path[1])] ?? p.path })),
  };
}
