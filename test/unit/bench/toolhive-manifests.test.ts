// bench/toolhive's manifests workload, its pure parts: kubectl's answers read as admitted or refused, the
// documents it applies, and the side-by-side table.
import assert from 'node:assert/strict';
import {
  classifyApply,
  countByKind,
  manifestsTable,
  reasonOf,
  type DocumentRow,
  type OperatorRun,
} from '../../../bench/toolhive/manifests-report.ts';
import { allDocuments, namespacesOf } from '../../../bench/toolhive/manifests.ts';

// kubectl 1.3x's stderr for `apply --server-side -f -`, as the API server and kubectl word them.
const STRICT =
  'Error from server (BadRequest): MCPServer in version "v1alpha1" cannot be handled as a MCPServer: ' +
  'strict decoding error: unknown field "spec.port"\n';
const WEBHOOK =
  'Error from server (Forbidden): admission webhook "vmcpserver.toolhive.stacklok.dev" denied the request: ' +
  'spec.externalAuthConfigRef.name: Not found: "oauth-token-exchange"\n';
const NO_KIND =
  'error: resource mapping not found for name: "context7" namespace: "default" from "STDIN": no matches ' +
  'for kind "MCPServerEntry" in version "toolhive.stacklok.dev/v1beta1"\nensure CRDs are installed first\n';

describe('bench/toolhive manifests: reading kubectl', () => {
  it('is admitted on exit 0, whatever stderr says (warnings)', () => {
    assert.deepEqual(classifyApply(0, 'Warning: spec.resources applies to the proxy only\n'), {
      admitted: true,
    });
  });

  it("refuses with the first non-empty line, kubectl's prefix taken off", () => {
    assert.deepEqual(classifyApply(1, `\n${STRICT}`), {
      refused:
        'MCPServer in version "v1alpha1" cannot be handled as a MCPServer: strict decoding error: unknown field "spec.port"',
    });
    const noKind = classifyApply(1, NO_KIND);
    assert.ok('refused' in noKind && noKind.refused.startsWith('resource mapping not found'));
    assert.ok(!('refused' in noKind && noKind.refused.includes('ensure CRDs')));
    assert.deepEqual(classifyApply(1, 'Warning: x\n'), {
      refused: 'kubectl exited 1 with nothing but warnings on stderr',
    });
  });

  it('skips the warnings before the error, and runs an "errors:" line on', () => {
    const deprecated = `Warning: toolhive.stacklok.dev/v1alpha1 is deprecated; use v1beta1\n${STRICT}`;
    assert.equal(
      reasonOf((classifyApply(1, deprecated) as { refused: string }).refused),
      'strict decoding error: unknown field "spec.port"',
    );
    const list =
      'Error from server (BadRequest): failed to create typed patch object (x): errors:\n  .spec.a: field not declared in schema\n  .spec.b: field not declared in schema\n';
    assert.deepEqual(classifyApply(1, list), {
      refused: 'failed to create typed patch object (x): errors: .spec.a: field not declared in schema',
    });
  });

  it('shortens a reason to what the API server or the webhook said', () => {
    const reason = (s: string) => reasonOf((classifyApply(1, s) as { refused: string }).refused);
    assert.equal(reason(STRICT), 'strict decoding error: unknown field "spec.port"');
    assert.equal(
      reason(WEBHOOK),
      'webhook: spec.externalAuthConfigRef.name: Not found: "oauth-token-exchange"',
    );
    assert.equal(reason(NO_KIND), 'no such kind: MCPServerEntry in toolhive.stacklok.dev/v1beta1');
    assert.equal(reason('Error from server (Invalid): something else\n'), 'something else');
    assert.equal(
      reason(
        'Error from server (BadRequest): failed to create typed patch object (default/m; toolhive.stacklok.dev/v1beta1, Kind=MCPExternalAuthConfig): .spec.tokenExchange.client_id: field not declared in schema\n',
      ),
      '.spec.tokenExchange.client_id: field not declared in schema',
    );
  });
});

