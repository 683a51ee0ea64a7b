// The Cedar entity model the proxy authorizes with: ToolHive's (pkg/authz/authorizers/cedar), so a
// ToolHive user's `cedarv1` policies mean the same here. Shared by the config checks (authz-config.ts,
// which refuse policies naming things the proxy never asks about) and the proxy's authorizer
// (proxy/authz/). Pure.
//   principal  Client::"<sub>", attributes claim_<name> for every token claim, parents <group type>::"<g>"
//              for each group/role claim value (group type default THVGroup)
//   action     Action::"call_tool" | "get_prompt" | "read_resource" — the only three ToolHive asks:
//              list calls are answered in full and filtered item by item with these same actions, so
//              ToolHive's list_* actions are never asked (a policy naming them would be dead text)
//   resource   Tool::"<name>", Prompt::"<name>", Resource::"<uri>", with attributes name, operation,
//              feature (uri for resources; readOnlyHint etc. for tools the server annotated), parent
//              MCP::"<server name>"
//   context    claim_<name> for every claim, arg_<name> for each scalar tool/prompt argument
//              (arg_<name>_present for objects and lists)
// Entities JSON: Cedar's JSON entity format. Like cedar-go (ToolHive's engine), a missing `attrs` or
// `parents` means empty; cedar-wasm needs both, so they are filled in here.

export const ACTIONS = ['call_tool', 'get_prompt', 'read_resource'] as const;
export type CedarAction = (typeof ACTIONS)[number];

export const PRINCIPAL_TYPE = 'Client';
export const RESOURCE_TYPES = ['Tool', 'Prompt', 'Resource'] as const;
export const SERVER_TYPE = 'MCP';
export const DEFAULT_GROUP_ENTITY_TYPE = 'THVGroup';
/** ToolHive's well-known group claims, tried in order when groupClaimName is unset or absent. */
export const DEFAULT_GROUP_CLAIMS = ['groups', 'roles', 'cognito:groups'] as const;

export const CLAIM_PREFIX = 'claim_';
export const ARG_PREFIX = 'arg_';

export interface EntityUidJson {
  type: string;
  id: string;
}
export interface EntityJsonShape {
  uid: EntityUidJson;
  attrs: Record<string, unknown>;
  parents: EntityUidJson[];
  tags?: Record<string, unknown>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{type, id}` or `{__entity: {type, id}}`, the two forms Cedar's JSON accepts. */
export function entityUid(v: unknown): EntityUidJson | undefined {
  const inner = isRecord(v) && isRecord(v.__entity) ? v.__entity : v;
  if (isRecord(inner) && typeof inner.type === 'string' && typeof inner.id === 'string')
    return { type: inner.type, id: inner.id };
  return undefined;
}

/** One entity with attrs and parents filled in, or what is wrong with it. */
function normalizeEntity(e: unknown): EntityJsonShape | string {
  if (!isRecord(e)) return 'an entity must be an object';
  const uid = entityUid(e.uid);
  if (!uid) return `uid must be {"type": "...", "id": "..."} (got ${JSON.stringify(e.uid)?.slice(0, 80)})`;
  if (e.attrs !== undefined && !isRecord(e.attrs)) return 'attrs must be an object';
  if (e.parents !== undefined && !Array.isArray(e.parents)) return 'parents must be a list';
  const parents: EntityUidJson[] = [];
  for (const p of (e.parents as unknown[] | undefined) ?? []) {
    const parent = entityUid(p);
    if (!parent) return `a parent must be {"type", "id"} (got ${JSON.stringify(p)?.slice(0, 80)})`;
    parents.push(parent);
  }
  const entity: EntityJsonShape = { uid, attrs: (e.attrs as Record<string, unknown>) ?? {}, parents };
  if (isRecord(e.tags)) entity.tags = e.tags;
  return entity;
}

/**
 * The entities JSON text as cedar-wasm wants it (attrs and parents always present), or the first
 * problem with its index. Shape only: cedar-wasm's checkParseEntities judges the values.
 */
export function normalizeEntities(
  text: string,
): { entities: EntityJsonShape[] } | { problem: string; index?: number } {
  let doc: unknown;
  try {
    doc = JSON.parse(text.trim() === '' ? '[]' : text);
  } catch (err) {
    return { problem: `not JSON: ${(err as Error).message}` };
  }
  if (!Array.isArray(doc)) return { problem: 'must be a JSON array of entities' };
  const entities: EntityJsonShape[] = [];
  for (const [index, e] of doc.entries()) {
    const entity = normalizeEntity(e);
    if (typeof entity === 'string') return { problem: entity, index };
    entities.push(entity);
  }
  return { entities };
}

/** Entity types a policy may name for the principal or in an `in` chain, given the entities loaded. */
export function knownEntityTypes(groupEntityType: string, entities: readonly EntityJsonShape[]): Set<string> {
  const types = new Set<string>([PRINCIPAL_TYPE, groupEntityType, ...RESOURCE_TYPES, SERVER_TYPE, 'Action']);
  for (const e of entities) {
    types.add(e.uid.type);
    for (const p of e.parents) types.add(p.type);
  }
  return types;
}
