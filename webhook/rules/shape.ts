// Defensive readers for objects of unknown shape. Rules run on every object the API server sends, including
// ones the schema already rejected, so they read through these instead of trusting the generated types:
// a rule must report or skip, never throw.

export type Dict = Record<string, unknown>;

export const isDict = (value: unknown): value is Dict =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value as a plain object, or an empty one. */
export const dict = (value: unknown): Dict => (isDict(value) ? value : {});

/** The value as a string, or undefined. */
export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The value as an integer, or undefined. */
export const int = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) ? value : undefined;

/** The object entries of an array with their indexes; non-objects are skipped (the schema reports them). */
export function dictsOf(value: unknown): Array<[Dict, number]> {
  if (!Array.isArray(value)) return [];
  const out: Array<[Dict, number]> = [];
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (isDict(item)) out.push([item, i]);
  }
  return out;
}

/** The spec of an MCPServer-shaped value. */
export const specOf = (server: unknown): Dict => dict(dict(server).spec);

/** The metadata of an MCPServer-shaped value. */
export const metadataOf = (server: unknown): Dict => dict(dict(server).metadata);
