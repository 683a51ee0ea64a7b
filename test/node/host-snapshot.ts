// What a real node may leave on the host, read before the suite starts and after it stops: the two
// must be equal (processes, mounts, links, nftables tables, ipsets, sysctls, cgroups, host folders).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { runToCompletion } from '../../controlplane/processes.ts';
import { HOST_PATHS, SYSCTLS } from '../../realnode/host.ts';
import { RUN_DIR } from '../../realnode/layout.ts';

export interface HostSnapshot {
  processes: string[];
  mounts: string[];
  links: string[];
  nftTables: string[];
  ipsets: string[];
  sysctls: Record<string, string>;
  kubepodsCgroups: string[];
  hostPaths: string[];
}

const NODE_PROCESSES =
  /^(containerd|containerd-shim-runc-v2|kubelet|kube-proxy|kube-router|runc|coredns|metrics-server|pause)$/;
const MOUNT_PREFIXES = [
  '/run/mcp-realnode',
  '/run/containerd',
  '/run/netns/cni-',
  '/var/lib/kubelet',
  '.cache/clusters/',
];

const lines = async (cmd: string, args: string[]): Promise<string[]> => {
  const r = await runToCompletion(cmd, args).catch(() => ({ stdout: '' }));
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort();
};

export async function hostSnapshot(): Promise<HostSnapshot> {
  const processes = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((pid) => {
      try {
        return `${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}`;
      } catch {
        return '';
      }
    })
    .filter((comm) => NODE_PROCESSES.test(comm))
    .sort();
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => MOUNT_PREFIXES.some((p) => m.startsWith(p) || m.includes(p)))
    .sort();
  const links = (await lines('ip', ['-o', 'link', 'show']))
    .map((l) => l.split(':')[1]!.trim().split('@')[0]!)
    .sort();
  const sysctls: Record<string, string> = {};
  for (const s of SYSCTLS)
    if (existsSync(`/proc/sys/${s}`)) sysctls[s] = readFileSync(`/proc/sys/${s}`, 'utf8').trim();
  const kubepodsCgroups = existsSync('/sys/fs/cgroup')
    ? readdirSync('/sys/fs/cgroup').filter((c) => existsSync(`/sys/fs/cgroup/${c}/kubepods`))
    : [];
  return {
    processes,
    mounts,
    links,
    nftTables: await lines('nft', ['list', 'tables']),
    ipsets: await lines('ipset', ['list', '-n']),
    sysctls,
    kubepodsCgroups,
    hostPaths: [...HOST_PATHS, RUN_DIR].filter((p) => existsSync(p)),
  };
}

export const before: { snapshot?: HostSnapshot } = {};
