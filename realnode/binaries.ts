// Where the real node's binaries live: versions come from controlplane/versions.env (the one pinned list,
// also read by controlplane/build-binaries.sh), binaries from the cache folder keyed by component and
// version, as the control plane's are (controlplane/versions.ts). kubelet and kube-proxy are built with
// the control plane, at KUBERNETES_VERSION; pause is compiled from that version's build/pause/linux/pause.c.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cacheDir, parseEnvFile, repoRoot } from '../controlplane/versions.ts';
import type { Logger } from '../lib/log.ts';

export interface NodeVersions {
  /** kubelet, kube-proxy and pause. */
  kubernetes: string;
  containerd: string;
  runc: string;
  cniPlugins: string;
  coredns: string;
  metricsServer: string;
  kubeRouter: string;
}

export interface NodeBinaryPaths {
  kubelet: string;
  kubeProxy: string;
  containerd: string;
  ctr: string;
  containerdShim: string;
  runc: string;
  /** containerd's CNI bin_dir: one folder with every plugin in CNI_PLUGINS. */
  cniBinDir: string;
  coredns: string;
  metricsServer: string;
  kubeRouter: string;
  pause: string;
}

/** The CNI plugins build-binaries.sh puts in cniBinDir. */
export const CNI_PLUGINS = ['bridge', 'loopback', 'host-local', 'portmap'] as const;

/** The build-binaries.sh pseudo-component that builds every binary of NodeBinaryPaths. */
export const NODE_COMPONENT = 'node';

const VERSION_KEYS: Record<keyof NodeVersions, string> = {
  kubernetes: 'KUBERNETES_VERSION',
  containerd: 'CONTAINERD_VERSION',
  runc: 'RUNC_VERSION',
  cniPlugins: 'CNI_PLUGINS_VERSION',
  coredns: 'COREDNS_VERSION',
  metricsServer: 'METRICS_SERVER_VERSION',
  kubeRouter: 'KUBE_ROUTER_VERSION',
};

export function readNodeVersions(file = path.join(repoRoot, 'controlplane', 'versions.env')): NodeVersions {
  const env = parseEnvFile(readFileSync(file, 'utf8'));
  const out = {} as NodeVersions;
  for (const [field, key] of Object.entries(VERSION_KEYS) as [keyof NodeVersions, string][]) {
    const value = env[key];
    if (!value) throw new Error(`${file}: ${key} is not set`);
    out[field] = value;
  }
  return out;
}

export function nodeBinaryPaths(versions: NodeVersions, cache = cacheDir()): NodeBinaryPaths {
  const dir = (component: string, version: string): string =>
    path.join(cache, 'bin', `${component}-${version}`);
  const kube = dir('kubernetes', versions.kubernetes);
  const containerd = dir('containerd', versions.containerd);
  return {
    kubelet: path.join(kube, 'kubelet'),
    kubeProxy: path.join(kube, 'kube-proxy'),
    containerd: path.join(containerd, 'containerd'),
    ctr: path.join(containerd, 'ctr'),
    containerdShim: path.join(containerd, 'containerd-shim-runc-v2'),
    runc: path.join(dir('runc', versions.runc), 'runc'),
    cniBinDir: dir('cni-plugins', versions.cniPlugins),
    coredns: path.join(dir('coredns', versions.coredns), 'coredns'),
    metricsServer: path.join(dir('metrics-server', versions.metricsServer), 'metrics-server'),
    kubeRouter: path.join(dir('kube-router', versions.kubeRouter), 'kube-router'),
    pause: path.join(dir('pause', versions.kubernetes), 'pause'),
  };
}

/** The files that do not exist; cniBinDir counts as its plugins. */
export function missingNodeBinaries(paths: NodeBinaryPaths): string[] {
  const files = (Object.keys(paths) as (keyof NodeBinaryPaths)[]).flatMap((k) =>
    k === 'cniBinDir' ? CNI_PLUGINS.map((p) => path.join(paths.cniBinDir, p)) : [paths[k]],
  );
  return files.filter((f) => !existsSync(f));
}

/**
 * Builds what is missing with build-binaries.sh's node components (it skips those in the cache, and
 * installs missing host packages first); the build's progress lines go straight to our stderr.
 */
export async function ensureNodeBinaries(log: Logger): Promise<NodeBinaryPaths> {
  const paths = nodeBinaryPaths(readNodeVersions());
  const missing = missingNodeBinaries(paths);
  if (missing.length === 0) return paths;
  log.info({ missing: missing.map((m) => path.relative(cacheDir(), m)) }, 'Building the real node binaries');
  const script = path.join(repoRoot, 'controlplane', 'build-binaries.sh');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('bash', [script, NODE_COMPONENT], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`${script} ${NODE_COMPONENT} exited with ${code}`);
  const still = missingNodeBinaries(paths);
  if (still.length > 0) throw new Error(`build finished but binaries are missing: ${still.join(', ')}`);
  return paths;
}
