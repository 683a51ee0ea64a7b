// The rollout key (controller/rollout-key.ts) on a real API server: the first controller makes it in
// its own namespace, and a restarted controller reads the same key, so its first reconcile of every
// server computes the same Secret checksum and rolls nothing. A new key (the Secret deleted) rolls.
import { expect } from 'chai';
import { stringify } from 'yaml';
import { SECRETS_CHECKSUM_ANNOTATION } from '../../controller/desired/secrets-hash.ts';
import { ROLLOUT_KEY_SECRET } from '../../controller/rollout-key.ts';
import { ensureNamespace, installCrd, kubectl } from './controller-fixtures.ts';
import { startControllerProcess, type ControllerProcess } from './controller-process.ts';
import { eventually } from './harness.ts';

const ns = `ctrl-rollout-key-${process.pid}`;
const operatorNs = `ctrl-rollout-key-op-${process.pid}`;

const server = stringify({
  apiVersion: 'toolhive.stacklok.dev/v1alpha1',
  kind: 'MCPServer',
  metadata: { name: 'keyed', namespace: ns },
  spec: {
    image: 'ghcr.io/example/keyed:1',
    transport: 'streamable-http',
    secrets: [{ name: 'token', key: 'token', targetEnvName: 'TOKEN' }],
  },
});

async function checksum(): Promise<string | undefined> {
  const r = await kubectl(['-n', ns, 'get', 'statefulset', 'keyed', '-o', 'json', '--ignore-not-found']);
  if (!r.trim()) return undefined;
  const sts = JSON.parse(r) as {
    spec: { template: { metadata?: { annotations?: Record<string, string> } } };
  };
  return sts.spec.template.metadata?.annotations?.[SECRETS_CHECKSUM_ANNOTATION];
}

/** A controller for `ns` with its Lease, and so its rollout key, in operatorNs; once it has reconciled. */
async function startAndReconcile(): Promise<ControllerProcess> {
  const p = await startControllerProcess({ namespaces: [ns], leaseNamespace: operatorNs, workers: 1 });
  await eventually('a successful reconcile', async () =>
    (await p.metric('controller_runtime_reconcile_total', (l) => l.includes('result="success"'))) > 0
      ? true
      : undefined,
  );
  return p;
}

describe('the rollout key of the Secret checksums', function () {
  this.timeout(120_000);
  let controller: ControllerProcess | undefined;

  before(async () => {
    await installCrd();
    await ensureNamespace(ns);
    await ensureNamespace(operatorNs);
    await kubectl(['-n', ns, 'create', 'secret', 'generic', 'token', '--from-literal=token=one']);
    await kubectl(['apply', '-f', '-'], server);
  });

  after(async () => {
    await controller?.kill('SIGTERM');
    for (const n of [ns, operatorNs])
      await kubectl(['delete', 'namespace', n, '--wait=false', '--ignore-not-found']);
  });

  it("is made by the first controller, in an immutable Secret in the operator's namespace", async () => {
    controller = await startAndReconcile();
    expect(await eventually('a secrets checksum', checksum)).to.match(/^[0-9a-f]{64}$/);
    const key = JSON.parse(
      await kubectl(['-n', operatorNs, 'get', 'secret', ROLLOUT_KEY_SECRET, '-o', 'json']),
    ) as { immutable?: boolean; data?: Record<string, string> };
    expect(key.immutable).to.equal(true);
    expect(Buffer.from(key.data?.key ?? '', 'base64')).to.have.length(32);
  });

  it('is read again by a restarted controller: the checksum stays, nothing rolls', async () => {
    const before = await checksum();
    await controller?.kill('SIGTERM');
    controller = await startAndReconcile();
    expect(await checksum()).to.equal(before);
  });

  it('is made anew when its Secret is deleted, and then every checksum changes once', async () => {
    const before = await checksum();
    await controller?.kill('SIGTERM');
    await kubectl(['-n', operatorNs, 'delete', 'secret', ROLLOUT_KEY_SECRET]);
    controller = await startAndReconcile();
    expect(await checksum()).to.not.equal(before);
  });
});
