// The items of a tools/list, prompts/list or resources/list result that the caller may use, as
// ToolHive's response filter does (pkg/authz/response_filter.go): each tool by call_tool, each prompt
// by get_prompt, each resource by read_resource (its uri). Everything else in the result (nextCursor,
// _meta) is kept as it is, so pagination works unchanged; a page may come back shorter or empty. An
// item without a name (or uri) is dropped: nothing could authorize it. Pure given `allowed`.
import type { Params } from '../jsonrpc.ts';
import type { ResourceType } from './cedar-authorizer.ts';
import type { ListKind } from './methods.ts';

const ITEMS: Record<ListKind, { field: string; key: 'name' | 'uri'; type: ResourceType }> = {
  tools: { field: 'tools', key: 'name', type: 'Tool' },
  prompts: { field: 'prompts', key: 'name', type: 'Prompt' },
  resources: { field: 'resources', key: 'uri', type: 'Resource' },
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The result with only the permitted items; the result itself when it has no list to filter.
 * allowed(type, id, item) is asked once per item.
 */
export function filterListResult(
  list: ListKind,
  result: Params,
  allowed: (type: ResourceType, id: string, item: Record<string, unknown>) => boolean,
): Params {
  const { field, key, type } = ITEMS[list];
  const items = result[field];
  if (!Array.isArray(items)) return result;
  const kept = items.filter((item) => {
    if (!isRecord(item) || typeof item[key] !== 'string') return false;
    return allowed(type, item[key], item);
  });
  return { ...result, [field]: kept };
}

/** ToolHive's tool annotations as resource attributes (readOnlyHint, destructiveHint, ...; booleans only). */
export function toolAnnotations(tool: Record<string, unknown>): Record<string, boolean> | undefined {
  const a = tool.annotations;
  if (!isRecord(a)) return undefined;
  const out: Record<string, boolean> = {};
  for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'])
    if (typeof a[hint] === 'boolean') out[hint] = a[hint];
  return Object.keys(out).length ? out : undefined;
}
