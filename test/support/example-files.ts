// Reads a folder of example manifests (ToolHive's examples/operator) into their documents, each with its
// own text exactly as written, so a test can apply them one by one and say which one did what.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface ExampleDocument {
  /** The document's place in its file, from 1, counting only documents with a kind. */
  index: number;
  apiVersion: string;
  kind: string;
  name: string;
  /** metadata.namespace, or undefined (kubectl's default namespace, or a cluster-scoped object). */
  namespace: string | undefined;
  /** The document's text, byte for byte. */
  text: string;
}

/** `dir/file.yaml` of every YAML file one folder down, sorted as `ls -R` would list them. */
export function exampleFiles(root: string): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(path.join(root, d.name))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => `${d.name}/${f}`),
    )
    .sort();
}

/** The documents of one file in order; empty documents (comments only) are skipped. */
export function exampleDocuments(root: string, file: string): ExampleDocument[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const docs: ExampleDocument[] = [];
  for (const doc of parseAllDocuments(text)) {
    const object = (doc.toJS() ?? {}) as {
      apiVersion?: string;
      kind?: string;
      metadata?: { name?: string; namespace?: string };
    };
    if (!object.kind) continue;
    const [start, , end] = doc.range;
    docs.push({
      index: docs.length + 1,
      apiVersion: object.apiVersion ?? '',
      kind: object.kind,
      name: object.metadata?.name ?? '',
      namespace: object.metadata?.namespace,
      text: text.slice(start, end),
    });
  }
  return docs;
}

/** The plural resource name the API server would serve a kind under (lower case, y -> ies). */
export const pluralOf = (kind: string): string => kind.toLowerCase().replace(/y$/, 'ie') + 's';
