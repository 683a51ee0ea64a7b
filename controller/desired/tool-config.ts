// The run config's `tools` section (proxy/tools/: which tools clients see and call, under which names)
// from spec.toolConfigRef's MCPToolConfig or, without one, the older inline spec.tools (a plain
// filter). As in ToolHive, toolConfigRef takes precedence: spec.tools is then ignored (admission warns).
// The section is the one part of the run config a running proxy re-reads (proxy/config-watch.ts), so it
// is left out of the checksum the proxy's pod template carries (configmap.ts runConfig() has no tools):
// a changed MCPToolConfig rewrites the ConfigMap and reaches the proxy without a rollout.
// A referenced MCPToolConfig that does not exist holds the run config and the proxy's Deployment
// (children.ts `held`): the proxy keeps the tools it had (fail closed: never every tool because the
// filter went away), and condition ToolConfigValidated (ToolHive's MCPRemoteProxy condition; its
// MCPServer has none) says False, ToolConfigNotFound. status.toolConfigHash mirrors ToolHive's field:
// a hash of the MCPToolConfig spec the run config was written from. Pure.
import { createHash } from 'node:crypto';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { companionKey } from '../../schemas/companion-refs.ts';
import { namespaceOf } from './names.ts';
import { isDict, type Dict, type Finding, type ServerFacts } from './types.ts';

export const TOOL_CONFIG_CONDITION = 'ToolConfigValidated';

export interface RunConfigToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/** The proxy's RunConfigTools (proxy/tools/plan.ts), field for field MCPToolConfig's spec. */
export interface RunConfigTools {
  toolsFilter?: string[];
  toolsOverride?: Record<
    string,
    { name?: string; description?: string; annotations?: RunConfigToolAnnotations }
  >;
}

export interface ToolConfigPlan {
  /** Absent: no section (every tool as the server has it). */
  section?: RunConfigTools;
  /** Condition ToolConfigValidated; only for servers with a toolConfigRef. */
  finding?: Finding;
  /** status.toolConfigHash; only while the referenced MCPToolConfig is applied. */
  hash?: string;
  /** The run config and the proxy must not be applied now: the proxy keeps what it has. */
  hold: boolean;
}

const HINTS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const;

export function toolConfigPlan(server: MCPServer, facts: Pick<ServerFacts, 'companions'>): ToolConfigPlan {
  const ref = server.spec.toolConfigRef?.name;
  const inline = (server.spec as { tools?: unknown }).tools;
  if (!ref) {
    const filter = names(inline);
    return filter.length ? { section: { toolsFilter: filter }, hold: false } : { hold: false };
  }
  const config = facts.companions?.get(companionKey('MCPToolConfig', ref));
  if (!config) {
    const message = `MCPToolConfig ${ref} not found in namespace ${namespaceOf(server)}; the proxy keeps the tool configuration it had`;
    return { finding: { status: 'False', reason: 'ToolConfigNotFound', message }, hold: true };
  }
  const spec = isDict(config.spec) ? config.spec : {};
  const section = toolsSection(spec);
  const ignored = names(inline).length ? '; spec.tools is ignored' : '';
  const message = `MCPToolConfig ${ref} applied: ${describe(section)}${ignored}`;
  return {
    ...(section ? { section } : {}),
    finding: { status: 'True', reason: 'ToolConfigValid', message },
    hash: toolConfigHash(spec),
    hold: false,
  };
}

/** A short, stable hash of an MCPToolConfig spec (keys sorted, so apply order does not matter). */
export function toolConfigHash(spec: Dict): string {
  return createHash('sha256').update(stableJson(spec)).digest('hex').slice(0, 16);
}

/** Only the fields the proxy reads, typed as it reads them; undefined when nothing is left. */
export function toolsSection(spec: Dict): RunConfigTools | undefined {
  const toolsFilter = names(spec.toolsFilter);
  const overrides = Object.entries(isDict(spec.toolsOverride) ? spec.toolsOverride : {}).flatMap(
    ([tool, o]) => {
      const override = isDict(o) ? overrideOf(o) : undefined;
      return override ? [[tool, override] as const] : [];
    },
  );
  if (!toolsFilter.length && !overrides.length) return undefined;
  return {
    ...(toolsFilter.length ? { toolsFilter } : {}),
    ...(overrides.length ? { toolsOverride: Object.fromEntries(overrides) } : {}),
  };
}

function overrideOf(o: Dict): NonNullable<RunConfigTools['toolsOverride']>[string] | undefined {
  const annotations: RunConfigToolAnnotations = {};
  const a = isDict(o.annotations) ? o.annotations : {};
  if (typeof a.title === 'string') annotations.title = a.title;
  for (const hint of HINTS) if (typeof a[hint] === 'boolean') annotations[hint] = a[hint];
  const out = {
    ...(typeof o.name === 'string' && o.name ? { name: o.name } : {}),
    ...(typeof o.description === 'string' && o.description ? { description: o.description } : {}),
    ...(Object.keys(annotations).length ? { annotations } : {}),
  };
  return Object.keys(out).length ? out : undefined;
}

const names = (v: unknown): string[] =>
  Array.isArray(v) ? [...new Set(v.filter((n): n is string => typeof n === 'string' && n !== ''))] : [];

function describe(section: RunConfigTools | undefined): string {
  if (!section) return 'every tool as the server has it';
  const filter = section.toolsFilter ? `${section.toolsFilter.length} tools listed` : 'every tool';
  const overrides = Object.keys(section.toolsOverride ?? {}).length;
  return overrides ? `${filter}, ${overrides} overridden` : filter;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (!isDict(value)) return JSON.stringify(value);
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`).join(',')}}`;
}
