// ToolHive v0.44.0's example manifests (examples/operator, unchanged, images included) applied through
// the real kube-apiserver with our CRDs and our admission webhooks (in process, behind the production
// webhook configurations), as `kubectl apply --server-side -f` would: the files in `ls -R` order, each
// file's documents in order, every document on its own so each answer can be told apart. The table in
// test/fixtures/toolhive-examples/expected.ts says, per document, accepted, denied (field path and
// reason) or "kind not served here" (a ToolHive kind this operator does not implement: kubectl finds no
// such kind, and the API server answers 404 for its resource). A summary table is printed at the end.
import path from 'node:path';
import { expect } from 'chai';
import { repoRoot } from '../../controlplane/versions.ts';
import { defaultPolicy } from '../../webhook/policy.ts';
import { EXPECTED, type Expected, PREREQUISITE_SECRETS } from '../fixtures/toolhive-examples/expected.ts';
import { type ExampleDocument, exampleDocuments, exampleFiles, pluralOf } from '../support/example-files.ts';
import { controlPlane, crdNames, eventually, installCrd } from './harness.ts';
import { type LocalWebhook, startLocalWebhook } from './local-webhook.ts';

const ROOT = path.join(repoRoot, 'test/fixtures/toolhive-examples/v0.44.0');
const GROUP = 'toolhive.stacklok.dev';
const CORE = new Set(['Namespace', 'Secret', 'ServiceAccount', 'ClusterRoleBinding']);
/** Our CRDs' plural names (mcpservers, mcpgroups, ...): the kinds this operator serves. */
const SERVED = new Set(crdNames().map((n) => n.split('.')[0]));
const kubectl = (args: string[], stdin?: string) => controlPlane().kubectl(args, stdin);

type Outcome = 'accepted' | 'kind not served here' | { denied: string };

interface Row {
  file: string;
  doc: ExampleDocument;
  outcome: Outcome;
}

const label = (doc: ExampleDocument) => `${doc.kind} ${doc.name}`;

/** Applies one document as `kubectl apply --server-side` does and says what the API server answered. */
async function apply(doc: ExampleDocument): Promise<Outcome> {
  const r = await kubectl(
    ['apply', '--server-side', '--field-manager=toolhive-examples', '-f', '-'],
    doc.text,
  );
  if (r.code === 0) return 'accepted';
  if (r.stderr.includes(`no matches for kind "${doc.kind}" in version "${doc.apiVersion}"`))
    return 'kind not served here';
  return { denied: r.stderr.trim() };
}

/** The API server itself has no resource for the kind: a POST to where it would be is a 404. */
async function apiServerKnowsNot(doc: ExampleDocument): Promise<string> {
  const [group, version] = doc.apiVersion.split('/');
  const where = `/apis/${group}/${version}/namespaces/${doc.namespace ?? 'default'}/${pluralOf(doc.kind)}`;
  const r = await kubectl(['create', '--raw', where, '-f', '-'], JSON.stringify({ kind: doc.kind }));
  return r.code === 0 ? 'created' : r.stderr.trim();
}

/** Deletes the objects of these documents (Namespaces aside) that exist, one kubectl call per namespace. */
async function deleteAll(docs: ExampleDocument[]): Promise<void> {
  const byNamespace = new Map<string, Set<string>>();
  for (const doc of docs.filter((d) => d.kind !== 'Namespace')) {
    const ns = doc.kind === 'ClusterRoleBinding' ? '' : (doc.namespace ?? 'default');
    byNamespace.set(ns, (byNamespace.get(ns) ?? new Set()).add(`${doc.kind.toLowerCase()}/${doc.name}`));
  }
  for (const [ns, objects] of byNamespace) {
    const where = ns ? ['-n', ns] : [];
    const r = await kubectl(['delete', ...where, '--ignore-not-found', ...objects]);
    if (r.code !== 0) throw new Error(`kubectl delete in ${ns || 'the cluster'}: ${r.stderr}`);
  }
}

/** The API server picks up new webhook configurations asynchronously: waits until ours denies. */
const webhookCalled = () =>
  eventually('the validating webhook to be called', async () => {
    const probe = {
      apiVersion: `${GROUP}/v1beta1`,
      kind: 'MCPServer',
      metadata: { name: 'webhook-probe', namespace: 'default' },
      spec: { image: 'ghcr.io/example/server:1', secrets: [{ name: 'absent-secret', key: 'k' }] },
    };
    const r = await kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(probe));
    if (r.stderr.includes('spec.secrets[0].name: Not found')) return true;
    throw new Error(r.stderr.trim());
  });

async function createPrerequisiteSecrets(): Promise<void> {
  for (const s of PREREQUISITE_SECRETS) {
    await kubectl(['create', 'namespace', s.namespace]);
    const stringData = Object.fromEntries(s.keys.map((k) => [k, 'placeholder']));
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: s.name, namespace: s.namespace } };
    const r = await kubectl(
      ['apply', '--server-side', '--force-conflicts', '-f', '-'],
      JSON.stringify({ ...secret, stringData }),
    );
    if (r.code !== 0) throw new Error(`Secret ${s.namespace}/${s.name}: ${r.stderr}`);
  }
}

