// bench/node: the operator on a real node (realnode/: kubelet, containerd and runc, kube-proxy, CoreDNS),
// started by this bench with the chart installed as users install it (helm, the operator in a pod), and
// stopped at the end. Three figures, each against a floor measured in the same run:
//   1. apply to first tools/call answered, per transport (stdio, sse, streamable-http): an MCPServer
//      with the server-everything image until an SDK client on this host gets echo's answer through the
//      proxy Service (at its ClusterIP, and through kubectl port-forward), against the same server in a
//      bare Pod (lib/realnode-start.ts says what each includes); fresh names every time, BENCH_REPEATS
//      times, median and range; target: at most 1.5x the floor.
//   2. echo round trips over the real pods/attach (stdio) at 1 and 8 sessions, through the proxy and
//      with JSON-RPC written into the server's stdin by kubectl exec -i / attach -i (lib/realnode-calls.ts).
//   3. resident memory of the node's daemons, containerd's shims and the control plane (lib/realnode-rss.ts).
// It holds /tmp/bench.lock (no other bench beside it) and /tmp/realnode.lock (one real node per machine).
// Settings: BENCH_REPEATS (3), BENCH_PORT_FORWARD=0 (no port-forward timing in part 1), BENCH_CALL_SECONDS
// per path and level (10), BENCH_CALLS per path and level at most (100,000), BENCH_SLICES (2),
// BENCH_SESSIONS (1,8), LOG_LEVEL (info: the cluster's start-up steps on stderr).
import { availableParallelism, loadavg } from 'node:os';
import { helmInstallOperator } from '../cli/real-node-operator.ts';
import { startControlPlane, type ControlPlane } from '../controlplane/cluster.ts';
import { readPids } from '../controlplane/processes.ts';
import { createLogger } from '../lib/log.ts';
import { whyNoRealNode } from '../realnode/host.ts';
import { BENCH_LOCK, holdLocks, REALNODE_LOCK } from './lib/locks.ts';
import {
  floorPaths,
  measureLevel,
  oursPaths,
  type CallFigures,
  type CallSettings,
} from './lib/realnode-calls.ts';
import { cpuSampler } from './lib/realnode-cpu.ts';
import { firstEcho } from './lib/realnode-echo.ts';
import {
  apiGet,
  fetchVia,
  clusterIp,
  eventually,
  isReady,
  kubectl,
  sleep,
  type PodObject,
} from './lib/realnode-kube.ts';
import { callsTable, rssTable, startTable, trialLines, type StartResult } from './lib/realnode-report.ts';
import { leftRunning, nodeRss, type RssRow } from './lib/realnode-rss.ts';
import { floorPod, floorTrial, mcpServer, NAMESPACE, oursTrial, TRANSPORTS } from './lib/realnode-start.ts';

const env = process.env;
const REPEATS = Number(env.BENCH_REPEATS ?? 3);
const PORT_FORWARD = env.BENCH_PORT_FORWARD !== '0';
const LEVELS = (env.BENCH_SESSIONS ?? '1,8').split(',').map(Number);
const CALLS: CallSettings = {
  calls: Number(env.BENCH_CALLS ?? 100_000),
  seconds: Number(env.BENCH_CALL_SECONDS ?? 10),
  slices: Number(env.BENCH_SLICES ?? 2),
  warmupCalls: 20,
};

const say = (line: string) =>
  process.stderr.write(`bench/node ${new Date().toISOString().slice(11, 19)}: ${line}\n`);
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

/** Part 1: every transport, REPEATS times; ours and the floor take turns at going first. */
async function startTimes(cp: ControlPlane): Promise<StartResult[]> {
  const results: StartResult[] = TRANSPORTS.map((transport) => ({ transport, ours: [], floor: [] }));
  for (let round = 1; round <= REPEATS; round++) {
    for (const result of results) {
      const { transport } = result;
      const ours = () => oursTrial(cp, transport, round, PORT_FORWARD).then((t) => void result.ours.push(t));
      const floor = () => floorTrial(cp, transport, round).then((t) => void result.floor.push(t));
      for (const run of round % 2 ? [ours, floor] : [floor, ours]) {
        await run();
        await sleep(2000); // the node settles (pod teardown, kube-proxy syncs) before the next trial
      }
      const o = result.ours.at(-1)!;
      const f = result.floor.at(-1)!;
      say(
        `${transport} round ${round} of ${REPEATS}: ours ${(o.clusterIpMs / 1000).toFixed(1)} s, ` +
          `floor Ready ${(f.readyMs / 1000).toFixed(1)} s, answered ${(f.answeredMs / 1000).toFixed(1)} s`,
      );
    }
  }
  return results;
}

/** Part 2: one stdio MCPServer and one bare stdio pod, kept for the memory figures after. */
async function roundTrips(cp: ControlPlane): Promise<Map<number, Map<string, CallFigures>>> {
  const name = 'calls';
  const pod = 'calls-floor';
  const t0 = performance.now();
  await kubectl(cp, ['apply', '-f', '-'], JSON.stringify(mcpServer(name, 'stdio')));
  await kubectl(cp, ['apply', '-f', '-'], JSON.stringify(floorPod(pod, 'stdio')));
  const host = `mcp-${name}-proxy.${NAMESPACE}.svc.cluster.local`;
  const ip = await eventually('the proxy Service', () => clusterIp(cp, NAMESPACE, `mcp-${name}-proxy`));
  const via = fetchVia(host, ip);
  const target = { url: new URL(`http://${host}:8080/mcp`), fetch: via.fetch };
  await firstEcho(t0, () => Promise.resolve(target), 180_000);
  await via.close();
  const podPath = `/api/v1/namespaces/${NAMESPACE}/pods/${pod}`;
  await eventually('the floor pod Ready', async () =>
    isReady(await apiGet<PodObject>(cp, podPath)) ? true : undefined,
  );
  const paths = [...(await floorPaths(cp, pod)), ...(await oursPaths(cp, name))];
  try {
    const levels = new Map<number, Map<string, CallFigures>>();
    const cpu = cpuSampler(cp.stateDir);
    for (const level of LEVELS) levels.set(level, await measureLevel(paths, level, CALLS, cpu, say));
    return levels;
  } finally {
    await Promise.all(paths.map((p) => p.stop()));
  }
}

