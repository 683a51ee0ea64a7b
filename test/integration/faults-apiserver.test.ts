// kube-apiserver restarted under churn (issue 7, faults): while MCPServers keep being created, updated and
// deleted, the API server is stopped for several seconds and started again on the same port and etcd.
// The controller (its own process, not restarted) must notice through its informers' failed watches,
// resume them when the API server is back, and converge on exactly what the churn left: every live
// MCPServer with exactly its children, built from its current spec, and its status at its generation;
// every deleted one's children gone (garbage collection resumes too); nothing else in the namespace.
import { expect } from 'chai';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import {
  CHILD_RESOURCES,
  ensureNamespace,
  installCrd,
  kindNames,
  kubectl,
  networkedChildren,
  type ListedObject,
} from './controller-fixtures.ts';
import { startControllerProcess, type ControllerProcess } from './controller-process.ts';
import { controlPlane, eventually } from './harness.ts';
import { churnManifest, startChurn, type ChurnResult } from './mcpserver-churn.ts';

const ns = `faults-apiserver-${process.pid}`;
const SEEDED = 30;
/** How long the API server stays down; starting it again takes a few seconds more. */
const DOWNTIME_MS = 8_000;
const CHURN_BEFORE_MS = 4_000;
const CHURN_AFTER_MS = 8_000;

interface Child extends ListedObject {
  spec?: { template?: { spec?: { containers?: { name: string; image?: string }[] } } };
}

const instanceOf = (o: ListedObject): string => o.metadata.labels?.['app.kubernetes.io/instance'] ?? '';
const isNamespaceDefault = (o: ListedObject): boolean =>
  (o.kind === 'ServiceAccount' && o.metadata.name === 'default') ||
  (o.kind === 'ConfigMap' && o.metadata.name === 'kube-root-ca.crt');

async function list<T>(resources: string): Promise<T[]> {
  return (JSON.parse(await kubectl(['-n', ns, 'get', resources, '-o', 'json'])) as { items: T[] }).items;
}

/** MCPServers that should not exist or are missing, and statuses behind their generation. */
function serverDifferences(servers: MCPServer[], intent: ChurnResult): string[] {
  const problems: string[] = [];
  const serverNames = servers.map((s) => s.metadata?.name ?? '').sort();
  const liveNames = [...intent.live.keys()].sort();
  if (serverNames.join() !== liveNames.join())
    problems.push(`MCPServers ${serverNames.join()} ≠ intended ${liveNames.join()}`);
  for (const s of servers) {
    const [observed, generation] = [s.status?.observedGeneration, s.metadata?.generation];
    if (observed !== generation)
      problems.push(`${s.metadata?.name}: observedGeneration ${observed} ≠ generation ${generation}`);
  }
  return problems;
}

/** Children of servers that are gone, and live servers whose children are missing, extra or stale. */
function childDifferences(children: Child[], intent: ChurnResult): string[] {
  const problems: string[] = [];
  const byInstance = Map.groupBy(children, instanceOf);
  for (const [instance, objects] of byInstance) {
    if (!intent.live.has(instance))
      problems.push(`children of ${instance || '(no instance)'}: ${kindNames(objects).join(' ')}`);
  }
  for (const [name, image] of intent.live) {
    const objects = byInstance.get(name) ?? [];
    if (kindNames(objects).join() !== networkedChildren(name).join())
      problems.push(`${name} has ${kindNames(objects).join(' ')}`);
    const workload = objects.find((o) => o.kind === 'StatefulSet');
    const mcpImage = workload?.spec?.template?.spec?.containers?.find((c) => c.name === 'mcp')?.image;
    if (workload && mcpImage !== image)
      problems.push(`${name}: StatefulSet runs ${mcpImage}, spec says ${image}`);
  }
  return problems;
}

