// The soak's churn: MCPServers in the shapes of the seed examples (plus an sse variant of osv, so all
// three transports occur) created, updated and deleted through the API server, one operation at a
// time at a steady pace, keeping about `target` alive. Every create and update writes a new SOAK_REV
// into spec.env (and args and a memory limit with it), so the generation bumps, the workload's pod
// template changes and rolls, and the missed-event check can tell whether the last write arrived.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import type { ControlPlane } from '../../controlplane/cluster.ts';
import { repoRoot } from '../../controlplane/versions.ts';
import { chooseOperation, seededRandom, type ExpectedServer, type Operation } from './soak-analysis.ts';
import { MCPSERVERS, SOAK_NAMESPACE, api } from './soak-cluster.ts';

interface Shape {
  name: string;
  spec: Record<string, unknown>;
}

function seedSpec(file: string): Record<string, unknown> {
  const seed = parse(readFileSync(path.join(repoRoot, 'test/fixtures/seed-examples', file), 'utf8')) as {
    spec: Record<string, unknown>;
  };
  return seed.spec;
}

/** The seed examples' specs (their Secret and PVC exist in the soak namespace), and osv over sse. */
export function soakShapes(): Shape[] {
  const osv = seedSpec('mcpserver-osv.yaml');
  return [
    { name: 'osv', spec: osv },
    { name: 'sse', spec: { ...osv, transport: 'sse' } },
    { name: 'fetch', spec: seedSpec('mcpserver-custom-pod.yaml') },
    { name: 'github', spec: seedSpec('mcpserver-with-secrets.yaml') },
    { name: 'fs', spec: seedSpec('mcpserver-with-volume.yaml') },
  ];
}

/** The spec fields every write sets: rev-dependent args, env and memory limit. */
export function revisionFields(rev: number): Record<string, unknown> {
  return {
    args: ['--soak-rev', String(rev)],
    env: [{ name: 'SOAK_REV', value: String(rev) }],
    resources: {
      limits: { cpu: '100m', memory: `${128 + (rev % 4) * 32}Mi` },
      requests: { cpu: '50m', memory: '64Mi' },
    },
  };
}

export interface ChurnCounts {
  create: number;
  update: number;
  delete: number;
  /** Writes the API server refused, by whether admission (a denial or a failed webhook call) was the reason. */
  deniedByAdmission: number;
  otherFailures: number;
  /** The first few failures, for the report. */
  errors: string[];
}

export interface Churn {
  counts: ChurnCounts;
  /** Every MCPServer ever created, with what was last written to it. */
  servers: ExpectedServer[];
  live(): number;
  /** Runs operations every `intervalMs` until `untilMs` (performance.now()). */
  run(untilMs: number): Promise<void>;
  /** Creates servers (`concurrency` at a time) until `count` are live. */
  fill(count: number, concurrency: number): Promise<void>;
}

export function createChurn(
  cp: ControlPlane,
  o: { target: number; intervalMs: number; seed: number },
): Churn {
  const shapes = soakShapes();
  const random = seededRandom(o.seed);
  const counts: ChurnCounts = {
    create: 0,
    update: 0,
    delete: 0,
    deniedByAdmission: 0,
    otherFailures: 0,
    errors: [],
  };
  const servers: ExpectedServer[] = [];
  const liveServers = (): ExpectedServer[] => servers.filter((s) => !s.deleted);
  let nextName = 0;
  let nextRev = 1;

  const failed = (what: string, status: number, body: string): void => {
    // Denied by a webhook ("admission webhook ... denied") or failed calling it (timeout, refused).
    if (/admission webhook|failed calling webhook/.test(body)) counts.deniedByAdmission++;
    else counts.otherFailures++;
    if (counts.errors.length < 10) counts.errors.push(`${what}: ${status} ${body.slice(0, 300)}`);
  };

  const create = async (): Promise<void> => {
    const shape = shapes[nextName % shapes.length]!;
    const name = `soak-${String(nextName++).padStart(5, '0')}-${shape.name}`;
    const rev = nextRev++;
    const body = {
      apiVersion: 'toolhive.stacklok.dev/v1alpha1',
      kind: 'MCPServer',
      metadata: { name, namespace: SOAK_NAMESPACE },
      spec: { ...shape.spec, ...revisionFields(rev) },
    };
    counts.create++;
    const res = await api(cp, 'POST', MCPSERVERS, body);
    if (res.status !== 201) return failed(`create ${name}`, res.status, res.body);
    const uid = (JSON.parse(res.body) as { metadata: { uid: string } }).metadata.uid;
    servers.push({ name, uid, transport: String(shape.spec.transport), rev, deleted: false });
  };

  const update = async (target: ExpectedServer): Promise<void> => {
    const rev = nextRev++;
    counts.update++;
    const res = await api(cp, 'PATCH', `${MCPSERVERS}/${target.name}`, { spec: revisionFields(rev) });
    if (res.status !== 200) return failed(`update ${target.name}`, res.status, res.body);
    target.rev = rev;
  };

  const remove = async (target: ExpectedServer): Promise<void> => {
    counts.delete++;
    const res = await api(cp, 'DELETE', `${MCPSERVERS}/${target.name}`);
    if (res.status !== 200 && res.status !== 202)
      return failed(`delete ${target.name}`, res.status, res.body);
    target.deleted = true;
  };

  const perform = async (op: Operation): Promise<void> => {
    const live = liveServers();
    const pick = () => live[Math.floor(random() * live.length)]!;
    if (op === 'create') await create();
    else if (op === 'update') await update(pick());
    else await remove(pick());
  };

  return {
    counts,
    servers,
    live: () => liveServers().length,
    async run(untilMs) {
      while (performance.now() < untilMs) {
        const started = performance.now();
        await perform(chooseOperation(random(), liveServers().length, o.target));
        // A steady pace: the interval is from start to start; a slow write delays only the next.
        await sleep(Math.max(0, o.intervalMs - (performance.now() - started)));
      }
    },
    async fill(count, concurrency) {
      let inFlight = 0;
      const worker = async () => {
        while (liveServers().length + inFlight < count) {
          // Failures are counted, not retried forever: give up only when most creates fail.
          if (counts.deniedByAdmission + counts.otherFailures > Math.max(10, count))
            throw new Error(`creating the first servers keeps failing: ${counts.errors.join('; ')}`);
          inFlight++;
          await create().finally(() => inFlight--);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    },
  };
}
