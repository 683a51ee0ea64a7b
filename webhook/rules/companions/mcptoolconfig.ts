// The validating decision for an MCPToolConfig (CREATE and UPDATE): its schema, then what the proxy
// (proxy/tools/plan.ts) needs to apply it as written, all errors at once by field path:
//   - toolsFilter entries and toolsOverride keys are names a server gives its tools (tool-config.ts);
//   - an override sets a name, a description or an annotation (ToolHive: not both name and
//     description empty; an annotation counts here, as ToolHive's own annotations field allows);
//   - new names have MCP's tool-name format, are unique, and do not take the name of another
//     overridden tool that keeps its own (two tools listed under one name, one unreachable).
// Warnings: a toolsFilter entry naming a tool by the name it was renamed from. The filter names tools as
// clients see them (ToolHive's proxy; its own example toolconfig_with_overrides.yaml does otherwise), so
// that entry matches nothing and the renamed tool is hidden unless its new name is listed too.
import { FieldPath, duplicate, invalid, required, type FieldError } from '../../field.ts';
import { checkConfigSchema } from '../../schema-validation.ts';
import { dict, isDict, str } from '../shape.ts';
import { checkNewToolName, checkServerToolName, unusualToolName } from '../tool-config.ts';
import type { ConfigVerdict } from './verdict.ts';

const ANNOTATIONS = ['title', 'readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'];

export function validateMCPToolConfig(object: unknown): ConfigVerdict {
  const errors = checkConfigSchema('MCPToolConfig', object);
  const spec = dict(dict(object).spec);
  const path = FieldPath.of('spec');
  const filter = Array.isArray(spec.toolsFilter) ? (spec.toolsFilter as unknown[]) : [];
  const overrides = Object.entries(dict(spec.toolsOverride));
  const warnings: string[] = [];
  filter.forEach((name, i) => {
    errors.push(...checkServerToolName(name, path.child('toolsFilter').index(i)));
    const warning = unusualToolName(name, path.child('toolsFilter').index(i));
    if (warning) warnings.push(warning);
  });
  errors.push(...checkOverrides(overrides, path.child('toolsOverride')));
  warnings.push(...renamedInFilter(filter, overrides, path.child('toolsFilter')));
  return { errors, warnings };
}

function checkOverrides(overrides: Array<[string, unknown]>, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  // Names that stay as they are: an override without a new name (or with its own) keeps the key.
  const kept = new Set(overrides.filter(([key, o]) => !newName(o) || newName(o) === key).map(([key]) => key));
  const taken = new Map<string, string>();
  for (const [key, override] of overrides) {
    const at = path.key(key);
    errors.push(...checkServerToolName(key, at));
    if (!isDict(override)) continue;
    const annotations = dict(override.annotations);
    if (
      !str(override.name) &&
      !str(override.description) &&
      !ANNOTATIONS.some((a) => annotations[a] !== undefined)
    )
      errors.push(required(at, 'an override sets a name, a description or annotations'));
    const name = newName(override);
    if (!name || name === key) continue;
    errors.push(...checkNewToolName(name, at.child('name')));
    if (taken.has(name)) errors.push(duplicate(at.child('name'), name));
    else if (kept.has(name))
      errors.push(
        invalid(at.child('name'), name, `tool "${name}" keeps that name: two tools cannot share it`),
      );
    taken.set(name, key);
  }
  return errors;
}

function renamedInFilter(filter: unknown[], overrides: Array<[string, unknown]>, path: FieldPath): string[] {
  const renamed = new Map(
    overrides.flatMap(([key, o]) => (newName(o) && newName(o) !== key ? [[key, newName(o)!]] : [])),
  );
  const newNames = new Set(renamed.values());
  const listed = new Set(filter);
  const warnings: string[] = [];
  filter.forEach((name, i) => {
    if (typeof name !== 'string' || newNames.has(name)) return;
    const to = renamed.get(name);
    if (to === undefined) return;
    const hidden = listed.has(to) ? '' : `, and "${to}" is hidden`;
    warnings.push(
      `${String(path.index(i))}: "${name}" is renamed to "${to}"; the filter names tools as clients see them, so this entry matches nothing${hidden}`,
    );
  });
  return warnings;
}

const newName = (override: unknown): string | undefined => str(dict(override).name) || undefined;