async function main(): Promise<void> {
  await holdLocks([BENCH_LOCK, REALNODE_LOCK], say);
  // `make bench` runs every bench: on a machine that cannot run a real node this one says why and ends.
  const why = await whyNoRealNode();
  if (why) {
    process.stdout.write(`node bench skipped: ${why}\n`);
    return;
  }
  const loadStart = load();
  const started = new Date().toISOString();
  const log = createLogger('bench-node', env.LOG_LEVEL ?? 'info');
  say(`starting a real node (the images may need building first); load average ${loadStart}`);
  const t0 = performance.now();
  const ticker = setInterval(
    () => say(`still starting, ${((performance.now() - t0) / 1000).toFixed(0)} s`),
    30_000,
  );
  let cp: ControlPlane;
  try {
    cp = await startControlPlane({ log, node: 'real', name: 'bench-node' });
  } finally {
    clearInterval(ticker);
  }
  const nodeSeconds = (performance.now() - t0) / 1000;
  const pids = readPids(cp.stateDir);
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void cp.stop().finally(() => process.exit(130)));
  let report: string[];
  let json: object;
  try {
    const t1 = performance.now();
    await helmInstallOperator(cp, log);
    const helmSeconds = (performance.now() - t1) / 1000;
    await kubectl(cp, ['create', 'namespace', NAMESPACE]);
    await sleep(10_000); // the operator's start-up lists and the add-ons' first syncs, before anything is timed
    const idle: RssRow[] = nodeRss(cp.stateDir);
    say(`node up in ${nodeSeconds.toFixed(0)} s, operator installed in ${helmSeconds.toFixed(0)} s; part 1`);
    const starts = await startTimes(cp);
    say('part 2: round trips');
    const calls = await roundTrips(cp);
    const loaded: RssRow[] = nodeRss(cp.stateDir);
    const podList = (await kubectl(cp, ['get', 'pods', '-A', '--no-headers'])).trim().split('\n');
    report = [
      `node bench, ${started}: real node up in ${nodeSeconds.toFixed(0)} s (control plane, node, images ` +
        `imported, add-ons), helm install --wait ${helmSeconds.toFixed(0)} s; load average at start ${loadStart}`,
      '',
      `1. kubectl apply to first tools/call (echo) answered, seconds, median (min-max) of ${REPEATS}:`,
      ...startTable(starts),
      '',
      '   ours: MCPServer applied → operator → StatefulSet + proxy Deployment → proxy Ready → SDK client on this',
      '   host at the proxy Service (ClusterIP through kube-proxy; port-forward: kubectl port-forward service/...).',
      "   floor: bare Pod with the operator's server pod spec; Ready: kubelet reports it Ready; answered: also",
      '   initialize + echo (stdio: kubectl attach -i after Ready; sse, streamable-http: SDK client on the pod IP).',
      '   The ClusterIP answers once the proxy pod is Ready (its readiness probe on /health); port-forward',
      '   reaches the pod as soon as it listens, Ready or not. Target: ours at most 1.5x the floor (answered).',
      '   Trials (pod stages in seconds after apply, from API timestamps, whole seconds: up to 1 s early):',
      ...trialLines(starts),
      '',
      `2. echo round trips on one stdio server over pods/attach, closed loop per session, ${CALLS.seconds} s ` +
        `(or ${CALLS.calls} calls) per path and level in ${CALLS.slices} turns taken in rotation:`,
      ...callsTable(calls),
      '',
      '   ours: SDK client → proxy Service → proxy pod → pods/attach (API server → kubelet → containerd) → the',
      "   server's stdin. floor: a bare JSON-RPC client → kubectl exec -i (a second server-everything) or attach -i",
      "   (the pod's own) → API server → kubelet → containerd; no HTTP, no proxy; sessions are concurrent ids.",
      "   proxy ms/POST: the proxy's own mean time per POST /mcp (its histogram), the attach round trip included.",
      '   CPU ms/call (user + system): bench = this process and its kubectl children; pods = every container',
      '   (kubepods cgroup); cluster = control plane and node daemons with the shims; machine = all busy CPU',
      `   time, anyone's. machine busy: that over ${availableParallelism()} CPUs × the time (100%: CPU-bound).`,
      '',
      `3. resident memory (VmRSS), idle: operator installed, no MCPServer; loaded: after parts 1 and 2, with ` +
        `${podList.length} pods (1 stdio MCPServer, its floor pod, the operator, CoreDNS, metrics-server):`,
      ...rssTable(idle, loaded),
      '',
      `load average at the end of the measurements: ${load()}`,
    ];
    const callsObject = Object.fromEntries([...calls].map(([k, v]) => [k, Object.fromEntries(v)]));
    json = { starts, calls: callsObject, idle, loaded };
  } finally {
    say('stopping the cluster');
    await cp.stop();
  }
  const left = leftRunning(pids);
  report.push(`left running after the cluster's stop: ${left.length ? left.join(', ') : 'nothing'}`);
  report.push(JSON.stringify(json));
  process.stdout.write(`${report.join('\n')}\n`);
}

await main();
