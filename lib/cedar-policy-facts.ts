// What one Cedar policy names, read from cedar-wasm's JSON form of it (policyToJson): the actions and
// entity types in its scope and conditions, and whether it reads context that changes from call to
// call. The config checks (authz-config.ts) judge the names against the entity model (cedar-model.ts);
// the proxy's authorizer uses `readsCallContext` to decide whether a decision may be cached per caller,
// action and resource. Pure. The walk is iterative, so a hostile nesting depth cannot overflow the stack.
import type { EntityUidJson } from './cedar-model.ts';
import { CLAIM_PREFIX, entityUid } from './cedar-model.ts';

export interface ScopeConstraint {
  op: 'All' | '==' | 'in' | 'is';
  /** The entities named (`==`, `in`, `in [..]`, `is T in E`). */
  entities: EntityUidJson[];
  /** The type named by `is`. */
  type?: string;
}

export interface PolicyFacts {
  effect: 'permit' | 'forbid';
  principal: ScopeConstraint;
  action: ScopeConstraint;
  resource: ScopeConstraint;
  /** Entity literals in the conditions (`resource == Tool::"x"`, `principal in Team::"y"`). */
  conditionEntities: EntityUidJson[];
  /** Reads `context` other than its claim_* attributes (tool arguments, or the whole record). */
  readsCallContext: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function scope(c: unknown): ScopeConstraint {
  if (!isRecord(c) || typeof c.op !== 'string') return { op: 'All', entities: [] };
  const op = c.op as ScopeConstraint['op'];
  const entities: EntityUidJson[] = [];
  const one = entityUid(c.entity);
  if (one) entities.push(one);
  if (Array.isArray(c.entities))
    for (const e of c.entities) {
      const uid = entityUid(e);
      if (uid) entities.push(uid);
    }
  if (isRecord(c.in)) {
    const inner = entityUid(c.in.entity);
    if (inner) entities.push(inner);
  }
  const result: ScopeConstraint = { op, entities };
  if (typeof c.entity_type === 'string') result.type = c.entity_type;
  return result;
}

const isContextVar = (e: unknown): boolean => isRecord(e) && e.Var === 'context';

/** `context.claim_x` or `context has claim_x` (nested has paths: the first step decides). */
function isClaimRead(node: Record<string, unknown>): boolean {
  const dot = node['.'];
  if (isRecord(dot) && isContextVar(dot.left))
    return typeof dot.attr === 'string' && dot.attr.startsWith(CLAIM_PREFIX);
  const has = node.has;
  if (isRecord(has) && isContextVar(has.left)) {
    const first: unknown = Array.isArray(has.attr) ? (has.attr as unknown[])[0] : has.attr;
    return typeof first === 'string' && first.startsWith(CLAIM_PREFIX);
  }
  return false;
}

function walkConditions(conditions: unknown): { entities: EntityUidJson[]; readsCallContext: boolean } {
  const entities: EntityUidJson[] = [];
  let readsCallContext = false;
  const stack: unknown[] = [conditions];
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const n of node) stack.push(n);
      continue;
    }
    if (!isRecord(node)) continue;
    if (isRecord(node.__entity)) {
      const uid = entityUid(node);
      if (uid) entities.push(uid);
      continue;
    }
    if (isContextVar(node)) {
      readsCallContext = true;
      continue;
    }
    if (isClaimRead(node)) continue;
    for (const v of Object.values(node)) if (typeof v === 'object' && v !== null) stack.push(v);
  }
  return { entities, readsCallContext };
}

export function policyFacts(json: unknown): PolicyFacts {
  const p = isRecord(json) ? json : {};
  const { entities, readsCallContext } = walkConditions(p.conditions);
  return {
    effect: p.effect === 'forbid' ? 'forbid' : 'permit',
    principal: scope(p.principal),
    action: scope(p.action),
    resource: scope(p.resource),
    conditionEntities: entities,
    readsCallContext,
  };
}
