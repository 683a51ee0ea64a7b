// Two replicas of the controller, as two processes with --leader-elect on one Lease: only the holder
// reconciles, and the other writes nothing (its own metrics say so: no reconcile, no accepted write;
// at most a refused attempt to create the Lease when both start at once). SIGKILLing the leader leaves its Lease held; the other takes over once the
// Lease has expired (as the Lease's own timestamps record), and then reconciles.
import { hostname } from 'node:os';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { ensureNamespace, installCrd, kubectl, serverInPhase } from './controller-fixtures.ts';
import { startControllerProcess, type ControllerProcess } from './controller-process.ts';
import { eventually } from './harness.ts';

const ns = `ctrl-leader-${process.pid}`;
const LEASE = 'mcp-operator-controller';
/** LeaderElector's defaults (controller/leader.ts), which the CLI does not change. */
const LEASE_DURATION_MS = 15_000;
const RETRY_PERIOD_MS = 2_000;

interface Lease {
  spec: { holderIdentity?: string; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

const readLease = async (): Promise<Lease> =>
  JSON.parse(await kubectl(['-n', ns, 'get', 'lease', LEASE, '-o', 'json'])) as Lease;

const applyServer = (name: string) =>
  kubectl(
    ['apply', '-f', '-'],
    stringify({
      apiVersion: 'toolhive.stacklok.dev/v1alpha1',
      kind: 'MCPServer',
      metadata: { name, namespace: ns },
      spec: { image: `ghcr.io/example/${name}:1`, transport: 'streamable-http' },
    }),
  );

const identityOf = (p: ControllerProcess): string => `${hostname()}_${p.pid}`;
/**
 * Writes the API server accepted. Both replicas may race to create the Lease when there is none yet;
 * the loser's POST is refused with 409 and changes nothing, so only accepted writes count.
 */
const writes = (p: ControllerProcess) =>
  p.metric(
    'mcp_operator_api_requests_total',
    (labels) => !labels.includes('verb="GET"') && /code="2\d\d"/.test(labels),
  );
const reconciles = (p: ControllerProcess) => p.metric('controller_runtime_reconcile_total');

describe('two controller replicas with leader election', function () {
  this.timeout(120_000);
  let replicas: ControllerProcess[] = [];
  let leader: ControllerProcess;
  let follower: ControllerProcess;

  before(async () => {
    await installCrd();
    await ensureNamespace(ns);
    for (const name of ['one', 'two', 'three']) await applyServer(name);
    replicas = await Promise.all(
      [0, 1].map(() => startControllerProcess({ namespaces: [ns], leaseNamespace: ns })),
    );
    const holder = await eventually('a Lease holder', async () => {
      const lease = await readLease();
      return replicas.find((r) => identityOf(r) === lease.spec.holderIdentity);
    });
    leader = holder;
    follower = replicas.find((r) => r !== holder)!;
  });

  after(async () => {
    for (const p of replicas) await p.kill('SIGTERM');
    await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
  });

  it('has the Lease holder make every MCPServer Ready', async () => {
    for (const name of ['one', 'two', 'three']) await serverInPhase(ns, name, 'Ready');
    expect(await reconciles(leader)).to.be.greaterThan(0);
    expect(await writes(leader)).to.be.greaterThan(0);
  });

  it('has the other replica reconcile nothing and write nothing', async () => {
    expect(await reconciles(follower)).to.equal(0);
    expect(await writes(follower)).to.equal(0);
    expect(follower.logs.map((l) => l.msg)).to.not.include('Acquired leadership');
  });

  it('hands over to the other replica once the killed leader’s Lease expires, and it reconciles', async () => {
    await leader.kill('SIGKILL');
    const lastRenewal = Date.parse((await readLease()).spec.renewTime ?? '');
    const taken = await eventually(
      'the other replica to hold the Lease',
      async () => {
        const lease = await readLease();
        return lease.spec.holderIdentity === identityOf(follower) ? lease : undefined;
      },
      LEASE_DURATION_MS * 3,
    );
    const gapMs = Date.parse(taken.spec.acquireTime ?? '') - lastRenewal;
    // Not before expiry (two leaders at once), and at the first retry after it (allowing for load).
    expect(gapMs).to.be.within(LEASE_DURATION_MS, LEASE_DURATION_MS + 2 * RETRY_PERIOD_MS + 5_000);
    expect(taken.spec.leaseTransitions).to.equal(1);
    await applyServer('four');
    await serverInPhase(ns, 'four', 'Ready');
    expect(await writes(follower)).to.be.greaterThan(0);
  });
});
