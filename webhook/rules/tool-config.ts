// Tool filtering and renaming at admission: the names MCPServer.spec.tools and MCPToolConfig use
// (companions/mcptoolconfig.ts checks the rest of an MCPToolConfig), and on an MCPServer, spec.tools
// beside spec.toolConfigRef. Whether the referenced MCPToolConfig exists is companion-references.ts'.
//   - A name the server gives its tool (spec.tools, toolsFilter, toolsOverride's keys) is not ours to
//     choose: only what no tool name can hold is refused (control characters, and commas, which
//     ToolHive's own check refused too); a name outside MCP's tool-name format (SEP-986:
//     A-Z a-z 0-9 _ - ., 1 to 128) is a warning.
//   - A new name (toolsOverride.*.name) is ours: it must have that format, or clients may refuse it.
//   - spec.tools with spec.toolConfigRef: ToolHive let toolConfigRef win; so do we, with a warning.
// Pure.
import { FieldPath, duplicate, invalid, type FieldError } from '../field.ts';
import { specOf, str } from './shape.ts';

/** MCP's tool-name format (SEP-986, the SDK's validateToolName). */
export const TOOL_NAME_FORMAT = /^[A-Za-z0-9._-]{1,128}$/;
// eslint-disable-next-line no-control-regex
const NEVER_IN_A_NAME = /[\u0000-\u001f\u007f,]/;

export const SPEC_TOOLS_IGNORED =
  'spec.tools is ignored: spec.toolConfigRef takes precedence (as in ToolHive); list the names in its toolsFilter';
export const SPEC_TOOLS_DEPRECATED =
  'spec.tools is deprecated (removed in ToolHive v1beta1): use spec.toolConfigRef';

/** Errors for a name a server gives its tool; empty names are the schema's (minLength). */
export function checkServerToolName(name: unknown, path: FieldPath): FieldError[] {
  if (typeof name !== 'string' || name === '' || !NEVER_IN_A_NAME.test(name)) return [];
  return [invalid(path, name, 'a tool name cannot contain commas or control characters')];
}

/** Errors for a name this configuration gives a tool. */
export function checkNewToolName(name: unknown, path: FieldPath): FieldError[] {
  if (typeof name !== 'string' || name === '' || TOOL_NAME_FORMAT.test(name)) return [];
  return [
    invalid(
      path,
      name,
      'a new tool name must be 1 to 128 of A-Z, a-z, 0-9, "_", "-", "." (MCP tool names, SEP-986)',
    ),
  ];
}

/** A warning for a server's tool name outside MCP's format, or undefined. */
export function unusualToolName(name: unknown, path: FieldPath): string | undefined {
  if (typeof name !== 'string' || name === '' || TOOL_NAME_FORMAT.test(name) || NEVER_IN_A_NAME.test(name))
    return undefined;
  return `${String(path)}: "${name}" is not an MCP tool name (A-Z, a-z, 0-9, _, -, ., at most 128); clients may refuse it`;
}

/** MCPServer: spec.tools' names, each once. */
export function checkToolConfig(server: unknown, path: FieldPath = FieldPath.of('spec')): FieldError[] {
  const tools = specOf(server).tools;
  if (!Array.isArray(tools)) return [];
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  tools.forEach((name: unknown, i) => {
    const at = path.child('tools').index(i);
    errors.push(...checkServerToolName(name, at));
    if (typeof name !== 'string') return;
    if (seen.has(name)) errors.push(duplicate(at, name));
    seen.add(name);
  });
  return errors;
}

/** MCPServer: spec.tools beside toolConfigRef, or alone; names outside MCP's format. */
export function toolConfigWarnings(server: unknown, path: FieldPath = FieldPath.of('spec')): string[] {
  const spec = specOf(server);
  const tools = Array.isArray(spec.tools) ? (spec.tools as unknown[]) : [];
  const warnings: string[] = [];
  if (tools.length)
    warnings.push(str(dictName(spec.toolConfigRef)) ? SPEC_TOOLS_IGNORED : SPEC_TOOLS_DEPRECATED);
  tools.forEach((name, i) => {
    const warning = unusualToolName(name, path.child('tools').index(i));
    if (warning) warnings.push(warning);
  });
  return warnings;
}

const dictName = (v: unknown): unknown =>
  typeof v === 'object' && v !== null ? (v as { name?: unknown }).name : undefined;
