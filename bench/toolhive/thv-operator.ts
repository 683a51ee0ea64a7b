// ToolHive v0.44.0 for bench/toolhive.ts: its binaries (build-binaries.sh component "toolhive"), its module
// source (CRDs and examples, from the Go module cache) and thv-operator run out of cluster as its Helm chart
// runs it in one (deploy/charts/operator/templates/deployment.yaml), leader election off.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ControlPlane } from '../../controlplane/cluster.ts';
import { cacheDir, parseEnvFile, repoRoot } from '../../controlplane/versions.ts';
import { freePort, httpGet, waitUntil } from '../../controlplane/wait.ts';

const run = promisify(execFile);

export function toolhiveVersion(): string {
  const env = parseEnvFile(readFileSync(path.join(repoRoot, 'controlplane/versions.env'), 'utf8'));
  const version = env.TOOLHIVE_VERSION;
  if (!version) throw new Error('controlplane/versions.env: TOOLHIVE_VERSION is not set');
  return version;
}

export const binDir = (version: string): string => path.join(cacheDir(), 'bin', `toolhive-${version}`);

/** Builds the binaries when missing (build-binaries.sh prints its progress on stderr). */
export async function ensureBinaries(version: string): Promise<string> {
  const dir = binDir(version);
  if (!existsSync(path.join(dir, 'thv-operator'))) {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('bash', [path.join(repoRoot, 'controlplane/build-binaries.sh'), 'toolhive'], {
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build-binaries.sh: ${code}`))));
    });
  }
  return dir;
}

/** The module's source in the Go module cache (downloaded there by the build): CRDs, chart, examples. */
export async function moduleDir(version: string): Promise<string> {
  const { stdout } = await run('go', ['env', 'GOMODCACHE']);
  const dir = path.join(stdout.trim(), `github.com/stacklok/toolhive@${version}`);
  if (existsSync(dir)) return dir;
  const dl = await run('go', ['mod', 'download', '-json', `github.com/stacklok/toolhive@${version}`], {
    cwd: '/tmp',
    maxBuffer: 1 << 20,
  });
  return (JSON.parse(dl.stdout) as { Dir: string }).Dir;
}

/** Every ToolHive CRD (its operator watches all its kinds), as its operator-crds chart installs them. */
export async function installToolhiveCrds(cp: ControlPlane, module: string): Promise<void> {
  const dir = path.join(module, 'deploy/charts/operator-crds/files/crds');
  const applied = await cp.kubectl(['apply', '--server-side', '-f', dir]);
  if (applied.code !== 0) throw new Error(`kubectl apply ${dir}: ${applied.stderr}`);
  const waited = await cp.kubectl(['wait', '--for=condition=Established', '--all', 'crd', '--timeout=60s']);
  if (waited.code !== 0) throw new Error(`waiting for ToolHive's CRDs: ${waited.stderr}`);
}

export interface OperatorProcess {
  pid: number;
  stop(): Promise<void>;
}

/**
 * thv-operator watching `namespace` with the chart's environment: its GC settings (GOMEMLIMIT 110MiB,
 * GOGC 75), JSON logs, run configs in ConfigMaps, the proxy runner image its chart names (never pulled
 * on KWOK), experimental features and the storage-version migrator off (the chart refuses the migrator
 * with a namespaced scope). No --leader-elect: one replica. Resolves once /readyz answers.
 */
export async function startThvOperator(o: {
  binaries: string;
  version: string;
  kubeconfig: string;
  namespace: string;
  podNamespace: string;
  logFile: number | 'ignore';
}): Promise<OperatorProcess> {
  const [metrics, probe] = [await freePort(), await freePort()];
  const child = spawn(
    path.join(o.binaries, 'thv-operator'),
    [
      `--kubeconfig=${o.kubeconfig}`,
      `--metrics-bind-address=127.0.0.1:${metrics}`,
      `--health-probe-bind-address=127.0.0.1:${probe}`,
    ],
    {
      stdio: ['ignore', o.logFile, o.logFile],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GOMEMLIMIT: '110MiB',
        GOGC: '75',
        UNSTRUCTURED_LOGS: 'false',
        POD_NAMESPACE: o.podNamespace,
        WATCH_NAMESPACE: o.namespace,
        TOOLHIVE_USE_CONFIGMAP: 'true',
        ENABLE_EXPERIMENTAL_FEATURES: 'false',
        TOOLHIVE_ENABLE_STORAGE_VERSION_MIGRATOR: 'false',
        TOOLHIVE_RUNNER_IMAGE: `ghcr.io/stacklok/toolhive/proxyrunner:${o.version}`,
        VMCP_IMAGE: `ghcr.io/stacklok/toolhive/vmcp:${o.version}`,
        TOOLHIVE_PROXY_HOST: '0.0.0.0',
      },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitUntil(async () => (await httpGet(`http://127.0.0.1:${probe}/readyz`)).status === 200, {
    what: 'thv-operator /readyz',
    timeoutMs: 60_000,
    exited: exited.then(() => 'thv-operator exited'),
  });
  return {
    pid: child.pid ?? -1,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
