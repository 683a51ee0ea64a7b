// bench/node.ts, part 2: tools/call (echo) round trips on a stdio server over the real pods/attach, at 1
// and 8 concurrent sessions, each session calling in a closed loop, against the floor in the same run:
// JSON-RPC written straight into a server-everything's stdin with kubectl. Paths (what each includes):
//   ours, ClusterIP        SDK client (streamable HTTP) → kube-proxy → the proxy pod → its pods/attach
//                          stream (API server → kubelet → containerd) → the server's stdin; one stdio
//                          server shared by all sessions, as the proxy multiplexes them
//   ours, port-forward     the same behind `kubectl port-forward service/...` (API server → kubelet too)
//   floor, kubectl exec -i a bare JSON-RPC client → kubectl → API server → kubelet → containerd exec of a
//                          second server-everything (stdio) in a bare pod; sessions are concurrent ids
//   floor, kubectl attach -i  the same onto the bare pod's own server (PID 1, stdin: true), the stream
//                          our proxy uses, without the proxy and without HTTP
// For ours, the proxy's own mean time per POST too (its request-duration histogram, read through the
// port-forward before and after each turn): it includes the attach round trip, not the client's side.
// And the CPU each call costs on each side (lib/realnode-cpu.ts): on 2 cores, calls/s follow it.
import { availableParallelism } from 'node:os';
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import type { ControlPlane } from '../../controlplane/cluster.ts';
import { NODE_PATH } from '../../realnode/images/node-runtime.ts';
import { cpuDelta, type CpuSample } from './realnode-cpu.ts';
import { httpSession, StdioRpc, type EchoSession } from './realnode-echo.ts';
import { clusterIp, fetchVia, portForward, type PortForward } from './realnode-kube.ts';
import { NAMESPACE } from './realnode-start.ts';

export interface CallPath {
  name: string;
  open(sessions: number): Promise<EchoSession[]>;
  /** The proxy's own seconds spent on POSTs to /mcp, and their count, so far (its /metrics). */
  proxyTime?(): Promise<ProxyTime>;
  stop(): Promise<void>;
}

export interface ProxyTime {
  seconds: number;
  count: number;
}

export interface CallFigures {
  calls: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Mean ms the proxy itself spent per POST (its histogram: from the request to the answer's end). */
  proxyMeanMs?: number;
  /** CPU ms per call on each side (lib/realnode-cpu.ts). */
  cpuMsPerCall: CpuSample;
  /** How busy the machine's CPUs were meanwhile, all of them together, whoever used them. */
  machineBusyPercent: number;
}

export interface CallSettings {
  /** At most this many calls per path and level, over all slices. */
  calls: number;
  /** At most this long per path and level, over all slices: the usual bound. */
  seconds: number;
  /** Turns each path takes in rotation, so a neighbour's burst hurts every path alike. */
  slices: number;
  warmupCalls: number;
}

const POST =
  /^mcp_proxy_http_request_duration_seconds_(sum|count)\{(?=[^}]*front="streamable-http")(?=[^}]*method="POST")[^}]*\} (\S+)$/;

/** The POST figures of the proxy's streamable-HTTP front in a Prometheus text. */
export function parseProxyTime(text: string): ProxyTime {
  const time: ProxyTime = { seconds: 0, count: 0 };
  for (const line of text.split('\n')) {
    const m = POST.exec(line);
    if (m?.[1] === 'sum') time.seconds += Number(m[2]);
    else if (m?.[1] === 'count') time.count += Number(m[2]);
  }
  return time;
}

export async function oursPaths(cp: ControlPlane, name: string): Promise<CallPath[]> {
  const service = `mcp-${name}-proxy`;
  const host = `${service}.${NAMESPACE}.svc.cluster.local`;
  const ip = await clusterIp(cp, NAMESPACE, service);
  if (!ip) throw new Error(`Service ${service} has no ClusterIP`);
  const via = fetchVia(host, ip);
  const forward: PortForward = await portForward(cp, NAMESPACE, `service/${service}`, 8080);
  const sessions = (url: URL, fetch?: typeof via.fetch) => (n: number) =>
    Promise.all(Array.from({ length: n }, () => httpSession({ url, fetch })));
  // One proxy pod behind both: its figures are read through the port-forward, so from that very pod.
  const proxyTime = async () => parseProxyTime(await (await fetch(`${forward.url}/metrics`)).text());
  return [
    {
      name: 'ours, ClusterIP',
      open: sessions(new URL(`http://${host}:8080/mcp`), via.fetch),
      proxyTime,
      stop: () => via.close(),
    },
    {
      name: 'ours, port-forward',
      open: sessions(new URL(`${forward.url}/mcp`)),
      proxyTime,
      stop: () => Promise.resolve(forward.stop()),
    },
  ];
}

