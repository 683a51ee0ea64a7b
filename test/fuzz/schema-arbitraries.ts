// fast-check arbitraries read off the MCPServer JSON Schema (schemas/mcpserver.schema.json), so the fuzz
// tests follow the API as it changes: objects of the right shape with odd values (validish), values of
// any type but the one a field declares (wrongTypeFor), and every field's path (fieldPaths), for a sweep
// that gives each field each wrong type at least once. Pure: no I/O beyond reading the schema at import.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { hostileText, nameish } from './hostile-text.ts';

export interface SchemaNode {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-mcp-ts-type'?: string;
  $defs?: Record<string, SchemaNode>;
}

export const MCPSERVER_SCHEMA = JSON.parse(
  readFileSync(new URL('../../schemas/mcpserver.schema.json', import.meta.url), 'utf8'),
) as SchemaNode;

export function resolve(node: SchemaNode, root: SchemaNode = MCPSERVER_SCHEMA): SchemaNode {
  if (!node.$ref) return node;
  const name = node.$ref.replace('#/$defs/', '');
  const target = root.$defs?.[name];
  if (!target) throw new Error(`schema $ref ${node.$ref} not found`);
  return { ...resolve(target, root), ...node, $ref: undefined };
}

export type FieldPath = readonly (string | number)[];

/** Every field the schema declares, arrays entered at index 0 and maps at key "k"; metadata's own keys too. */
export function fieldPaths(root: SchemaNode = MCPSERVER_SCHEMA, maxDepth = 8): FieldPath[] {
  const paths: FieldPath[] = [];
  const walk = (node: SchemaNode, path: FieldPath): void => {
    const n = resolve(node, root);
    if (path.length > 0) paths.push(path);
    if (path.length >= maxDepth) return;
    for (const [key, child] of Object.entries(n.properties ?? {})) walk(child, [...path, key]);
    if (n.items) walk(n.items, [...path, 0]);
    if (typeof n.additionalProperties === 'object') walk(n.additionalProperties, [...path, 'k']);
    if (n['x-mcp-ts-type'] === 'ObjectMeta') {
      for (const key of ['name', 'namespace', 'labels', 'annotations', 'generateName', 'uid'])
        paths.push([...path, key]);
    }
  };
  walk(root, []);
  return paths;
}

/** The schema node at a field path (what fieldPaths yields), or an untyped node for metadata's keys. */
export function nodeAt(path: FieldPath, root: SchemaNode = MCPSERVER_SCHEMA): SchemaNode {
  let node = resolve(root, root);
  for (const step of path) {
    if (typeof step === 'number') node = resolve(node.items ?? {}, root);
    else if (node.properties?.[step]) node = resolve(node.properties[step], root);
    else if (typeof node.additionalProperties === 'object') node = resolve(node.additionalProperties, root);
    else if (node['x-mcp-ts-type'] === 'ObjectMeta')
      return { type: step === 'labels' || step === 'annotations' ? 'object' : 'string' };
    else return {};
  }
  return node;
}

/** A copy of value with the field at path set, creating objects and arrays on the way. */
export function setAt(value: unknown, path: FieldPath, leaf: unknown): unknown {
  if (path.length === 0) return leaf;
  const [step, ...rest] = path;
  if (typeof step === 'number') {
    const array = Array.isArray(value) ? [...(value as unknown[])] : [];
    while (array.length <= step) array.push({});
    array[step] = setAt(array[step], rest, leaf);
    return array;
  }
  const object = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
  return { ...object, [step!]: setAt((object as Record<string, unknown>)[step!], rest, leaf) };
}

// Numbers at and past the edges that int32 fields, ports and JSON itself make interesting.
const EDGE_NUMBERS = [
  0,
  -1,
  1,
  65535,
  65536,
  2147483647,
  2147483648,
  -2147483649,
  2 ** 53 + 1,
  1e308,
  5e-324,
  0.5,
];

const smallJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

/** A value of the declared type and shape whose leaves are often odd: out of range, empty, hostile text. */
export function validish(
  node: SchemaNode,
  root: SchemaNode = MCPSERVER_SCHEMA,
  depth = 0,
): fc.Arbitrary<unknown> {
  const n = resolve(node, root);
  const special = specialCase(n);
  if (special) return special;
  switch (n.type) {
    case 'string':
      return stringish(n);
    case 'integer':
      return integerish(n);
    case 'array':
      return depth > 6
        ? fc.constant([])
        : fc.array(validish(n.items ?? {}, root, depth + 1), { maxLength: 3 });
    case 'object':
      return depth > 6 ? fc.constant({}) : objectish(n, root, depth);
    default:
      return SCALARS[n.type ?? ''] ?? smallJson; // untyped (an Unsupported field): any shape at all
  }
}

/** Enums, metadata and the free-form pod template, which the type alone does not describe. */
function specialCase(n: SchemaNode): fc.Arbitrary<unknown> | undefined {
  if (n.enum) return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...n.enum) }, hostileText(8));
  if (n['x-mcp-ts-type'] === 'ObjectMeta') return objectMeta;
  if (n['x-kubernetes-preserve-unknown-fields'] && !n.properties) return podTemplateish;
  return undefined;
}

