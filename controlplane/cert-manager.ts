// cert-manager's controller and cainjector (v1.11, built by build-binaries.sh) as local processes on a local
// control plane, for the webhook's cert-manager mode. They run out of cluster with the admin kubeconfig; the
// cert-manager webhook is not run (nor needed by these two), so cert-manager's own resources are checked only
// by their CRD schemas: an invalid Issuer or Certificate is accepted and fails later in its status instead of
// at `kubectl apply`, and CertificateRequests lack the requester identity the webhook would record.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../lib/log.ts';
import { certManagerCainjectorArgs, certManagerControllerArgs } from './cert-manager-flags.ts';
import type { ControlPlane } from './cluster.ts';
import { spawnLogged, stopGroups, type StartedProcess } from './processes.ts';
import { cacheDir, parseEnvFile, repoRoot } from './versions.ts';
import { freePort, httpGet, waitUntil } from './wait.ts';

export const CERT_MANAGER_NAMESPACE = 'cert-manager';

/** The controller's and cainjector's leader-election Lease names in v1.11. */
export const CERT_MANAGER_LEASES = {
  controller: 'cert-manager-controller',
  cainjector: 'cert-manager-cainjector-leader-election',
} as const;

export interface CertManagerBinaries {
  version: string;
  controller: string;
  cainjector: string;
  /** Plain CRDs rendered from the release's templated ones at build time. */
  crds: string;
}

export function certManagerVersion(file = path.join(repoRoot, 'controlplane', 'versions.env')): string {
  const version = parseEnvFile(readFileSync(file, 'utf8')).CERT_MANAGER_VERSION;
  if (!version) throw new Error(`${file}: CERT_MANAGER_VERSION is not set`);
  return version;
}

export function certManagerBinaries(version = certManagerVersion(), cache = cacheDir()): CertManagerBinaries {
  const dir = path.join(cache, 'bin', `cert-manager-${version}`);
  return {
    version,
    controller: path.join(dir, 'controller'),
    cainjector: path.join(dir, 'cainjector'),
    crds: path.join(dir, 'crds.yaml'),
  };
}

export function missingCertManagerBinaries(b: CertManagerBinaries): string[] {
  return [b.controller, b.cainjector, b.crds].filter((f) => !existsSync(f));
}

export interface CertManagerOptions {
  /**
   * The cluster to run against. The processes' logs and pids go into its folder, so stopping the cluster (or
   * its watchdog, or `dev down`) ends them too.
   */
  controlPlane: Pick<ControlPlane, 'kubeconfig' | 'stateDir' | 'kubectl'>;
  log: Logger;
  /** Defaults to the build under the cache for versions.env's CERT_MANAGER_VERSION. */
  binaries?: CertManagerBinaries;
  /** Leader-election Leases and ClusterIssuer Secrets live here; created if missing. */
  namespace?: string;
}

export interface CertManager {
  version: string;
  namespace: string;
  stop(): Promise<void>;
}

const CRD_NAMES = [
  'certificaterequests.cert-manager.io',
  'certificates.cert-manager.io',
  'challenges.acme.cert-manager.io',
  'clusterissuers.cert-manager.io',
  'issuers.cert-manager.io',
  'orders.acme.cert-manager.io',
];

export async function startCertManager(opts: CertManagerOptions): Promise<CertManager> {
  const { controlPlane: cp, log } = opts;
  const binaries = opts.binaries ?? certManagerBinaries();
  const namespace = opts.namespace ?? CERT_MANAGER_NAMESPACE;
  const missing = missingCertManagerBinaries(binaries);
  if (missing.length > 0)
    throw new Error(
      `cert-manager ${binaries.version} is not built (missing ${missing.join(', ')}); ` +
        'run: bash controlplane/build-binaries.sh cert-manager',
    );

  await applyCrds(cp, binaries.crds, log);
  await kubectlOk(cp, ['create', 'namespace', namespace], /AlreadyExists/);

  const metricsPort = await freePort();
  const started: StartedProcess[] = [];
  const stop = (): Promise<void> => stopGroups(started.map((p) => p.pid));
  try {
    const controller = spawnLogged(cp.stateDir, {
      name: 'cert-manager-controller',
      command: binaries.controller,
      args: certManagerControllerArgs({ kubeconfig: cp.kubeconfig, namespace, metricsPort }),
    });
    started.push(controller);
    const cainjector = spawnLogged(cp.stateDir, {
      name: 'cert-manager-cainjector',
      command: binaries.cainjector,
      args: certManagerCainjectorArgs({ kubeconfig: cp.kubeconfig, namespace }),
    });
    started.push(cainjector);
    // Holding its Lease is the last step before each starts its controllers; the controller's metrics
    // endpoint answering shows it got that far without a flag or config error.
    await Promise.all([
      waitLogged(log, {
        what: 'cert-manager controller metrics',
        check: async () => (await httpGet(`http://127.0.0.1:${metricsPort}/metrics`)).status === 200,
        exited: controller.exited,
      }),
      waitLogged(log, {
        what: 'cert-manager controller leadership',
        check: () => leaseHeld(cp, namespace, CERT_MANAGER_LEASES.controller),
        exited: controller.exited,
      }),
      waitLogged(log, {
        what: 'cert-manager cainjector leadership',
        check: () => leaseHeld(cp, namespace, CERT_MANAGER_LEASES.cainjector),
        exited: cainjector.exited,
      }),
    ]);
  } catch (err) {
    log.error({ err, logs: started.map((p) => p.logFile) }, 'cert-manager failed to start; stopping it');
    await stop();
    throw err;
  }
  log.info({ version: binaries.version, namespace }, 'cert-manager controller and cainjector are running');
  return { version: binaries.version, namespace, stop };
}

async function applyCrds(cp: CertManagerOptions['controlPlane'], crds: string, log: Logger): Promise<void> {
  log.info({ crds }, 'Applying the cert-manager CRDs');
  await kubectlOk(cp, ['apply', '--server-side', '--force-conflicts', '-f', crds]);
  await kubectlOk(cp, [
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    ...CRD_NAMES.map((n) => `crd/${n}`),
  ]);
}

/** Runs kubectl; throws with its stderr unless it succeeds or its stderr matches `tolerated`. */
async function kubectlOk(
  cp: CertManagerOptions['controlPlane'],
  args: string[],
  tolerated?: RegExp,
): Promise<void> {
  const r = await cp.kubectl(args);
  if (r.code !== 0 && !(tolerated?.test(r.stderr) ?? false))
    throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
}

async function leaseHeld(
  cp: CertManagerOptions['controlPlane'],
  namespace: string,
  name: string,
): Promise<boolean> {
  const r = await cp.kubectl([
    '-n',
    namespace,
    'get',
    'lease',
    name,
    '-o',
    'jsonpath={.spec.holderIdentity}',
  ]);
  return r.code === 0 && r.stdout.trim() !== '';
}

const WAIT_TIMEOUT_MS = 90_000;
const PROGRESS_EVERY_MS = 10_000;

/** waitUntil, with a progress line every 10 s so a slow start never looks hung. */
async function waitLogged(
  log: Logger,
  w: { what: string; check: () => Promise<boolean>; exited: Promise<string> },
): Promise<void> {
  const t0 = Date.now();
  const timer = setInterval(
    () => log.info({ waitedMs: Date.now() - t0 }, `Still waiting for ${w.what}`),
    PROGRESS_EVERY_MS,
  );
  try {
    await waitUntil(w.check, { what: w.what, timeoutMs: WAIT_TIMEOUT_MS, exited: w.exited, intervalMs: 250 });
  } finally {
    clearInterval(timer);
  }
}
