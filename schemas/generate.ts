// Writes everything derived from the API's JSON Schemas (schemas/*.schema.json, listed in resources.ts):
// each CRD under manifests/crd/ (plain, for `kubectl apply`) and in the Helm chart's files/crds/ (which
// templates/crds.yaml labels and annotates), and the TypeScript types under schemas/generated/. Run with
// `npm run generate` (or `node schemas/generate.ts`). The ajv validators are compiled from the JSON at
// runtime (webhook/schema-validation.ts), so no code is generated for them.
// test/unit/schemas/generated.test.ts fails when the checked-in files drift.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCRD, type JsonSchema } from './crd.ts';
import { API_RESOURCES, crdFileName, MCPSERVER, type ApiResource } from './resources.ts';
import { renderTypes } from './typegen.ts';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CRD_DIR = join(REPO_ROOT, 'manifests/crd');
const CHART_CRD_DIR = join(REPO_ROOT, 'manifests/charts/mcp-operator/files/crds');
export const SCHEMA_FILE = join(REPO_ROOT, 'schemas', MCPSERVER.schemaFile);
export const CRD_FILE = join(CRD_DIR, crdFileName(MCPSERVER));
export const TYPES_FILE = join(REPO_ROOT, 'schemas/generated', MCPSERVER.typesFile);

/** One resource's schema (the MCPServer's when none is named). */
export function readSchema(r: ApiResource = MCPSERVER): JsonSchema {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', r.schemaFile), 'utf8')) as JsonSchema;
}

/** Every generated file of one resource with its content, keyed by absolute path. */
export function generatedFiles(schema: JsonSchema, r: ApiResource = MCPSERVER): Record<string, string> {
  const crd = renderCRD(schema, r);
  return {
    [join(CRD_DIR, crdFileName(r))]: crd,
    [join(REPO_ROOT, 'schemas/generated', r.typesFile)]: renderTypes(schema, r),
    [join(CHART_CRD_DIR, crdFileName(r))]: crd,
  };
}

/** Every generated file of every resource. */
export function allGeneratedFiles(): Record<string, string> {
  return Object.assign({}, ...API_RESOURCES.map((r) => generatedFiles(readSchema(r), r))) as Record<
    string,
    string
  >;
}

function main(): void {
  for (const [file, content] of Object.entries(allGeneratedFiles())) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    process.stdout.write(`Wrote ${file.slice(REPO_ROOT.length + 1)}\n`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
