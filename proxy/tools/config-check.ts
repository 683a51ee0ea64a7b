// The shape of the run config's `tools` section, checked when the file is read (at start and on every
// change the watcher sees): a section the proxy would apply differently than it reads is refused,
// naming the field. Names themselves are judged at admission (webhook/rules/tool-config.ts). Pure.
const HINTS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is wrong with the section, or undefined. */
export function toolsProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'tools must be an object {toolsFilter?, toolsOverride?}';
  const { toolsFilter, toolsOverride } = value;
  if (toolsFilter !== undefined) {
    if (!Array.isArray(toolsFilter)) return 'tools.toolsFilter must be a list of tool names';
    const bad = toolsFilter.findIndex((n) => typeof n !== 'string' || n === '');
    if (bad >= 0) return `tools.toolsFilter[${bad}] must be a non-empty string`;
  }
  if (toolsOverride === undefined) return undefined;
  if (!isRecord(toolsOverride)) return 'tools.toolsOverride must map tool names to overrides';
  for (const [name, override] of Object.entries(toolsOverride)) {
    const problem = overrideProblem(override);
    if (problem) return `tools.toolsOverride[${JSON.stringify(name)}]${problem}`;
  }
  return undefined;
}

function overrideProblem(override: unknown): string | undefined {
  if (!isRecord(override)) return ' must be an object {name?, description?, annotations?}';
  for (const field of ['name', 'description'])
    if (override[field] !== undefined && typeof override[field] !== 'string')
      return `.${field} must be a string`;
  const annotations = override.annotations;
  if (annotations === undefined) return undefined;
  if (!isRecord(annotations)) return '.annotations must be an object';
  if (annotations.title !== undefined && typeof annotations.title !== 'string')
    return '.annotations.title must be a string';
  for (const hint of HINTS)
    if (annotations[hint] !== undefined && typeof annotations[hint] !== 'boolean')
      return `.annotations.${hint} must be true or false`;
  return undefined;
}
