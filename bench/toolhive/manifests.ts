// bench/toolhive.ts's manifests workload (issue 18): the seed guide's four manifests and ToolHive v0.44.0's
// own examples (examples/operator, test/fixtures/toolhive-examples/v0.44.0), unchanged, applied to each
// operator on a fresh control plane of the same shape, after the same prerequisites: the Namespaces the
// documents name, the Secrets the examples ask their reader to create (PREREQUISITE_SECRETS) and the
// seed guide's (production/github-token), the seed guide's PVC my-mcp-data-claim (bound to a hostPath
// PersistentVolume). Each document is applied on its own with `kubectl apply --server-side` (seeds first,
// then the examples in `ls -R` order, as a reader would apply them), so each answer can be told apart.
// Then the MCPServers admitted are watched until each is Ready by status.phase, or the bound passes.
//
// Admission as installed: ToolHive's Helm chart (v0.44.0, deploy/charts/operator) ships no webhook
// configuration and its operator registers no admission webhook (config/webhook/manifests.yaml in its
// source is unused scaffolding), so only its CRDs' schemas judge. Ours runs as its pod does,
// `mcp-operator run` (webhooks and controller in one process, bench/lib/soak-operator.ts), with the
// production webhook configurations pointing at it (registerWebhooks), and all our CRDs installed.
import { openSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane, type ControlPlane } from '../../controlplane/cluster.ts';
import { repoRoot } from '../../controlplane/versions.ts';
import type { Logger } from '../../lib/log.ts';
import { PREREQUISITE_SECRETS } from '../../test/fixtures/toolhive-examples/expected.ts';
import { exampleDocuments, exampleFiles, type ExampleDocument } from '../../test/support/example-files.ts';
import { addFakeNodes } from '../lib/controller-cluster.ts';
import { registerWebhooks } from '../lib/soak-cluster.ts';
import { startSoakOperator } from '../lib/soak-operator.ts';
import { installToolhiveCrds, startThvOperator } from './thv-operator.ts';
import { classifyApply, phaseOf, type DocumentRow, type OperatorRun } from './manifests-report.ts';

const SEEDS = path.join(repoRoot, 'test/fixtures/seed-examples');
const EXAMPLES = path.join(repoRoot, 'test/fixtures/toolhive-examples/v0.44.0');
const OUR_CRDS = path.join(repoRoot, 'manifests/crd');
const POD_NAMESPACE = 'toolhive-system';
/** The namespace bench/lib/soak-cluster.ts's registerWebhooks probes our webhook in (a dry run). */
const PROBE_NAMESPACE = 'soak';

interface Doc extends ExampleDocument {
  file: string;
}

/** Every document, in the order applied: the seeds (sorted), then ToolHive's examples (`ls -R`). */
export function allDocuments(): Doc[] {
  const seeds = readdirSync(SEEDS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => exampleDocuments(SEEDS, f).map((d) => ({ ...d, file: `seed/${f}` })));
  const examples = exampleFiles(EXAMPLES).flatMap((f) =>
    exampleDocuments(EXAMPLES, f).map((d) => ({ ...d, file: f })),
  );
  return [...seeds, ...examples];
}

/** The Secrets both clusters get first: the examples' prerequisites and the seed guide's. */
const SECRETS = [...PREREQUISITE_SECRETS, { namespace: 'production', name: 'github-token', keys: ['token'] }];

export const namespacesOf = (docs: Doc[]): string[] =>
  [
    ...new Set([
      ...docs.map((d) => d.namespace ?? 'default'),
      ...docs.filter((d) => d.kind === 'Namespace').map((d) => d.name),
      ...SECRETS.map((s) => s.namespace),
      POD_NAMESPACE,
    ]),
  ].sort();

async function kubectlOk(cp: ControlPlane, args: string[], input?: string): Promise<string> {
  const r = await cp.kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

async function prerequisites(cp: ControlPlane, namespaces: string[]): Promise<void> {
  const objects: unknown[] = namespaces.map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  }));
  for (const s of SECRETS)
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: s.name, namespace: s.namespace },
      stringData: Object.fromEntries(s.keys.map((k) => [k, 'placeholder'])),
    });
  objects.push(
    {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'bench-mcp-data' },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        hostPath: { path: '/tmp/bench-mcp-data' },
        claimRef: { namespace: 'data-processing', name: 'my-mcp-data-claim' },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'my-mcp-data-claim', namespace: 'data-processing' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    },
  );
  const list = { apiVersion: 'v1', kind: 'List', items: objects };
  await kubectlOk(cp, ['apply', '--server-side', '-f', '-'], JSON.stringify(list));
}

interface Running {
  stop(): Promise<void>;
}

export interface ManifestSubject {
  name: string;
  readyMeaning: string;
  install(cp: ControlPlane): Promise<void>;
  /** Starts the operator watching `namespaces`, with its admission on the API server's path. */
  start(cp: ControlPlane, namespaces: string[]): Promise<Running>;
}