/** One JSON-RPC stream, initialized once; its sessions are concurrent ids on it. */
async function rpcPath(name: string, command: string, args: string[]): Promise<CallPath> {
  const rpc = new StdioRpc(command, args);
  await rpc.initialize();
  const session: EchoSession = { echo: (m) => rpc.echo(m), close: () => Promise.resolve() };
  return {
    name,
    open: (n) => Promise.resolve(Array.from({ length: n }, () => session)),
    stop: () => rpc.close(),
  };
}

export async function floorPaths(cp: ControlPlane, pod: string): Promise<CallPath[]> {
  const kubectl = (...args: string[]) => [`--kubeconfig=${cp.kubeconfig}`, '-n', NAMESPACE, ...args];
  const exec = kubectl('exec', '-i', pod, '-c', 'mcp', '--', NODE_PATH, '/app/start.mjs', 'stdio');
  return [
    await rpcPath('floor, kubectl exec -i', cp.binaries.kubectl, exec),
    await rpcPath('floor, kubectl attach -i', cp.binaries.kubectl, kubectl('attach', '-i', pod, '-c', 'mcp')),
  ];
}

interface Tally {
  histogram: RecordableHistogram;
  calls: number;
  ms: number;
  proxy: ProxyTime;
  cpu: CpuSample;
}

const newTally = (): Tally => ({
  histogram: createHistogram(),
  calls: 0,
  ms: 0,
  proxy: { seconds: 0, count: 0 },
  cpu: { bench: 0, pods: 0, cluster: 0, machine: 0 },
});

/** Each session calls in a closed loop until `calls` are done between them or the time is up. */
async function slice(sessions: EchoSession[], calls: number, ms: number, tally: Tally): Promise<void> {
  const started = performance.now();
  const deadline = started + ms;
  let issued = 0;
  await Promise.all(
    sessions.map(async (session, s) => {
      while (issued < calls && performance.now() < deadline) {
        issued++;
        const t0 = process.hrtime.bigint();
        await session.echo(`s${s}-${issued}`);
        tally.histogram.record(process.hrtime.bigint() - t0);
        tally.calls++;
      }
    }),
  );
  tally.ms += performance.now() - started;
}

/** Every path at `level` sessions, in `slices` turns taken in rotation. */
export async function measureLevel(
  paths: CallPath[],
  level: number,
  s: CallSettings,
  cpu: () => CpuSample,
  say: (line: string) => void,
): Promise<Map<string, CallFigures>> {
  const open = new Map<string, EchoSession[]>();
  const tallies = new Map<string, Tally>();
  for (const path of paths) {
    const sessions = await path.open(level);
    await slice(sessions, s.warmupCalls * level, 10_000, newTally());
    open.set(path.name, sessions);
    tallies.set(path.name, newTally());
  }
  for (let turn = 1; turn <= s.slices; turn++) {
    for (const path of paths) {
      const tally = tallies.get(path.name)!;
      const before = await path.proxyTime?.();
      const cpuBefore = cpu();
      await slice(open.get(path.name)!, s.calls / s.slices, (s.seconds * 1000) / s.slices, tally);
      const used = cpuDelta(cpuBefore, cpu());
      for (const k of ['bench', 'pods', 'cluster', 'machine'] as const) tally.cpu[k] += used[k];
      const after = await path.proxyTime?.();
      if (before && after) {
        tally.proxy.seconds += after.seconds - before.seconds;
        tally.proxy.count += after.count - before.count;
      }
    }
    say(`round trips at ${level} session${level === 1 ? '' : 's'}: turn ${turn} of ${s.slices} done`);
  }
  for (const sessions of open.values()) await Promise.all([...new Set(sessions)].map((x) => x.close()));
  const figures = new Map<string, CallFigures>();
  for (const [name, t] of tallies) {
    figures.set(name, {
      calls: t.calls,
      seconds: t.ms / 1000,
      perSecond: t.calls / (t.ms / 1000),
      p50Ms: t.histogram.percentile(50) / 1e6,
      p99Ms: t.histogram.percentile(99) / 1e6,
      ...(t.proxy.count ? { proxyMeanMs: (t.proxy.seconds / t.proxy.count) * 1000 } : {}),
      cpuMsPerCall: {
        bench: (t.cpu.bench / t.calls) * 1000,
        pods: (t.cpu.pods / t.calls) * 1000,
        cluster: (t.cpu.cluster / t.calls) * 1000,
        machine: (t.cpu.machine / t.calls) * 1000,
      },
      machineBusyPercent: (t.cpu.machine / (t.ms / 1000) / availableParallelism()) * 100,
    });
  }
  return figures;
}