describe('bench/toolhive manifests: the documents', () => {
  const docs = allDocuments();

  it('applies the four seeds first, then every ToolHive example document', () => {
    assert.deepEqual(
      docs.slice(0, 4).map((d) => `${d.file} ${d.kind} ${d.namespace}/${d.name}`),
      [
        'seed/mcpserver-custom-pod.yaml MCPServer development/fetch',
        'seed/mcpserver-osv.yaml MCPServer my-namespace/osv',
        'seed/mcpserver-with-secrets.yaml MCPServer production/github',
        'seed/mcpserver-with-volume.yaml MCPServer data-processing/filesystem',
      ],
    );
    assert.ok(docs.slice(4).every((d) => !d.file.startsWith('seed/')));
    assert.ok(docs.some((d) => d.file === 'mcp-servers/mcpserver_yardstick_streamablehttp.yaml'));
  });

  it('creates every namespace a document names, and the operators own', () => {
    const namespaces = namespacesOf(docs);
    for (const ns of [
      'default',
      'development',
      'my-namespace',
      'production',
      'data-processing',
      'toolhive-system',
    ])
      assert.ok(namespaces.includes(ns), ns);
    assert.deepEqual(namespaces, [...new Set(namespaces)].sort());
  });
});

describe('bench/toolhive manifests: the table', () => {
  const row = (
    kind: string,
    name: string,
    outcome: DocumentRow['outcome'],
    ready?: boolean,
  ): DocumentRow => ({
    file: 'seed/x.yaml',
    index: 1,
    kind,
    name,
    namespace: 'ns',
    outcome,
    ...(ready === undefined ? {} : { ready: { ready, phase: ready ? 'Ready' : 'Pending: waiting' } }),
  });
  const runs: OperatorRun[] = [
    {
      operator: 'ToolHive v0.44.0',
      readyMeaning: 'its proxy Deployment is available',
      readyBoundSeconds: 60,
      rows: [
        row('MCPServer', 'osv', { refused: STRICT.split(': ').slice(1).join(': ').trim() }),
        row('MCPServer', 'fetch', { admitted: true }, true),
        row('MCPGroup', 'g', { admitted: true }),
      ],
    },
    {
      operator: 'ours',
      readyMeaning: 'our children are available',
      readyBoundSeconds: 60,
      rows: [
        row('MCPServer', 'osv', { admitted: true }, true),
        row('MCPServer', 'fetch', { admitted: true }, false),
        row('MCPServer', 'fetch', { admitted: true }, false),
        row('MCPServerEntry', 'e', {
          refused: 'resource mapping not found: no matches for kind "MCPServerEntry" in version "v1"',
        }),
      ],
    },
  ];

  it('counts admitted and refused by kind', () => {
    assert.deepEqual(
      [...countByKind(runs[1]!.rows)],
      [
        ['MCPServer', { admitted: 3, refused: 0 }],
        ['MCPServerEntry', { admitted: 0, refused: 1 }],
      ],
    );
  });

  it('puts both operators side by side, with Ready per MCPServer, each refusal and each server not Ready', () => {
    const lines = manifestsTable(runs).split('\n');
    const cells = (prefix: string) => lines.find((l) => l.startsWith(prefix))?.split(/\s{2,}/);
    assert.deepEqual(cells('kind'), ['kind (admitted / refused)', 'ToolHive v0.44.0', 'ours']);
    assert.deepEqual(cells('MCPGroup'), ['MCPGroup', '1 / 0', '-']);
    assert.deepEqual(cells('MCPServer '), ['MCPServer', '1 / 1', '3 / 0']);
    assert.deepEqual(cells('MCPServerEntry'), ['MCPServerEntry', '-', '0 / 1']);
    assert.deepEqual(cells('all documents'), ['all documents', '2 / 1', '3 / 1']);
    // Two documents apply ns/fetch: one MCPServer.
    assert.deepEqual(cells('MCPServers admitted'), [
      'MCPServers admitted, Ready in 60 s',
      '1 of 1',
      '1 of 2',
    ]);
    assert.ok(lines.includes('Ready, ours: our children are available'));
    assert.ok(
      lines.includes('  seed/x.yaml #1 MCPServer osv: strict decoding error: unknown field "spec.port"'),
    );
    assert.ok(lines.includes('  seed/x.yaml #1 MCPServerEntry e: no such kind: MCPServerEntry in v1'));
    assert.ok(lines.includes('ours: 1 admitted MCPServers not Ready'));
    assert.equal(lines.filter((l) => l === '  seed/x.yaml #1 ns/fetch: phase "Pending: waiting"').length, 1);
  });
});