/** What differs between the namespace and the churn's intent; empty when they match. */
async function differences(intent: ChurnResult): Promise<string[]> {
  const servers = await list<MCPServer>('mcpservers');
  const children = (await list<Child>(CHILD_RESOURCES)).filter((o) => !isNamespaceDefault(o));
  return [...serverDifferences(servers, intent), ...childDifferences(children, intent)];
}

describe('kube-apiserver restarted while MCPServers churn', function () {
  this.timeout(240_000);
  let controller: ControllerProcess;
  let intent: ChurnResult;
  let down: { from: number; to: number };

  before(async () => {
    await installCrd();
    await ensureNamespace(ns);
    const initial = new Map(
      Array.from({ length: SEEDED }, (_, i) => {
        const name = `seed-${String(i).padStart(3, '0')}`;
        return [name, `ghcr.io/example/${name}:1`] as const;
      }),
    );
    await kubectl(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [...initial].map(([n, image]) => churnManifest(ns, n, image)),
      }),
    );
    controller = await startControllerProcess({ namespaces: [ns] });
    await eventually(
      'the seeded MCPServers to have a status at their generation',
      async () => {
        const servers = await list<MCPServer>('mcpservers');
        const done = servers.filter((s) => s.status?.observedGeneration === s.metadata?.generation);
        return done.length === SEEDED ? true : undefined;
      },
      120_000,
    );

    const cp = controlPlane();
    const churn = startChurn({ server: cp.server, tls: cp.adminTls, namespace: ns, initial, pauseMs: 100 });
    await new Promise((r) => setTimeout(r, CHURN_BEFORE_MS));
    const from = Date.now();
    await cp.restartApiserver({ downtimeMs: DOWNTIME_MS });
    down = { from, to: Date.now() };
    await new Promise((r) => setTimeout(r, CHURN_AFTER_MS));
    intent = await churn.stop();
  });

  after(async () => {
    await controller?.kill('SIGTERM');
    await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
  });

  it('kept churning across the outage: writes failed while it was down, and succeeded before and after', () => {
    // Certainly stopped from 2.5 s after the stop began (SIGTERM, then SIGKILL after 2 s) until the
    // downtime ends; once started again it answers some requests before /readyz does.
    const during = intent.attempts.filter((a) => a.at > down.from + 2_500 && a.at < down.from + DOWNTIME_MS);
    const before = intent.attempts.filter((a) => a.at < down.from && !a.error);
    const after = intent.attempts.filter((a) => a.at > down.to && !a.error);
    process.stdout.write(
      `      API server unavailable for ${((down.to - down.from) / 1000).toFixed(1)} s; ` +
        `${before.length} writes before, ${during.length} refused attempts during, ${after.length} writes after; ` +
        `${intent.live.size} live and ${intent.deleted.size} deleted MCPServers\n`,
    );
    expect(during.length).to.be.greaterThan(0);
    expect(during.every((a) => a.error !== undefined)).to.equal(true);
    expect(before.length).to.be.greaterThan(5);
    expect(after.length).to.be.greaterThan(5);
    expect(intent.deleted.size).to.be.greaterThan(0);
  });

  it('converges on exactly what the specs say, without restarting the controller', async () => {
    const t0 = Date.now();
    await eventually(
      'the namespace to match the churn’s intent',
      async () => {
        const problems = await differences(intent);
        if (problems.length === 0) return true;
        throw new Error(`${problems.length} differences, e.g. ${problems.slice(0, 3).join('; ')}`);
      },
      120_000,
    );
    process.stdout.write(
      `      converged ${((Date.now() - t0) / 1000).toFixed(1)} s after the churn stopped\n`,
    );
    const stillRunning = await Promise.race([
      controller.exited.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), 100)),
    ]);
    expect(stillRunning, 'the controller process is still the same one').to.equal(true);
  });

  it('saw its watches fail during the outage and resumed them (no restart needed)', () => {
    const failed = controller.logs.filter((l) => l.msg === 'List or watch failed, retrying');
    expect(failed.length, 'informer retries logged').to.be.greaterThan(0);
  });
});
