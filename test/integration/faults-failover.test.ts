// Two operator replicas, the leader SIGKILLed under load (issue 7, faults). The chart is installed with
// helm on a control plane of its own; its two pods' container (`mcp-operator run`: webhooks on every
// replica, the controller on the Lease holder) runs here, one process per pod, each bound to its pod's IP
// (test/integration/pod-stand-in.ts; the pod network is routed to this host), so the API server calls the
// webhooks through the chart's Service and spreads the calls over both. While admission requests
// (several a second) and MCPServer creations go on, the leader is SIGKILLed:
// - the other replica takes the Lease once it has expired, and reconciles what was created meanwhile;
// - admission keeps answering. KWOK runs no kubelet, so this test plays the kubelet's part: when the
//   process dies, the pod is marked NotReady (a kubelet notices a dead container within about a second,
//   with no readiness probe failure needed), and the EndpointSlice controller drops it from the Service.
//   Requests sent between the kill and that update may be routed to the dead replica; the test counts
//   them, and requires none anywhere else.
import path from 'node:path';
import { hostname } from 'node:os';
import { expect } from 'chai';
import { type ControlPlane, startControlPlane } from '../../controlplane/cluster.ts';
import { runToCompletion } from '../../controlplane/processes.ts';
import { repoRoot } from '../../controlplane/versions.ts';
import { freePort, httpGet, httpRequest } from '../../controlplane/wait.ts';
import { createLogger } from '../../lib/log.ts';
import { type AdmissionOutcome, latencies, startAdmissionLoad, summarize } from './admission-load.ts';
import { eventually } from './harness.ts';
import { routePodNetworkHere, runDeploymentLocally, type StandIn } from './pod-stand-in.ts';

const CHART = path.join(repoRoot, 'manifests/charts/mcp-operator');
const RELEASE = 'mcp-operator';
const NS = 'mcp-operator-system';
const APPS = 'failover-apps';
const POD_CIDR = '10.244.0.0/16'; // KWOK's --cidr (controlplane/flags.ts)
const LEASE = 'mcp-operator-controller';
/** LeaderElector's defaults (controller/leader.ts), which the chart does not change. */
const LEASE_DURATION_MS = 15_000;
const RETRY_PERIOD_MS = 2_000;
const LOAD_PER_SECOND = 8;

