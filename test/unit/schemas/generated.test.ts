import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parse } from 'yaml';
import { readdirSync } from 'node:fs';
import {
  allGeneratedFiles,
  CRD_DIR,
  generatedFiles,
  readSchema,
  REPO_ROOT,
} from '../../../schemas/generate.ts';
import {
  inlineRefs,
  mcpServerCRD,
  openAPIV3Schema,
  resourceCRD,
  type JsonSchema,
} from '../../../schemas/crd.ts';
import { API_RESOURCES, MCPAUTHZCONFIG, MCPOIDCCONFIG } from '../../../schemas/resources.ts';
import { renderTypes } from '../../../schemas/typegen.ts';

describe('generated files', () => {
  for (const [file, content] of Object.entries(allGeneratedFiles())) {
    const name = relative(REPO_ROOT, file);
    it(`${name} matches its schema (if not: run \`npm run generate\`)`, () => {
      const onDisk = readFileSync(file, 'utf8');
      expect(onDisk === content, `${name} is stale: run \`npm run generate\` and commit the result`).to.be
        .true;
    });
  }
  it('manifests/crd/ holds exactly the generated CRDs (none left behind)', () => {
    const generated = Object.keys(allGeneratedFiles())
      .filter((f) => f.startsWith(`${CRD_DIR}/`))
      .map((f) => f.slice(CRD_DIR.length + 1))
      .sort();
    expect(readdirSync(CRD_DIR).sort()).to.deep.equal(generated);
    expect(generated).to.have.length(API_RESOURCES.length);
  });
});

type Crd = { metadata: { name: string }; spec: { versions: Array<Record<string, unknown>>; names: unknown } };

describe('MCPOIDCConfig and MCPAuthzConfig CRDs', () => {
  const cases = [
    { r: MCPOIDCCONFIG, name: 'mcpoidcconfigs.toolhive.stacklok.dev', short: ['mcpoidc'], first: 'Source' },
    { r: MCPAUTHZCONFIG, name: 'mcpauthzconfigs.toolhive.stacklok.dev', short: ['authzcfg'], first: 'Type' },
  ];
  for (const c of cases) {
    const crd = resourceCRD(c.r, readSchema(c.r)) as Crd;
    it(`${c.name}: ToolHive's names, columns, a deprecated v1alpha1 and one schema for both versions`, () => {
      expect(crd.metadata.name).to.equal(c.name);
      expect(crd.spec.names).to.include({ kind: c.r.kind, listKind: `${c.r.kind}List` });
      expect((crd.spec.names as { shortNames: string[] }).shortNames).to.deep.equal(c.short);
      const [alpha, beta] = crd.spec.versions;
      expect([alpha!.name, alpha!.served, alpha!.storage, alpha!.deprecated]).to.deep.equal([
        'v1alpha1',
        true,
        true,
        true,
      ]);
      expect(alpha!.deprecationWarning).to.equal('toolhive.stacklok.dev/v1alpha1 is deprecated; use v1beta1');
      expect([beta!.name, beta!.served, beta!.storage, beta!.deprecated]).to.deep.equal([
        'v1beta1',
        true,
        false,
        undefined,
      ]);
      expect(alpha!.schema).to.deep.equal(beta!.schema);
      expect(alpha!.subresources).to.deep.equal({ status: {} });
      const columns = (alpha!.additionalPrinterColumns as Array<{ name: string }>).map((col) => col.name);
      expect(columns).to.deep.equal([c.first, 'Valid', 'Age']);
    });
    it(`${c.name}: a structural schema with no defaults`, () => {
      const schema = openAPIV3Schema(readSchema(c.r));
      const text = JSON.stringify(schema);
      for (const banned of ['$ref', '$defs', '$schema', 'x-mcp-', '"title"', '"default"'])
        expect(text).to.not.contain(banned);
      expect(untypedNodes(schema, '')).to.deep.equal([]);
    });
  }
  it('the generated types name each kind and its spec', () => {
    const files = Object.values(generatedFiles(readSchema(MCPOIDCCONFIG), MCPOIDCCONFIG));
    expect(files[1]).to.contain('export interface MCPOIDCConfigSpec {');
    expect(files[1]).to.contain('type: "kubernetesServiceAccount" | "inline";');
    expect(files[1]).to.contain('from schemas/mcpoidcconfig.schema.json');
  });
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
    expect((spec.properties as Record<string, JsonSchema>).telemetry).to.include({
      'x-kubernetes-preserve-unknown-fields': true,
    });
  });
  it("types ToolHive's authentication, authorization and audit fields", () => {
    const spec = (openAPIV3Schema(readSchema()).properties as Record<string, JsonSchema>).spec!;
    const props = spec.properties as Record<string, JsonSchema>;
    expect(props.oidcConfigRef).to.deep.include({ required: ['name', 'audience'] });
    expect(Object.keys(props.oidcConfig!.properties as object)).to.deep.equal([
      'type',
      'resourceUrl',
      'kubernetes',
      'configMap',
      'inline',
    ]);
    const inline = (props.authzConfig!.properties as Record<string, JsonSchema>).inline!;
    expect((inline.properties as Record<string, JsonSchema>).policies).to.include({ minItems: 1 });
    expect(props.authzConfigRef).to.deep.include({ required: ['name'] });
    expect(props.audit!.properties).to.deep.equal({
      enabled: { description: 'Enabled turns audit logging on (default false)', type: 'boolean' },
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
