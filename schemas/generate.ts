// Writes everything derived from schemas/mcpserver.schema.json: the CRD under manifests/crd/ (plain, for
// `kubectl apply`) and in the Helm chart's files/crds/ (which templates/crds.yaml labels and annotates), and
// the TypeScript types under schemas/generated/. Run with `npm run generate` (or `node schemas/generate.ts`).
// The ajv validator is compiled from the JSON at runtime (webhook/schema-validation.ts), so no code is
// generated for it. test/unit/schemas/generated.test.ts fails when the checked-in files drift.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCRD, type JsonSchema } from './crd.ts';
import { renderTypes } from './typegen.ts';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMA_FILE = join(REPO_ROOT, 'schemas/mcpserver.schema.json');
export const CRD_FILE = join(REPO_ROOT, 'manifests/crd/toolhive.stacklok.dev_mcpservers.yaml');
export const CHART_CRD_FILE = join(
  REPO_ROOT,
  'manifests/charts/mcp-operator/files/crds/toolhive.stacklok.dev_mcpservers.yaml',
);
export const TYPES_FILE = join(REPO_ROOT, 'schemas/generated/mcpserver.ts');

export function readSchema(): JsonSchema {
  return JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as JsonSchema;
}

/** Every generated file with its content, keyed by absolute path. */
export function generatedFiles(schema: JsonSchema): Record<string, string> {
  const crd = renderCRD(schema);
  return { [CRD_FILE]: crd, [TYPES_FILE]: renderTypes(schema), [CHART_CRD_FILE]: crd };
}

function main(): void {
  for (const [file, content] of Object.entries(generatedFiles(readSchema()))) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    process.stdout.write(`Wrote ${file.slice(REPO_ROOT.length + 1)}\n`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
