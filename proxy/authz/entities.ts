// The Cedar request for one decision, built the way ToolHive's cedar authorizer builds it
// (pkg/authz/authorizers/cedar/core.go, entity.go), so a ToolHive policy reads the same attributes:
// principal Client::"<sub>" with claim_<name> attributes and group parents, context claim_* and arg_*,
// resource with name/operation/feature (uri for resources, the server's annotations for tools).
// Decisions made here, and where they differ from ToolHive:
//   - JSON values become Cedar values: integers Long (ToolHive makes every JSON number a decimal, so
//     `principal.claim_exp > 0` errors there and works here), other numbers decimal when Cedar can
//     hold them (four places), null and unrepresentable values dropped, nesting deeper than 10 dropped
//     (ToolHive's limit). An object with a key Cedar's JSON reserves (__entity, __extn, __expr) is
//     dropped, so a claim cannot smuggle in an entity reference such as a group.
//   - Groups: groupClaimName (a top-level claim, else a dotted path), falling back to ToolHive's
//     well-known claims (groups, roles, cognito:groups); plus roleClaimName. Only string elements of a
//     list count.
// Pure.
import { ARG_PREFIX, CLAIM_PREFIX, DEFAULT_GROUP_CLAIMS } from '../../lib/cedar-model.ts';
import type { Params } from '../jsonrpc.ts';

export type CedarValue =
  | string
  | number
  | boolean
  | CedarValue[]
  | { [key: string]: CedarValue }
  | { __extn: { fn: string; arg: string } };

const MAX_DEPTH = 10;
const RESERVED = ['__entity', '__extn', '__expr'];
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** One JSON value as a Cedar JSON value, or undefined when Cedar cannot hold it (see the file comment). */
export function toCedarValue(v: unknown, depth = 0): CedarValue | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return numberValue(v);
  if (Array.isArray(v)) {
    const out: CedarValue[] = [];
    for (const item of v) {
      const c = toCedarValue(item, depth + 1);
      if (c !== undefined) out.push(c);
    }
    return out;
  }
  if (isRecord(v)) {
    if (RESERVED.some((k) => k in v)) return undefined;
    return toCedarRecord(v, depth + 1);
  }
  return undefined;
}

function numberValue(n: number): CedarValue | undefined {
  if (Number.isSafeInteger(n)) return n;
  if (!Number.isFinite(n) || Number.isInteger(n)) return undefined;
  // Cedar decimals: at most four places, within about ±922337203685477.
  const fixed = n.toFixed(4);
  if (Math.abs(n) >= 922_337_203_685_477 || Number(fixed) !== n) return undefined;
  return { __extn: { fn: 'decimal', arg: fixed.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '.0') } };
}

export function toCedarRecord(v: Record<string, unknown>, depth = 0): Record<string, CedarValue> {
  const out: Record<string, CedarValue> = {};
  for (const [k, value] of Object.entries(v)) {
    const c = toCedarValue(value, depth);
    if (c !== undefined) out[k] = c;
  }
  return out;
}

/** claim_<name> for every claim (principal attributes and context). */
export function claimAttributes(claims: Readonly<Record<string, unknown>>): Record<string, CedarValue> {
  const out: Record<string, CedarValue> = {};
  for (const [k, v] of Object.entries(claims)) {
    const c = toCedarValue(v, 0);
    if (c !== undefined) out[CLAIM_PREFIX + k] = c;
  }
  return out;
}

/** ToolHive's arg_<name> context: scalars as they are, anything else only as arg_<name>_present. */
export function argumentContext(args: Params | undefined): Record<string, CedarValue> {
  const out: Record<string, CedarValue> = {};
  if (!args) return out;
  for (const [k, v] of Object.entries(args)) {
    const scalar = typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number';
    const c = scalar ? toCedarValue(v, 0) : undefined;
    if (c !== undefined) out[ARG_PREFIX + k] = c;
    else out[`${ARG_PREFIX}${k}_present`] = true;
  }
  return out;
}

/** A claim by exact top-level name, else by dotted path into nested objects (Keycloak's realm_access.roles). */
function claimAt(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  if (!path) return undefined;
  if (Object.hasOwn(claims, path)) return claims[path];
  const parts = path.split('.');
  if (parts.length < 2) return undefined;
  let current: unknown = claims;
  for (const part of parts) {
    if (!isRecord(current) || !Object.hasOwn(current, part)) return undefined;
    current = current[part];
  }
  return current;
}

/** The strings of a list claim; undefined when the claim is absent or not a list. */
function groupsAt(claims: Readonly<Record<string, unknown>>, path: string | undefined): string[] | undefined {
  const v = path ? claimAt(claims, path) : undefined;
  return Array.isArray(v) ? v.filter((g): g is string => typeof g === 'string') : undefined;
}

/** The caller's groups: the group claim (or the first well-known one present) and the role claim, deduplicated. */
export function callerGroups(
  claims: Readonly<Record<string, unknown>>,
  groupClaimName: string | undefined,
  roleClaimName: string | undefined,
): string[] {
  let groups = groupsAt(claims, groupClaimName);
  for (const name of DEFAULT_GROUP_CLAIMS) {
    if (groups) break;
    groups = groupsAt(claims, name);
  }
  return [...new Set([...(groups ?? []), ...(groupsAt(claims, roleClaimName) ?? [])])];
}
