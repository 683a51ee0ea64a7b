// CPU time spent by each side of a round trip on the real node, so that a path's calls per second on
// this 2-core machine can be read against what each call costs (user + system seconds):
//   bench    this process (its SDK or JSON-RPC clients) and its children (kubectl exec, attach,
//            port-forward)
//   pods     every container on the node: the kubepods cgroup's cpuacct.usage (the proxy, the servers,
//            the operator, CoreDNS, metrics-server)
//   cluster  the daemons the cluster started (etcd, kube-apiserver, kube-controller-manager,
//            kube-scheduler, containerd, kubelet, kube-proxy, kube-router) and containerd's shims
//   machine  every CPU of the machine, busy (/proc/stat: all but idle and iowait), whoever used it
// The per-process figures are in clock ticks (10 ms): measure for seconds, not fractions of one.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readPids } from '../../controlplane/processes.ts';
import { shimPids } from './realnode-rss.ts';
import { parseProcStatCpuSeconds } from './soak-memory.ts';

export interface CpuSample {
  bench: number;
  pods: number;
  cluster: number;
  machine: number;
}

/** Busy seconds of all CPUs together, from the first line of /proc/stat (ticks of 10 ms). */
export function parseProcStatBusy(text: string): number {
  const [, ...fields] = text.split('\n')[0]!.trim().split(/\s+/);
  const ticks = fields.map(Number);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - ticks[3]! - ticks[4]!) / 100;
}

function cpuOf(pid: number): number {
  try {
    return parseProcStatCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return 0; // gone
  }
}

/** This process's children: the field after the command's closing parenthesis, then the state, is the ppid. */
function children(): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid)
        out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

const CPUACCT = [
  '/sys/fs/cgroup/cpuacct/kubepods/cpuacct.usage',
  '/sys/fs/cgroup/cpu,cpuacct/kubepods/cpuacct.usage',
];

function podsSeconds(): number {
  const file = CPUACCT.find(existsSync);
  if (file) return Number(readFileSync(file, 'utf8')) / 1e9;
  const v2 = '/sys/fs/cgroup/kubepods/cpu.stat';
  if (existsSync(v2)) return Number(/usage_usec (\d+)/.exec(readFileSync(v2, 'utf8'))?.[1] ?? 0) / 1e6;
  return NaN;
}

export function cpuSampler(stateDir: string): () => CpuSample {
  const daemons = readPids(stateDir).map((p) => p.pid);
  return () => {
    const own = process.cpuUsage();
    return {
      bench: (own.user + own.system) / 1e6 + children().reduce((a, pid) => a + cpuOf(pid), 0),
      pods: podsSeconds(),
      cluster: [...daemons, ...shimPids()].reduce((a, pid) => a + cpuOf(pid), 0),
      machine: parseProcStatBusy(readFileSync('/proc/stat', 'utf8')),
    };
  };
}

export const cpuDelta = (a: CpuSample, b: CpuSample): CpuSample => ({
  bench: b.bench - a.bench,
  pods: b.pods - a.pods,
  cluster: b.cluster - a.cluster,
  machine: b.machine - a.machine,
});
