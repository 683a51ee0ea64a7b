// Issue 14: the controller holds no Secret data. The controller runs as its own process with its
// inspector open; after it has reconciled an MCPServer that references a Secret, its heap (a V8 heap
// snapshot, taken after a full GC) must hold neither that Secret's values nor those of an unrelated
// Secret in the same namespace, in plain text or base64 (the form the API serves). Both Secrets are
// written with `kubectl apply`, so each also carries its values in plain text in the
// kubectl.kubernetes.io/last-applied-configuration annotation. The snapshot is searched for the
// namespace's name too: that proves the needles would be found if they were there. The snapshot's
// strings are searched whole (heap-snapshot.ts heapStrings: V8 cuts them at 1,024 characters unless
// told otherwise). Besides the cached Secrets, this found the last list response of each kept-alive
// connection still reachable from the response's listeners (lib/kube/client.ts readAll).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { SECRETS_CHECKSUM_ANNOTATION } from '../../controller/desired/secrets-hash.ts';
import type { Dict } from '../../controller/desired/types.ts';
import { KubeClient } from '../../lib/kube/client.ts';
import { ListWatch } from '../../lib/kube/list-watch.ts';
import { resourcePath } from '../../controller/resources.ts';
import { silentLogger } from '../../lib/log.ts';
import { ensureNamespace, installCrd, kubectl } from './controller-fixtures.ts';
import { startControllerProcess, type ControllerProcess } from './controller-process.ts';
import { controlPlane, eventually } from './harness.ts';
import { heapStrings, inspectorUrl, SNAPSHOT_NODE_FLAGS, takeHeapSnapshot } from './heap-snapshot.ts';

const ns = `ctrl-secrets-heap-${process.pid}`;
const base64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** A value found nowhere else; 36 characters, so its base64 has no padding, and none of + or /. */
function canary(): string {
  for (;;) {
    const value = `leak-canary-${randomBytes(12).toString('hex')}`;
    if (/^[A-Za-z0-9]+$/.test(base64(value))) return value;
  }
}

const secret = (name: string, stringData: Record<string, string>) =>
  stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, stringData });

const server = stringify({
  apiVersion: 'toolhive.stacklok.dev/v1alpha1',
  kind: 'MCPServer',
  metadata: { name: 'canary', namespace: ns },
  spec: {
    image: 'ghcr.io/example/canary:1',
    transport: 'streamable-http',
    secrets: [{ name: 'token', key: 'token', targetEnvName: 'TOKEN' }],
  },
});

async function checksum(): Promise<string | undefined> {
  const r = await kubectl(['-n', ns, 'get', 'statefulset', 'canary', '-o', 'json', '--ignore-not-found']);
  if (!r.trim()) return undefined;
  const sts = JSON.parse(r) as {
    spec: { template: { metadata?: { annotations?: Record<string, string> } } };
  };
  return sts.spec.template.metadata?.annotations?.[SECRETS_CHECKSUM_ANNOTATION];
}

describe('the controller holds no Secret data (heap snapshot)', function () {
  this.timeout(180_000);
  let controller: ControllerProcess | undefined;
  const values: Record<string, string> = {
    'the referenced key': canary(),
    'an unreferenced key of the referenced Secret': canary(),
    'an unrelated Secret': canary(),
  };

  /** Each canary value present in the controller's heap, plain or in base64, by name. */
  async function leaks(): Promise<string[]> {
    const line = controller?.logs.map((l) => inspectorUrl(String(l.msg ?? ''))).find(Boolean);
    if (!line) throw new Error('the controller did not announce its inspector');
    const snapshot = await takeHeapSnapshot(line);
    // HEAP_SNAPSHOT=<file> keeps it, to find what retains a value (Chrome DevTools, Memory tab).
    if (process.env.HEAP_SNAPSHOT) writeFileSync(process.env.HEAP_SNAPSHOT, snapshot);
    const strings = heapStrings(snapshot);
    const held = (needle: string): boolean => strings.some((s) => s.includes(needle));
    expect(held(ns), 'the search finds what the controller holds').to.equal(true);
    return Object.entries(values).flatMap(([what, value]) => [
      ...(held(value) ? [`${what} (${value})`] : []),
      ...(held(base64(value)) ? [`the base64 of ${what} (${base64(value)})`] : []),
    ]);
  }

  before(async () => {
    await installCrd();
    await ensureNamespace(ns);
    await kubectl(
      ['apply', '-f', '-'],
      secret('token', {
        token: values['the referenced key']!,
        unused: values['an unreferenced key of the referenced Secret']!,
      }),
    );
    await kubectl(['apply', '-f', '-'], secret('unrelated', { value: values['an unrelated Secret']! }));
    controller = await startControllerProcess({
      namespaces: [ns],
      workers: 2,
      nodeArgs: SNAPSHOT_NODE_FLAGS,
    });
    await kubectl(['apply', '-f', '-'], server);
  });

  after(async () => {
    await controller?.kill('SIGTERM');
    await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
  });

  it('is sent Secrets as metadata only by the API server, in its list and its watch', async () => {
    const client = new KubeClient(await loadApiAccess(controlPlane().kubeconfig));
    const received: Dict[] = [];
    const informer = new ListWatch({
      client,
      path: resourcePath('Secret', ns),
      metadataOnly: true,
      transform: (o) => (received.push(o), o),
      onEvent: () => undefined,
      log: silentLogger(),
    });
    try {
      await informer.start();
      await kubectl(['apply', '-f', '-'], secret('watched', { value: canary() }));
      await eventually('the watch to send the new Secret', () =>
        Promise.resolve(received.some((o) => (o.metadata as Dict).name === 'watched') || undefined),
      );
    } finally {
      await informer.stop();
      client.close();
    }
    const names = received.map((o) => String((o.metadata as Dict).name)).sort();
    expect(names).to.include.members(['token', 'unrelated', 'watched']);
    for (const o of received) {
      expect(o, String((o.metadata as Dict).name)).to.not.have.any.keys('data', 'stringData', 'type');
    }
    // Watch events name their kind; list items carry none (the list itself is PartialObjectMetadataList).
    expect(received.find((o) => (o.metadata as Dict).name === 'watched')?.kind).to.equal(
      'PartialObjectMetadata',
    );
  });

  it('has none of the values after reconciling a server that references one of them', async () => {
    await eventually('the secrets checksum on the pod template', checksum);
    expect(await leaks()).to.deep.equal([]);
  });

  it('still has none after the referenced value rotates and the pod template changes', async () => {
    const before = await checksum();
    values['the rotated referenced key'] = canary();
    await kubectl(['apply', '-f', '-'], secret('token', { token: values['the rotated referenced key'] }));
    await eventually('a new secrets checksum', async () => {
      const now = await checksum();
      return now && now !== before ? now : undefined;
    });
    expect(await leaks()).to.deep.equal([]);
  });
});
