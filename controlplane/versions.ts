// Where the control plane's binaries live: versions come from versions.env (the one pinned list, also
// read by build-binaries.sh), binaries from the cache folder keyed by component and version.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface ControlPlaneVersions {
  kubernetes: string;
  etcd: string;
  kwok: string;
  helm: string;
}

export interface BinaryPaths {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubectl: string;
  kwok: string;
  /** KWOK's default node and pod stages, extracted from its module at build time. */
  kwokStages: string;
  helm: string;
}

export const repoRoot = path.resolve(import.meta.dirname, '..');

/** The cache folder: $MCP_OPERATOR_CACHE, else <repo>/.cache (ignored by git). */
export function cacheDir(): string {
  return process.env.MCP_OPERATOR_CACHE ?? path.join(repoRoot, '.cache');
}

/** Parses KEY=VALUE lines, ignoring comments and blanks. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!.trim();
  }
  return out;
}

export function readVersions(
  file = path.join(repoRoot, 'controlplane', 'versions.env'),
): ControlPlaneVersions {
  const env = parseEnvFile(readFileSync(file, 'utf8'));
  const get = (key: string): string => {
    const value = env[key];
    if (!value) throw new Error(`${file}: ${key} is not set`);
    return value;
  };
  return {
    kubernetes: get('KUBERNETES_VERSION'),
    etcd: get('ETCD_VERSION'),
    kwok: get('KWOK_VERSION'),
    helm: get('HELM_VERSION'),
  };
}

export function binaryPaths(versions: ControlPlaneVersions, cache = cacheDir()): BinaryPaths {
  const bin = (component: string, version: string, name: string): string =>
    path.join(cache, 'bin', `${component}-${version}`, name);
  const kube = (name: string): string => bin('kubernetes', versions.kubernetes, name);
  return {
    etcd: bin('etcd', versions.etcd, 'etcd'),
    kubeApiserver: kube('kube-apiserver'),
    kubeControllerManager: kube('kube-controller-manager'),
    kubeScheduler: kube('kube-scheduler'),
    kubectl: kube('kubectl'),
    kwok: bin('kwok', versions.kwok, 'kwok'),
    kwokStages: bin('kwok', versions.kwok, 'stages.yaml'),
    helm: bin('helm', versions.helm, 'helm'),
  };
}
