// bench/node.ts, part 3: what the real node and its control plane hold in memory, VmRSS of
// /proc/<pid>/status: each daemon the cluster started (its <state>/pids file: etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler, containerd, kubelet, kube-proxy, kube-router), containerd's
// shims (comm `containerd-shim`, on this node's containerd socket; summed, with their count), and the
// pods' own processes (the kubepods cgroups; summed). RSS counts shared pages in each process that maps
// them, so sums are an upper bound.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readPids } from '../../controlplane/processes.ts';
import { RUN_DIR } from '../../realnode/layout.ts';
import { parseProcStatus } from './soak-memory.ts';

export interface RssRow {
  what: string;
  count: number;
  mib: number;
}

function rssMiB(pid: number): number | undefined {
  try {
    return parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8')).rssMiB;
  } catch {
    return undefined; // gone
  }
}

const read = (file: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/** This node's shims: their command line names its containerd's socket. */
export function shimPids(): number[] {
  const socket = `${RUN_DIR}/containerd.sock`;
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => read(`/proc/${pid}/comm`).trim() === 'containerd-shim')
    .filter((pid) => read(`/proc/${pid}/cmdline`).split('\0').includes(socket));
}

function podPids(): number[] {
  const pids = new Set<number>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(`${dir}/${entry.name}`);
      else if (entry.name === 'cgroup.procs')
        for (const line of read(`${dir}/${entry.name}`).split('\n')) if (line) pids.add(Number(line));
    }
  };
  const roots = existsSync('/sys/fs/cgroup/cgroup.controllers')
    ? ['/sys/fs/cgroup/kubepods', '/sys/fs/cgroup/kubepods.slice']
    : ['/sys/fs/cgroup/memory/kubepods', '/sys/fs/cgroup/memory/kubepods.slice'];
  for (const root of roots.filter(existsSync)) walk(root);
  return [...pids];
}

function sum(what: string, pids: number[]): RssRow {
  const figures = pids.map(rssMiB).filter((x): x is number => x !== undefined);
  return { what, count: figures.length, mib: figures.reduce((a, b) => a + b, 0) };
}

/** One row per daemon of the cluster, then the shims and the pods' processes. */
export function nodeRss(stateDir: string): RssRow[] {
  const rows: RssRow[] = readPids(stateDir).map(({ pid, name }) => sum(name, [pid]));
  rows.push(sum('containerd-shim-runc-v2 (all)', shimPids()));
  rows.push(sum("pods' processes (kubepods cgroups)", podPids()));
  return rows;
}

/** The pids the cluster started that still run, and this node's shims: nothing, after a clean stop. */
export function leftRunning(pids: { pid: number; name: string }[]): string[] {
  const alive = pids.filter((p) => rssMiB(p.pid) !== undefined).map((p) => `${p.name} (${p.pid})`);
  return [...alive, ...shimPids().map((pid) => `containerd-shim (${pid})`)];
}