const SCALARS: Record<string, fc.Arbitrary<unknown>> = {
  number: fc.double({ noNaN: true, noDefaultInfinity: true }),
  boolean: fc.boolean(),
};

function integerish(n: SchemaNode): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: n.minimum ?? -1000, max: n.maximum ?? 1000 }) },
    { weight: 1, arbitrary: fc.constantFrom(...EDGE_NUMBERS) },
  );
}

function stringish(n: SchemaNode): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9./:_-]{0,30}$/) },
    { weight: 1, arbitrary: hostileText() },
    { weight: 1, arbitrary: fc.constantFrom('', 'x'.repeat((n.maxLength ?? 64) + 1)) },
  );
}

/** Declared properties (required ones always present), or a small map of the declared value type. */
function objectish(n: SchemaNode, root: SchemaNode, depth: number): fc.Arbitrary<unknown> {
  if (n.properties) {
    const fields = Object.fromEntries(
      Object.entries(n.properties).map(([key, child]) => [key, validish(child, root, depth + 1)]),
    );
    return fc.record(fields, { requiredKeys: n.required ?? [] });
  }
  const values = typeof n.additionalProperties === 'object' ? n.additionalProperties : { type: 'string' };
  return fc.dictionary(nameish, validish(values, root, depth + 1), { maxKeys: 3 });
}

const quantityish = fc.oneof(
  fc.constantFrom(
    '100m',
    '1',
    '1.5',
    '64Mi',
    '1Gi',
    '2G',
    '1e3',
    '-1',
    '0',
    '0.0001m',
    '9'.repeat(40),
    'abc',
    '1Ki',
  ),
  hostileText(6),
);

const objectMeta: fc.Arbitrary<unknown> = fc.record(
  {
    name: nameish,
    namespace: nameish,
    labels: fc.dictionary(nameish, nameish, { maxKeys: 3 }),
    annotations: fc.dictionary(hostileText(), hostileText(), { maxKeys: 2 }),
    generateName: nameish,
  },
  { requiredKeys: ['name'] },
);

/** A pod template near what the pod-template rule reads: containers, the `mcp` one, mounts, quantities. */
const podTemplateish: fc.Arbitrary<unknown> = fc.record(
  {
    metadata: fc.record({ labels: fc.dictionary(nameish, nameish, { maxKeys: 2 }) }),
    spec: fc.record(
      {
        containers: fc.array(
          fc.record(
            {
              name: fc.oneof(fc.constant('mcp'), nameish),
              image: nameish,
              resources: fc.record({
                limits: fc.record({ cpu: quantityish, memory: quantityish }, { requiredKeys: [] }),
                requests: fc.record({ cpu: quantityish, memory: quantityish }, { requiredKeys: [] }),
              }),
              volumeMounts: fc.array(fc.record({ name: nameish, mountPath: hostileText() }), {
                maxLength: 2,
              }),
              env: fc.array(fc.record({ name: nameish, value: hostileText() }), { maxLength: 2 }),
            },
            { requiredKeys: ['name'] },
          ),
          { maxLength: 3 },
        ),
        volumes: fc.array(fc.record({ name: nameish, emptyDir: fc.constant({}) }), { maxLength: 2 }),
        serviceAccountName: nameish,
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

export type JsonKind = 'null' | 'boolean' | 'integer' | 'float' | 'string' | 'array' | 'object';

/** One value of each JSON kind, for the deterministic sweep. */
export const SAMPLE_OF_KIND: Record<JsonKind, unknown> = {
  null: null,
  boolean: true,
  integer: 42,
  float: 1.5,
  string: 'wrong',
  array: ['wrong', 1],
  object: { wrong: { nested: [1] } },
};

const ARBITRARY_OF_KIND: Record<JsonKind, fc.Arbitrary<unknown>> = {
  null: fc.constant(null),
  boolean: fc.boolean(),
  integer: fc.oneof(fc.integer(), fc.constantFrom(...EDGE_NUMBERS.filter(Number.isInteger))),
  float: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
  string: fc.oneof(hostileText(), fc.constantFrom('', '8080', 'true', 'null', '{}')),
  array: fc.array(smallJson, { maxLength: 4 }),
  object: fc.dictionary(hostileText(6), smallJson, { maxKeys: 4 }),
};

/** The JSON kinds a field of this schema type must not hold. */
export function wrongKinds(node: SchemaNode): JsonKind[] {
  const n = resolve(node);
  const all = Object.keys(SAMPLE_OF_KIND) as JsonKind[];
  if (n.enum) return all.filter((k) => k !== 'string');
  switch (n.type) {
    case 'string':
      return all.filter((k) => k !== 'string');
    case 'integer':
      return all.filter((k) => k !== 'integer');
    case 'number':
      return all.filter((k) => k !== 'integer' && k !== 'float');
    case 'boolean':
      return all.filter((k) => k !== 'boolean');
    case 'array':
      return all.filter((k) => k !== 'array');
    case 'object':
      return all.filter((k) => k !== 'object');
    default:
      return all; // untyped (Unsupported, metadata's free keys): any kind is "wrong" enough to try
  }
}

/** A value of some JSON kind the field does not declare. */
export function wrongTypeFor(node: SchemaNode): fc.Arbitrary<unknown> {
  return fc.constantFrom(...wrongKinds(node)).chain((kind) => ARBITRARY_OF_KIND[kind]);
}
