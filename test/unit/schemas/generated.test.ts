import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parse } from 'yaml';
import { generatedFiles, readSchema, REPO_ROOT } from '../../../schemas/generate.ts';
import { inlineRefs, mcpServerCRD, openAPIV3Schema, type JsonSchema } from '../../../schemas/crd.ts';
import { renderTypes } from '../../../schemas/typegen.ts';

describe('generated files', () => {
  for (const [file, content] of Object.entries(generatedFiles(readSchema()))) {
    const name = relative(REPO_ROOT, file);
    it(`${name} matches schemas/mcpserver.schema.json (if not: run \`npm run generate\`)`, () => {
      const onDisk = readFileSync(file, 'utf8');
      expect(onDisk === content, `${name} is stale: run \`npm run generate\` and commit the result`).to.be
        .true;
    });
  }
});

/** Every node of a structural schema has a type, unless it preserves unknown fields. */
function untypedNodes(node: unknown, path: string): string[] {
  if (typeof node !== 'object' || node === null) return [];
  const schema = node as JsonSchema;
  const own =
    schema.type === undefined && schema['x-kubernetes-preserve-unknown-fields'] !== true ? [path] : [];
  const props = (schema.properties ?? {}) as Record<string, unknown>;
  const children = Object.entries(props).flatMap(([k, v]) => untypedNodes(v, `${path}.${k}`));
  const items = schema.items === undefined ? [] : untypedNodes(schema.items, `${path}[]`);
  return [...own, ...children, ...items];
}

describe('mcpServerCRD', () => {
  const crd = mcpServerCRD(readSchema()) as {
    spec: { versions: Array<Record<string, unknown>>; names: unknown };
  };
  it('serves v1alpha1 (storage) and v1beta1 with one schema', () => {
    const versions = crd.spec.versions.map((v) => [v.name, v.served, v.storage]);
    expect(versions).to.deep.equal([
      ['v1alpha1', true, true],
      ['v1beta1', true, false],
    ]);
    expect(crd.spec.versions[0]!.schema).to.deep.equal(crd.spec.versions[1]!.schema);
  });
  it('is a structural schema: no $ref, a type everywhere, no JSON-Schema-only keywords', () => {
    const schema = openAPIV3Schema(readSchema());
    const text = JSON.stringify(schema);
    for (const banned of ['$ref', '$defs', '$schema', 'x-mcp-', '"title"', '"default"'])
      expect(text).to.not.contain(banned);
    expect(untypedNodes(schema, '')).to.deep.equal([]);
  });
  it('keeps ToolHive-only fields so the API server does not prune them', () => {
    const spec = (openAPIV3Schema(readSchema()).properties as Record<string, JsonSchema>).spec!;
    expect((spec.properties as Record<string, JsonSchema>).oidcConfig).to.include({
      'x-kubernetes-preserve-unknown-fields': true,
    });
  });
  it('has the names ToolHive users type', () => {
    expect(crd.spec.names).to.deep.equal({
      kind: 'MCPServer',
      listKind: 'MCPServerList',
      plural: 'mcpservers',
      singular: 'mcpserver',
      shortNames: ['mcpserver', 'mcpservers'],
      categories: ['toolhive'],
    });
  });
  it('writes YAML without anchors, which reads back as the same object', () => {
    const [file] = Object.values(generatedFiles(readSchema()));
    expect(file).to.not.match(/&a\d|\*a\d/);
    expect(parse(file!)).to.deep.equal(crd);
  });
  it('refuses an unresolvable $ref', () => {
    expect(() => inlineRefs({ $ref: '#/$defs/Nope' }, {})).to.throw('Unresolvable $ref');
  });
});

describe('renderTypes', () => {
  it('names titled definitions and writes unions for enums', () => {
    const out = renderTypes({
      title: 'Thing',
      type: 'object',
      required: ['kind'],
      properties: { kind: { enum: ['a', 'b'] }, list: { type: 'array', items: { $ref: '#/$defs/Item' } } },
      $defs: { Item: { title: 'Item', type: 'object', properties: { n: { type: 'integer' } } } },
    });
    expect(out).to.contain('export interface Thing {\n  kind: "a" | "b";\n  list?: Item[];\n}');
    expect(out).to.contain('export interface Item {\n  n?: number;\n}');
  });
  it('throws on a construct it cannot map', () => {
    expect(() => renderTypes({ title: 'X', type: 'object', properties: { a: { oneOf: [] } } })).to.throw(
      'No TypeScript mapping',
    );
  });
});
