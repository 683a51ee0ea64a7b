// The host side of the real node: checks that this machine can run it, and the network set-up that
// must exist before the API server binds the node IP. What it changes on the host is recorded for
// teardown.sh, which puts the machine back as it was: sysctls in <node>/sysctls.before, nftables tables
// and host folders that were not there in <node>/host-state.env.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { runToCompletion } from '../controlplane/processes.ts';
import { guardRuleset } from './config.ts';
import {
  GUARD_TABLE,
  NODE_IP,
  NODE_LINK,
  NODE_LINK_PEER,
  RUN_DIR,
  SUPERNET,
  type NodeDirs,
} from './layout.ts';

/** Why this machine cannot run a real node, or undefined when it can. */
export async function whyNoRealNode(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'a real node needs Linux';
  if (process.getuid?.() !== 0) return 'a real node needs root (network namespaces, mounts, cgroups)';
  for (const tool of ['ip', 'nft', 'iptables', 'ipset']) {
    const r = await runToCompletion('bash', ['-c', `command -v ${tool}`]).catch(() => undefined);
    if (!r || r.code !== 0)
      return `${tool} is missing (make binaries installs the node's host packages: realnode/host-packages.sh)`;
  }
  if (!existsSync('/sys/fs/cgroup/memory') && !existsSync('/sys/fs/cgroup/cgroup.controllers'))
    return 'no cgroup hierarchy at /sys/fs/cgroup';
  const link = await runToCompletion('ip', ['link', 'show', NODE_LINK]);
  if (link.code === 0)
    return `link ${NODE_LINK} exists: another real node runs here, or one was left behind (make dev-down)`;
  const routes = await runToCompletion('ip', ['-4', 'route', 'show', 'root', SUPERNET]);
  if (routes.stdout.trim() !== '')
    return `${SUPERNET} is already routed on this machine: ${routes.stdout.trim()}`;
  return undefined;
}

async function run(command: string, args: string[], input?: string): Promise<string> {
  const r = await runToCompletion(command, args, input);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

function readSysctl(name: string): string | undefined {
  const file = `/proc/sys/${name}`;
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

function writeSysctl(name: string, value: string): void {
  writeFileSync(`/proc/sys/${name}`, value);
}

/** The nftables tables that exist now, as "family name" lines. */
export async function nftTables(): Promise<string[]> {
  const out = await run('nft', ['list', 'tables']);
  return out
    .split('\n')
    .map((l) => l.trim().replace(/^table\s+/, ''))
    .filter(Boolean);
}

/** Host folders that kubelet and containerd make at fixed paths; removed on teardown if they were not there. */
export const HOST_PATHS = [
  '/var/lib/kubelet',
  '/var/log/containers',
  '/var/log/pods',
  '/run/containerd',
  '/run/netns',
];

/** Sysctls we set (forwarding, bridge netfilter), and those kubelet sets at start (its kernel tunables). */
export const SYSCTLS = [
  'net/ipv4/ip_forward',
  'net/bridge/bridge-nf-call-iptables',
  'net/bridge/bridge-nf-call-ip6tables',
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
  'net/ipv4/conf/all/route_localnet',
];
const OURS = SYSCTLS.slice(0, 3);

/**
 * Records the host's state, then: the node IP on a veth pair, IP forwarding and bridge netfilter (so
 * kube-proxy's and the enforcer's rules see bridged pod traffic), and the guard table that drops pod
 * traffic to anywhere but the node's block.
 */
export async function setUpHostNetwork(dirs: NodeDirs): Promise<void> {
  mkdirSync(dirs.root, { recursive: true });
  mkdirSync(RUN_DIR, { recursive: true });
  const before = await nftTables();
  const sysctls = SYSCTLS.map((s) => [s, readSysctl(s)] as const).filter(([, v]) => v !== undefined);
  writeFileSync(dirs.sysctlsBefore, sysctls.map(([s, v]) => `${s} ${v}\n`).join(''));
  const state = [
    `NFT_TABLES_BEFORE='${before.join(',')}'`,
    `CREATED_PATHS='${HOST_PATHS.filter((p) => !existsSync(p)).join(',')}'`,
    '',
  ].join('\n');
  writeFileSync(dirs.hostState, state);
  await run('ip', ['link', 'add', NODE_LINK, 'type', 'veth', 'peer', 'name', NODE_LINK_PEER]);
  await run('ip', ['addr', 'add', `${NODE_IP}/32`, 'dev', NODE_LINK]);
  await run('ip', ['link', 'set', NODE_LINK, 'up']);
  await run('ip', ['link', 'set', NODE_LINK_PEER, 'up']);
  for (const s of OURS) if (readSysctl(s) !== undefined) writeSysctl(s, '1');
  await run('nft', ['-f', '-'], guardRuleset(GUARD_TABLE));
}