interface Lease {
  spec: { holderIdentity?: string; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}
interface EndpointSlice {
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[];
}
interface Creation {
  name: string;
  sentAt: number;
  answeredAt: number;
  status: number;
  detail: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe('two operator replicas, the leader SIGKILLed under admission load', function () {
  this.timeout(300_000);
  const log = createLogger('faults-failover', process.env.LOG_LEVEL ?? 'warn');
  let cp: ControlPlane;
  let undoRoute: (() => Promise<void>) | undefined;
  const replicas: StandIn[] = [];
  const podIps = new Map<string, string>();
  let leader: StandIn;
  let survivor: StandIn;
  let outcomes: AdmissionOutcome[] = [];
  const creations: Creation[] = [];
  const times = { kill: 0, exited: 0, notReady: 0, endpointGone: 0, takeover: 0 };
  let lastRenewalBeforeKill = 0;
  let takenLease: Lease;

  async function mustKubectl(args: string[], input?: string): Promise<string> {
    const r = await cp.kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout;
  }
  const readLease = async (): Promise<Lease> =>
    JSON.parse(await mustKubectl(['-n', NS, 'get', 'lease', LEASE, '-o', 'json'])) as Lease;
  const identityOf = (r: StandIn): string => `${hostname()}_${r.pid}`;
  /** Whether the Service's EndpointSlices list `ip` as a ready endpoint. */
  async function readyInService(ip: string): Promise<boolean> {
    const res = await httpGet(
      `${cp.server}/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices?labelSelector=kubernetes.io/service-name=${RELEASE}-webhook`,
      cp.adminTls,
    );
    const slices = (JSON.parse(res.body) as { items: EndpointSlice[] }).items;
    return slices.some((s) =>
      (s.endpoints ?? []).some((e) => e.addresses.includes(ip) && e.conditions?.ready !== false),
    );
  }
  /** What a kubelet does when a pod's only container dies: the pod is no longer Ready. */
  async function markNotReady(podName: string): Promise<void> {
    const now = new Date().toISOString();
    const condition = (type: string) => ({
      type,
      status: 'False',
      reason: 'ContainersNotReady',
      lastTransitionTime: now,
    });
    await mustKubectl([
      '-n',
      NS,
      'patch',
      'pod',
      podName,
      '--subresource=status',
      '-p',
      JSON.stringify({ status: { conditions: [condition('Ready'), condition('ContainersReady')] } }),
    ]);
  }
  /** Real MCPServers, one a second, as users keep applying them during the failover. */
  function startCreations(): { stop(): Promise<void> } {
    let stopped = false;
    const running = (async () => {
      for (let i = 0; !stopped; i++) {
        const name = `srv-${String(i).padStart(3, '0')}`;
        const sentAt = Date.now();
        const body = {
          apiVersion: 'toolhive.stacklok.dev/v1alpha1',
          kind: 'MCPServer',
          metadata: { name, namespace: APPS },
          spec: { image: `ghcr.io/example/${name}:1`, transport: 'streamable-http' },
        };
        const res = await httpRequest(
          'POST',
          `${cp.server}/apis/toolhive.stacklok.dev/v1alpha1/namespaces/${APPS}/mcpservers`,
          cp.adminTls,
          body,
          15_000,
        ).catch((err: Error) => ({ status: 0, body: err.message }));
        creations.push({
          name,
          sentAt,
          answeredAt: Date.now(),
          status: res.status,
          detail: res.status === 201 ? '' : res.body,
        });
        await sleep(1000);
      }
    })();
    return {
      async stop() {
        stopped = true;
        await running;
      },
    };
  }

  before(async function () {
    const route = await routePodNetworkHere(POD_CIDR);
    if ('problem' in route) throw new Error(`cannot route the pod network to this host: ${route.problem}`);
    undoRoute = () => route.undo();
    cp = await startControlPlane({ log, name: `faults-failover-${process.pid}` });
    const port = await freePort();
    const helm = await runToCompletion(cp.binaries.helm, [
      `--kubeconfig=${cp.kubeconfig}`,
      'install',
      RELEASE,
      CHART,
      '--namespace',
      NS,
      '--create-namespace',
      '--set',
      `webhook.port=${port}`,
      '--set',
      'operator.metricsPort=0', // two replicas on one host cannot share a metrics port
      '--wait',
      '--timeout=120s',
    ]);
    if (helm.code !== 0) throw new Error(`helm install: ${helm.stderr}`);
    const pods = JSON.parse(
      await mustKubectl([
        '-n',
        NS,
        'get',
        'pods',
        '-l',
        'app.kubernetes.io/component=operator',
        '-o',
        'json',
      ]),
    ) as { items: { metadata: { name: string }; status: { podIP?: string } }[] };
    expect(pods.items.map((p) => p.status.podIP).filter(Boolean)).to.have.length(2);
    for (const pod of pods.items) {
      const ip = pod.status.podIP!;
      podIps.set(pod.metadata.name, ip);
      replicas.push(
        await runDeploymentLocally(cp, NS, RELEASE, undefined, {
          podName: pod.metadata.name,
          extraArgs: [`--host=${ip}`],
        }),
      );
      await eventually(`the replica for ${pod.metadata.name} to be ready at ${ip}`, async () =>
        (await httpGet(`https://${ip}:${port}/readyz`, 'insecure')).status === 200 ? true : undefined,
      );
    }
    await mustKubectl(['create', 'namespace', APPS]);
    await eventually(
      'admission through the Service to work',
      async () => {
        const probe = startAdmissionLoad({
          server: cp.server,
          tls: cp.adminTls,
          namespace: APPS,
          perSecond: 4,
        });
        await sleep(1000);
        const { counts } = summarize(await probe.stop());
        return counts.failed === 0 && counts.admitted > 0 && counts.denied > 0 ? true : undefined;
      },
      60_000,
    );
    leader = await eventually('a Lease holder', async () => {
      const holder = (await readLease()).spec.holderIdentity;
      return replicas.find((r) => identityOf(r) === holder);
    });
    survivor = replicas.find((r) => r !== leader)!;

    const load = startAdmissionLoad({
      server: cp.server,
      tls: cp.adminTls,
      namespace: APPS,
      perSecond: LOAD_PER_SECOND,
    });
    const creating = startCreations();
    await sleep(5_000);

    lastRenewalBeforeKill = Date.parse((await readLease()).spec.renewTime ?? '');
    times.kill = Date.now();
    process.kill(leader.pid, 'SIGKILL');
    await leader.exited;
    times.exited = Date.now();
    await markNotReady(leader.podName);
    times.notReady = Date.now();
    const leaderIp = podIps.get(leader.podName)!;
    await eventually('the EndpointSlice to drop the killed replica', async () =>
      (await readyInService(leaderIp)) ? undefined : true,
    );
    times.endpointGone = Date.now();
    takenLease = await eventually(
      'the other replica to hold the Lease',
      async () => {
        const lease = await readLease();
        return lease.spec.holderIdentity === identityOf(survivor) ? lease : undefined;
      },
      LEASE_DURATION_MS * 3,
    );
    times.takeover = Date.now();
    await sleep(5_000);
    await creating.stop();
    outcomes = await load.stop();
  });

  after(async function () {
    this.timeout(60_000);
    if (this.currentTest?.state === 'failed') {
      for (const r of replicas)
        process.stderr.write(`${r.podName} log (last 3 kB):\n${r.output().slice(-3000)}\n`);
    }
    for (const r of replicas) await r.stop();
    await cp?.stop();
    await undoRoute?.();
  });

  it('has the other replica take the Lease once the killed leader’s has expired', () => {
    const gapMs = Date.parse(takenLease.spec.acquireTime ?? '') - lastRenewalBeforeKill;
    process.stdout.write(
      `      takeover ${seconds(times.takeover - times.kill)} after the kill ` +
        `(Lease acquired ${seconds(gapMs)} after the leader's last renewal; lease duration ${seconds(LEASE_DURATION_MS)})\n`,
    );
    // Not before expiry (two leaders at once), and at the first retry after it (allowing for load).
    expect(gapMs).to.be.within(LEASE_DURATION_MS, LEASE_DURATION_MS + 2 * RETRY_PERIOD_MS + 2_000);
    expect(takenLease.spec.leaseTransitions).to.equal(1);
  });

  it('reconciles every MCPServer created before, during and after the failover', async () => {
    const created = creations.filter((c) => c.status === 201).map((c) => c.name);
    const duringGap = creations.filter((c) => c.sentAt > times.kill && c.sentAt < times.takeover);
    expect(duringGap.length, 'MCPServers created while no replica led').to.be.greaterThan(5);
    await eventually(
      `all ${created.length} MCPServers Ready`,
      async () => {
        const servers = JSON.parse(await mustKubectl(['-n', APPS, 'get', 'mcpservers', '-o', 'json'])) as {
          items: {
            metadata: { name: string; generation: number };
            status?: { phase?: string; observedGeneration?: number };
          }[];
        };
        const ready = servers.items.filter(
          (s) => s.status?.phase === 'Ready' && s.status.observedGeneration === s.metadata.generation,
        );
        if (ready.length === created.length) return true;
        throw new Error(`${ready.length} of ${created.length} Ready`);
      },
      90_000,
    );
  });

  /** Every admission answer: the steady dry-run load and the real creations. */
  const allOutcomes = (): AdmissionOutcome[] => [
    ...outcomes,
    ...creations.map((c) => ({
      sentAt: c.sentAt,
      answeredAt: c.answeredAt,
      kind: c.status === 201 ? ('admitted' as const) : ('failed' as const),
      detail: c.detail,
    })),
  ];
  // Requests in flight at the kill (reset) or sent before the endpoint update reached the API server
  // (refused) may have been routed to the dead replica.
  const inKillWindow = (o: AdmissionOutcome): boolean =>
    o.answeredAt >= times.kill && o.sentAt <= times.endpointGone + 1_000;

  it('keeps answering admission through the takeover: no failure outside the kill-to-endpoint-update window', () => {
    const all = allOutcomes();
    const { counts } = summarize(all);
    const { p50, p99, max } = latencies(all);
    process.stdout.write(
      `      ${all.length} admission requests (${counts.admitted} admitted, ${counts.denied} denied, ${counts.failed} failed); ` +
        `latency p50 ${p50} ms, p99 ${p99} ms, max ${max} ms\n`,
    );
    const slow = all.filter((o) => o.answeredAt - o.sentAt > 2_000);
    process.stdout.write(
      `        answers slower than 2 s, sent at (s after the kill; takeover at ${seconds(times.takeover - times.kill)}): ` +
        `${slow.map((o) => ((o.sentAt - times.kill) / 1000).toFixed(1)).join(', ') || 'none'}\n`,
    );
    for (const o of all.filter((f) => f.kind === 'failed'))
      process.stdout.write(
        `        sent ${seconds(o.sentAt - times.kill)} after the kill, answered ${seconds(o.answeredAt - o.sentAt)} later: ` +
          `${o.detail.replace(/^.*failed to call webhook: /, '').slice(0, 160)}\n`,
      );
    expect(
      all.filter((o) => o.kind === 'failed' && !inKillWindow(o)).map((o) => o.detail),
      'failures outside the window',
    ).to.deep.equal([]);
    expect(counts.admitted).to.be.greaterThan(100);
  });

  it('fails, between the kill and the endpoint update, only requests routed to the dead replica (counted)', () => {
    const inWindow = allOutcomes().filter(inKillWindow);
    const failures = inWindow.filter((o) => o.kind === 'failed');
    const deadReplica = podIps.get(leader.podName)!;
    process.stdout.write(
      `      kill → process gone ${seconds(times.exited - times.kill)} → pod NotReady ${seconds(times.notReady - times.kill)} → ` +
        `endpoint dropped ${seconds(times.endpointGone - times.kill)}: ${failures.length} of ${inWindow.length} ` +
        `requests in that window failed (${failures.filter((f) => f.detail.startsWith('admitted without')).length} ` +
        `of them admitted without the mutating webhook's defaults, ` +
        `${failures.filter((f) => f.detail.startsWith('refused without')).length} refused for the lack of them, ` +
        `the rest refused with 500)\n`,
    );
    // The kubelet's part took this long here (a real kubelet notices a dead container within ~1 s).
    expect(times.endpointGone - times.kill).to.be.below(5_000);
    // A SIGKILLed replica cannot answer, and the API server does not retry a webhook call (its client
    // retries no POST): what was in flight, or dialled to the dead pod IP, fails. Nothing else may.
    const notFromTheKill = failures.filter(
      (f) =>
        !f.detail.includes(`${deadReplica}:`) &&
        !f.detail.includes(': EOF') &&
        !f.detail.startsWith('admitted without') &&
        !f.detail.startsWith('refused without'),
    );
    expect(notFromTheKill.map((f) => f.detail)).to.deep.equal([]);
  });
});
