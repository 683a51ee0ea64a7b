// bench/toolhive-node: ToolHive v0.44.0's operator and ours on the real node (realnode/: kubelet,
// containerd, kube-proxy, CoreDNS), one after the other, each on a fresh cluster (the two CRDs share a
// name), each installed as users install it: helm, the operator in a pod on the node. ToolHive's
// operator and proxy runner images are assembled offline from its static binaries (bench/toolhive/
// node-images.ts; build-binaries.sh component toolhive) and named by its chart's operator.image and
// operator.toolhiveRunnerImage; its CRDs from its operator-crds chart. Per peer:
//   1. kubectl apply of one MCPServer per transport (ToolHive's shape, the local server-everything
//      image) to the first echo tools/call answered by an SDK client on this host through the proxy
//      Service's ClusterIP; BENCH_REPEATS rounds (1);
//   2. the known-failure rows of bench/toolhive/node-failures.ts, the same actions and client on both,
//      the idle attach idle for BENCH_IDLE_MINUTES (3) while the other rows run.
// Prints the tables; stops every cluster it started, also on error or a signal. It holds /tmp/bench.lock
// and /tmp/realnode.lock. Settings: BENCH_REPEATS, BENCH_IDLE_MINUTES, BENCH_PEERS (ToolHive,ours),
// LOG_LEVEL (info), and REALNODE_STREAM_IDLE_TIMEOUT (realnode/config.ts: kubelet and containerd close exec and
// attach streams idle that long, as a production node or a load balancer does; unset: 4h).
import { loadavg } from 'node:os';
import { readPids } from '../controlplane/processes.ts';
import { createLogger } from '../lib/log.ts';
import { whyNoRealNode } from '../realnode/host.ts';
import { BENCH_LOCK, holdLocks, REALNODE_LOCK } from './lib/locks.ts';
import { sleep } from './lib/realnode-kube.ts';
import { leftRunning } from './lib/realnode-rss.ts';
import { failureRows, idleAttach, ROWS } from './toolhive/node-failures.ts';
import { startPeer, TRANSPORTS, type PeerCluster, type PeerName } from './toolhive/node-peers.ts';
import { failureTable, startTable, trialLines, type PeerResult } from './toolhive/node-report.ts';
import { startTrial } from './toolhive/node-session.ts';
import { toolhiveVersion } from './toolhive/thv-operator.ts';

const env = process.env;
const REPEATS = Number(env.BENCH_REPEATS ?? 1);
const IDLE_MINUTES = Number(env.BENCH_IDLE_MINUTES ?? 3);
const PEERS = (env.BENCH_PEERS ?? 'ToolHive,ours').split(',') as PeerName[];

const say = (line: string) =>
  process.stderr.write(`bench/toolhive-node ${new Date().toISOString().slice(11, 19)}: ${line}\n`);
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

async function measure(pc: PeerCluster, result: PeerResult): Promise<void> {
  await sleep(10_000); // the operator's first lists and the add-ons' first syncs, before anything is timed
  for (let round = 1; round <= REPEATS; round++)
    for (const transport of TRANSPORTS) {
      const trial = await startTrial(pc, transport, round);
      result.starts.set(transport, [...(result.starts.get(transport) ?? []), trial]);
      say(`${pc.peer} ${transport} round ${round}: answered ${(trial.ms / 1000).toFixed(1)} s`);
      await sleep(2000);
    }
  const idle = await idleAttach(pc, IDLE_MINUTES).catch((err: Error) => err);
  for (const [row, text] of await failureRows(pc, say)) result.rows.set(row, text);
  result.rows.set(
    'idle attach',
    idle instanceof Error
      ? `row failed: ${idle.message.slice(0, 160)}`
      : await idle.finish().catch((e: Error) => `row failed: ${e.message.slice(0, 160)}`),
  );
  say(`${pc.peer}, idle attach: ${result.rows.get('idle attach')}`);
}

async function runPeer(
  peer: PeerName,
  log: ReturnType<typeof createLogger>,
  left: string[],
): Promise<PeerResult> {
  const result: PeerResult = { peer, starts: new Map(), rows: new Map() };
  say(`${peer}: starting a real node and installing the operator; load average ${load()}`);
  let pc: PeerCluster;
  try {
    pc = await startPeer(peer, log);
  } catch (err) {
    result.error = `start: ${(err as Error).message.slice(0, 300)}`;
    return result;
  }
  result.nodeSeconds = pc.nodeSeconds;
  result.installSeconds = pc.installSeconds;
  const pids = readPids(pc.cp.stateDir);
  const onSignal = () => void pc.cp.stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    say(
      `${peer}: node up in ${pc.nodeSeconds.toFixed(0)} s, operator installed in ${pc.installSeconds.toFixed(0)} s`,
    );
    await measure(pc, result);
  } catch (err) {
    result.error = (err as Error).message.slice(0, 300);
    say(`${peer}: ${result.error}`);
  } finally {
    say(`${peer}: stopping the cluster`);
    await pc.cp.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  left.push(...leftRunning(pids));
  return result;
}

async function main(): Promise<void> {
  await holdLocks([BENCH_LOCK, REALNODE_LOCK], say);
  const why = await whyNoRealNode();
  if (why) {
    process.stdout.write(`toolhive-node bench skipped: ${why}\n`);
    return;
  }
  const started = new Date().toISOString();
  const loadStart = load();
  const log = createLogger('bench-toolhive-node', env.LOG_LEVEL ?? 'info');
  const left: string[] = [];
  const results: PeerResult[] = [];
  for (const peer of PEERS) results.push(await runPeer(peer, log, left));
  const report = [
    `toolhive-node bench, ${started}: ToolHive ${toolhiveVersion()} and ours, each on a fresh real-node ` +
      `cluster, one after the other; load average at start ${loadStart}, at the end ${load()}`,
    ...results.map(
      (r) =>
        `   ${r.peer}: node up in ${r.nodeSeconds?.toFixed(0) ?? '-'} s, helm install --wait ` +
        `${r.installSeconds?.toFixed(0) ?? '-'} s${r.error ? `; stopped by: ${r.error}` : ''}`,
    ),
    '',
    `1. kubectl apply to first tools/call (echo) answered through the proxy Service's ClusterIP, seconds` +
      (REPEATS > 1 ? `, median (min-max) of ${REPEATS}:` : ':'),
    ...startTable(results, TRANSPORTS),
    ...trialLines(results),
    '',
    `2. Known failures, the same action and SDK client on both (idle attach: ${IDLE_MINUTES} min):`,
    ...failureTable(results, ROWS),
    '',
    `left running after the clusters' stop: ${left.length ? left.join(', ') : 'nothing'}`,
  ];
  process.stdout.write(`${report.join('\n')}\n`);
  const json = results.map((r) => ({
    ...r,
    starts: Object.fromEntries(r.starts),
    rows: Object.fromEntries(r.rows),
  }));
  process.stdout.write(`${JSON.stringify(json)}\n`);
}

await main();
