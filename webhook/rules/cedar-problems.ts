// lib/authz-config.ts's problems (a path relative to the config that was checked, a message, and for
// Cedar text a 1-based line and column within the entry) as field errors at the field the user wrote:
// `spec.authzConfig.inline.policies[1]: Invalid value: "permit(...": line 2, column 10: unexpected token`.
// `rename` maps the config's own key names to the spelling of the field being checked (the inline
// config's camelCase, the MCPAuthzConfig's snake_case). The value shown is the entry's first 60
// characters: enough to find it, not the whole policy.
import type { AuthzProblem } from '../../lib/authz-config.ts';
import { invalid, type FieldError, type FieldPath } from '../field.ts';

const excerpt = (value: unknown): string => {
  const text = typeof value === 'string' ? value : '';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

function valueAt(source: unknown, path: (string | number)[]): unknown {
  let current = source;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** Each problem as an Invalid-value error under `base`; `source` is what the paths index into. */
export function cedarProblemErrors(
  problems: AuthzProblem[],
  base: FieldPath,
  source: unknown,
  rename: Record<string, (string | number)[]> = {},
): FieldError[] {
  return problems.map((p) => {
    const head = String(p.path[0] ?? '');
    const segments = rename[head] ? [...rename[head], ...p.path.slice(1)] : p.path;
    const path = segments.reduce<FieldPath>(
      (at, s) => (typeof s === 'number' ? at.index(s) : at.child(s)),
      base,
    );
    const where = p.line !== undefined ? `line ${p.line}, column ${p.column ?? 1}: ` : '';
    return invalid(path, excerpt(valueAt(source, segments)), `${where}${p.message}`);
  });
}