export function toolhiveManifestSubject(o: {
  binaries: string;
  version: string;
  module: string;
  logFile: string;
}): ManifestSubject {
  return {
    name: `ToolHive ${o.version}`,
    readyMeaning:
      'status.phase Ready: its proxy-runner Deployment has a Running pod with ready containers (KWOK ' +
      'fakes that pod; the proxy runner itself never runs, so the MCP server StatefulSet it would make never exists)',
    install: (cp) => installToolhiveCrds(cp, o.module),
    start: (cp, namespaces) =>
      startThvOperator({
        binaries: o.binaries,
        version: o.version,
        kubeconfig: cp.kubeconfig,
        namespace: namespaces.join(','),
        podNamespace: POD_NAMESPACE,
        logFile: openSync(o.logFile, 'w'),
      }),
  };
}

export const oursManifestSubject: ManifestSubject = {
  name: 'ours',
  readyMeaning:
    'status.phase Ready: the server StatefulSet and the proxy Deployment it made each have a ready pod ' +
    '(KWOK fakes the pods Running and ready; no container runs)',
  async install(cp) {
    await kubectlOk(cp, ['apply', '--server-side', '-f', OUR_CRDS]);
    await kubectlOk(cp, ['wait', '--for=condition=Established', '--all', 'crd', '--timeout=60s']);
  },
  async start(cp, namespaces) {
    const operator = await startSoakOperator({
      kubeconfig: cp.kubeconfig,
      namespace: namespaces.join(','),
      script: path.join(repoRoot, 'cli/main.ts'),
      env: {},
    });
    try {
      await kubectlOk(cp, ['create', 'namespace', PROBE_NAMESPACE]);
      await registerWebhooks(cp, operator.webhookPort, operator.caPem);
    } catch (err) {
      await operator.stop();
      throw err;
    }
    return operator;
  },
};

/** Applies one document as a reader would, on its own (its text byte for byte). */
async function apply(cp: ControlPlane, doc: Doc): Promise<DocumentRow> {
  const r = await cp.kubectl(
    ['apply', '--server-side', '--field-manager=bench-manifests', '-f', '-'],
    doc.text,
  );
  const namespace = doc.namespace ?? 'default';
  return {
    file: doc.file,
    index: doc.index,
    kind: doc.kind,
    name: doc.name,
    namespace,
    outcome: classifyApply(r.code, r.stderr),
  };
}

interface Listed {
  metadata: { name: string; namespace: string };
  status?: { phase?: string; message?: string };
}

/** Polls every MCPServer until those admitted are all Ready or `boundMs` passes; fills in `ready`. */
async function waitReady(cp: ControlPlane, rows: DocumentRow[], boundMs: number): Promise<void> {
  const servers = rows.filter((r) => r.kind === 'MCPServer' && 'admitted' in r.outcome);
  const deadline = performance.now() + boundMs;
  for (;;) {
    const out = await cp.kubectl(['get', 'mcpservers.toolhive.stacklok.dev', '-A', '-o', 'json']);
    const items = out.code === 0 ? (JSON.parse(out.stdout) as { items: Listed[] }).items : [];
    for (const row of servers) {
      const item = items.find((i) => i.metadata.name === row.name && i.metadata.namespace === row.namespace);
      const phase = item ? phaseOf(item) : 'gone';
      const message = item?.status?.message ? `: ${item.status.message.split('\n')[0]}` : '';
      row.ready = { ready: phase === 'Ready', phase: phase === 'Ready' ? phase : `${phase}${message}` };
    }
    if (servers.every((r) => r.ready!.ready) || performance.now() > deadline) return;
    await sleep(1000);
  }
}

/** One operator on a fresh control plane: prerequisites, every document, Ready within the bound. */
export async function runManifests(
  subject: ManifestSubject,
  o: { readyMs: number; log: Logger; onStarted?: (stop: () => Promise<void>) => void },
): Promise<OperatorRun> {
  const docs = allDocuments();
  const namespaces = namespacesOf(docs);
  const cp = await startControlPlane({ log: o.log });
  let operator: Running | undefined;
  try {
    await subject.install(cp);
    await addFakeNodes(cp, 2 * docs.filter((d) => d.kind === 'MCPServer').length);
    await prerequisites(cp, namespaces);
    operator = await subject.start(cp, namespaces);
    const started = operator;
    o.onStarted?.(() => started.stop());
    const rows: DocumentRow[] = [];
    for (const doc of docs) rows.push(await apply(cp, doc));
    await waitReady(cp, rows, o.readyMs);
    return {
      operator: subject.name,
      readyMeaning: subject.readyMeaning,
      readyBoundSeconds: o.readyMs / 1000,
      rows,
    };
  } finally {
    await operator?.stop();
    await cp.stop();
  }
}
