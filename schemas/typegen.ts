// Pure: a resource's JSON Schema -> TypeScript declarations (interfaces and unions only, so the output is
// erasable and Node runs it without a build). Every schema with a `title` becomes a named interface;
// everything else is written inline. Covers the subset of JSON Schema our schema uses, and throws on
// anything else so a new construct is noticed at generation time rather than typed wrongly.
import { generatedHeader, type JsonSchema } from './crd.ts';
import { MCPSERVER, type ApiResource } from './resources.ts';

// metadata is free-form in the CRD (the API server owns its schema); rules read only these fields.
const OBJECT_META = `/** The part of metav1.ObjectMeta the webhook reads; the API server validates the rest. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}`;

interface Context {
  defs: JsonSchema;
}

const isSchema = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);

function refTarget(ref: string, ctx: Context): JsonSchema {
  const target = ctx.defs[ref.replace(/^#\/\$defs\//, '')];
  if (!isSchema(target)) throw new Error(`Unresolvable $ref ${ref}`);
  return target;
}

function comment(description: unknown, indent: string): string {
  if (typeof description !== 'string') return '';
  return `${indent}/** ${description.replace(/\*\//g, '*\\/')} */\n`;
}

function objectBody(node: JsonSchema, ctx: Context, indent: string): string {
  const props = isSchema(node.properties) ? node.properties : {};
  const required = new Set(Array.isArray(node.required) ? node.required : []);
  const inner = `${indent}  `;
  const lines = Object.entries(props).map(([name, prop]) => {
    const optional = required.has(name) ? '' : '?';
    const described = isSchema(prop) ? prop.description : undefined;
    return `${comment(described, inner)}${inner}${name}${optional}: ${tsType(prop, ctx, inner)};`;
  });
  return `{\n${lines.join('\n')}\n${indent}}`;
}

function arrayType(node: JsonSchema, ctx: Context, indent: string): string {
  const item = tsType(node.items, ctx, indent);
  return item.includes('|') ? `Array<${item}>` : `${item}[]`;
}

function objectType(node: JsonSchema, ctx: Context, indent: string): string {
  if (isSchema(node.properties)) return objectBody(node, ctx, indent);
  if (isSchema(node.additionalProperties)) {
    return `Record<string, ${tsType(node.additionalProperties, ctx, indent)}>`;
  }
  return 'Record<string, unknown>';
}

/** The TypeScript type of one schema node. */
export function tsType(node: unknown, ctx: Context, indent = ''): string {
  if (!isSchema(node)) throw new Error(`Not a schema: ${JSON.stringify(node)}`);
  if (typeof node.$ref === 'string') {
    const target = refTarget(node.$ref, ctx);
    return typeof target.title === 'string' ? target.title : tsType(target, ctx, indent);
  }
  if (typeof node['x-mcp-ts-type'] === 'string') return node['x-mcp-ts-type'];
  if (Array.isArray(node.enum)) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  switch (node.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return arrayType(node, ctx, indent);
    case 'object':
      return objectType(node, ctx, indent);
    case undefined:
      if (node['x-kubernetes-preserve-unknown-fields'] === true) return 'unknown';
  }
  throw new Error(`No TypeScript mapping for schema ${JSON.stringify(node)}`);
}

function namedDeclaration(name: string, node: JsonSchema, ctx: Context): string {
  const head = comment(node.description, '');
  if (node.type === 'object' && isSchema(node.properties)) {
    return `${head}export interface ${name} ${objectBody(node, ctx, '')}`;
  }
  return `${head}export type ${name} = ${tsType(node, ctx)};`;
}

/** The whole schemas/generated/<kind>.ts file (each file stands alone: shared shapes are repeated). */
export function renderTypes(schema: JsonSchema, r: ApiResource = MCPSERVER): string {
  const ctx: Context = { defs: isSchema(schema.$defs) ? schema.$defs : {} };
  const declarations = [OBJECT_META];
  if (typeof schema.title === 'string') declarations.push(namedDeclaration(schema.title, schema, ctx));
  for (const def of Object.values(ctx.defs)) {
    if (isSchema(def) && typeof def.title === 'string') {
      declarations.push(namedDeclaration(def.title, def, ctx));
    }
  }
  return `// ${generatedHeader(r)}\n\n${declarations.join('\n\n')}\n`;
}