function matches(outcome: Outcome, expected: Expected): boolean {
  if (typeof expected === 'string' || typeof outcome === 'string') return outcome === expected;
  const fields = typeof expected.denied === 'string' ? [expected.denied] : expected.denied;
  return fields.some((f) => outcome.denied.includes(`${f}: `)) && outcome.denied.includes(expected.fragment);
}

const show = (o: Outcome) => (typeof o === 'string' ? o : `denied: ${o.denied.replace(/\s+/g, ' ')}`);

function summary(rows: Row[]): string {
  const lines = ['file | kinds | accepted | denied | kind not served here'];
  for (const file of [...new Set(rows.map((r) => r.file))]) {
    const mine = rows.filter((r) => r.file === file);
    const kinds = [...new Set(mine.map((r) => r.doc.kind))].join(', ');
    const count = (f: (o: Outcome) => boolean) => mine.filter((r) => f(r.outcome)).length;
    lines.push(
      `${file} | ${kinds} | ${count((o) => o === 'accepted')} | ${count((o) => typeof o === 'object')} | ${count((o) => o === 'kind not served here')}`,
    );
  }
  const kinds = [...new Set(rows.map((r) => r.doc.kind))].sort();
  for (const kind of kinds) {
    const mine = rows.filter((r) => r.doc.kind === kind);
    const accepted = mine.filter((r) => r.outcome === 'accepted').length;
    lines.push(`${accepted} of ${mine.length} ${kind} documents accepted`);
  }
  return lines.join('\n');
}

describe("ToolHive v0.44.0's example manifests through the API server and our webhooks", function () {
  this.timeout(300_000);
  const files = exampleFiles(ROOT).map((file) => ({ file, docs: exampleDocuments(ROOT, file) }));
  const ours = files
    .flatMap(({ docs }) => docs)
    .filter((d) => SERVED.has(pluralOf(d.kind)) || CORE.has(d.kind));
  const rows: Row[] = [];
  let webhook: LocalWebhook;

  before(async () => {
    await installCrd();
    // Another file of the same run may have left objects of these names: each example creates its own.
    await deleteAll(ours);
    webhook = await startLocalWebhook('toolhive-examples');
    await webhookCalled();
    await createPrerequisiteSecrets();
  });

  after(async () => {
    await webhook?.remove();
    await deleteAll(ours);
    for (const s of PREREQUISITE_SECRETS)
      await kubectl(['delete', 'secret', s.name, '-n', s.namespace, '--ignore-not-found']);
    console.log(`\n${summary(rows)}\n`);
    for (const r of rows) console.log(`${r.file} #${r.doc.index} ${label(r.doc)}: ${show(r.outcome)}`);
  });

  it('has an expected row for every document of every file, and no other', () => {
    const actual = Object.fromEntries(files.map(({ file, docs }) => [file, docs.map(label)]));
    const table = Object.fromEntries(Object.entries(EXPECTED).map(([f, rs]) => [f, rs.map(([l]) => l)]));
    expect(table).to.deep.equal(actual);
  });

  for (const { file, docs } of files) {
    it(`${file}: ${docs.map(label).join('; ')}`, async () => {
      // Namespaces the documents name that the file itself does not create, as a reader would first.
      const created = new Set(docs.filter((d) => d.kind === 'Namespace').map((d) => d.name));
      for (const ns of new Set(docs.map((d) => d.namespace ?? 'default')))
        if (!created.has(ns) && ns !== 'default') await kubectl(['create', 'namespace', ns]);
      const problems: string[] = [];
      for (const doc of docs) {
        const outcome = await apply(doc);
        rows.push({ file, doc, outcome });
        const expected = EXPECTED[file]?.[doc.index - 1]?.[1];
        if (expected === undefined || !matches(outcome, expected))
          problems.push(
            `#${doc.index} ${label(doc)}: expected ${JSON.stringify(expected)}, got ${show(outcome)}`,
          );
        if (outcome === 'kind not served here') {
          const answer = await apiServerKnowsNot(doc);
          if (!/NotFound|could not find the requested resource/.test(answer))
            problems.push(`#${doc.index} ${label(doc)}: the API server answered ${answer}`);
        }
      }
      expect(problems, problems.join('\n')).to.deep.equal([]);
    });
  }

  it("accepts mcpserver_mkp.yaml's MCPServer unchanged once policy.allowedServiceAccounts lists mkp-sa", async () => {
    const mkp = files.find((f) => f.file === 'mcp-servers/mcpserver_mkp.yaml')?.docs[0];
    expect(mkp && label(mkp)).to.equal('MCPServer mkp');
    // The new webhook is registered before the old one goes, so no apply is ever admitted by neither.
    const allowing = await startLocalWebhook('toolhive-examples-sa', {
      policy: () => ({ ...defaultPolicy(), allowedServiceAccounts: ['mkp-sa'] }),
    });
    await webhook.remove();
    webhook = allowing;
    const r = await eventually('the MCPServer mkp to be accepted', async () => {
      const answer = await kubectl(
        ['apply', '--server-side', '--field-manager=toolhive-examples', '-f', '-'],
        mkp!.text,
      );
      return answer.code === 0 ? answer : undefined;
    });
    expect(r.stderr, 'our webhook answered').to.include('spec.resources applies to the proxy only');
  });
});
