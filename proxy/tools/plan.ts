// What the run config's `tools` section (spec.toolConfigRef's MCPToolConfig, or the older spec.tools)
// does to the tools a client sees and calls, as ToolHive's tool filter does (pkg/mcp/tool_filter.go):
//   - toolsOverride maps a tool's name as the server knows it to a new name, description and
//     annotations; clients see and call the new name, the server gets its own.
//   - toolsFilter lists the names clients may see and call, as clients see them (after a rename, the
//     new name: ToolHive's rule, stated in its PR #1841). Empty or absent: every tool.
// A tool renamed away is not callable by its old name either (ToolHive passes such a call on), and a
// server tool whose name another tool was renamed to is hidden: that name now calls the renamed one.
// Pure: no I/O, no state but the compiled plan.
import type { Params } from '../jsonrpc.ts';

/** ToolHive's ToolAnnotationsOverride: each field set replaces the server's. */
export interface RunConfigToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/** ToolHive's ToolOverride; an empty name or description keeps the server's. */
export interface RunConfigToolOverride {
  name?: string;
  description?: string;
  annotations?: RunConfigToolAnnotations;
}

/** The run config's `tools` section: MCPToolConfig's spec, field for field. */
export interface RunConfigTools {
  toolsFilter?: string[];
  toolsOverride?: Record<string, RunConfigToolOverride>;
}

export interface ToolPlan {
  /** Names clients may see and call; undefined: every name. */
  filter?: ReadonlySet<string>;
  /** By the server's name. */
  overrides: ReadonlyMap<string, RunConfigToolOverride>;
  /** The server's name of each renamed tool, by the name clients call. */
  serverNameOf: ReadonlyMap<string, string>;
  /** Server names renamed to something else: not callable as they are. */
  renamedAway: ReadonlySet<string>;
}

/** What happens to a tools/call naming `name`. */
export type CallVerdict = { kind: 'pass' } | { kind: 'rename'; serverName: string } | { kind: 'refuse' };

export const EMPTY_PLAN: ToolPlan = compileToolPlan(undefined);

export function compileToolPlan(section: RunConfigTools | undefined): ToolPlan {
  const filter = section?.toolsFilter?.length ? new Set(section.toolsFilter) : undefined;
  const overrides = new Map(Object.entries(section?.toolsOverride ?? {}));
  const serverNameOf = new Map<string, string>();
  const renamedAway = new Set<string>();
  for (const [serverName, override] of overrides) {
    if (!override.name || override.name === serverName) continue;
    serverNameOf.set(override.name, serverName);
    renamedAway.add(serverName);
  }
  return { ...(filter ? { filter } : {}), overrides, serverNameOf, renamedAway };
}

/** Whether the plan changes anything at all: the decorator passes everything on when it does not. */
export const planIsEmpty = (plan: ToolPlan): boolean => !plan.filter && plan.overrides.size === 0;

export function callVerdict(plan: ToolPlan, name: string): CallVerdict {
  if (plan.filter && !plan.filter.has(name)) return { kind: 'refuse' };
  const serverName = plan.serverNameOf.get(name);
  if (serverName !== undefined) return { kind: 'rename', serverName };
  return plan.renamedAway.has(name) ? { kind: 'refuse' } : { kind: 'pass' };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A tools/list result (one page) as clients may see it: renamed, re-described, filtered. Everything
 * but `tools` (nextCursor, _meta) is kept, so pagination works unchanged; a page may come back shorter
 * or empty. An item without a string name is dropped: no filter could let it through knowingly.
 */
export function rewriteToolList(plan: ToolPlan, result: Params): Params {
  const tools = result.tools;
  if (!Array.isArray(tools) || planIsEmpty(plan)) return result;
  const kept: Record<string, unknown>[] = [];
  for (const tool of tools) {
    if (!isRecord(tool) || typeof tool.name !== 'string') continue;
    const shown = asShown(plan, tool, tool.name);
    if (shown) kept.push(shown);
  }
  return { ...result, tools: kept };
}

function asShown(plan: ToolPlan, tool: Record<string, unknown>, serverName: string) {
  const override = plan.overrides.get(serverName);
  const name = override?.name || serverName;
  // A server tool named like another tool's new name: that name calls the renamed tool, so this one
  // would be listed under a name that does not reach it.
  if (!override?.name && plan.serverNameOf.has(serverName)) return undefined;
  if (plan.filter && !plan.filter.has(name)) return undefined;
  if (!override) return tool;
  const out: Record<string, unknown> = { ...tool, name };
  if (override.description) out.description = override.description;
  if (override.annotations && Object.keys(override.annotations).length)
    out.annotations = { ...(isRecord(tool.annotations) ? tool.annotations : {}), ...override.annotations };
  return out;
}
