// Pepr, the TypeScript peer, set up as its controller would be in a cluster, minus the container:
//   1. its own npm project, bench/pepr/ (installed here with `npm ci` on first use): pepr 1.1.4's exact
//      peer dependencies (typescript 5.8.3, prettier 3.6.2, node-forge 1.3.2) conflict with ours, so it
//      cannot be one of the operator's devDependencies without breaking `npm ci`;
//   2. the module bundled with esbuild the way `pepr build` bundles it (CommonJS, minified, pepr external);
//   3. a local control plane, because Pepr's controller needs a Kubernetes API at start-up: it applies
//      the PeprStore CRD (done here with kubectl, as runtime/controller.ts does before forking the module)
//      and reads or creates its store object in pepr-system, and binds /mutate and /validate only then;
//   4. the bundle run with the environment `pepr dev` gives it (TLS files, API path; KUBECONFIG), at
//      Pepr's default log level (info) with its stdout, where it logs, going to /dev/null.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startControlPlane, type ControlPlane } from '../../controlplane/cluster.ts';
import { freePort, httpGet, waitUntil } from '../../controlplane/wait.ts';
import type { Logger } from '../../lib/log.ts';
import { spawnServer, tail, type ServerProcess } from './servers.ts';

const run = promisify(execFile);
const MODULE_DIR = path.join(import.meta.dirname, '..', 'pepr');
// Inside node_modules: ignored by git and the linters, and `require('pepr')` from there finds Pepr.
const BUNDLE = path.join(MODULE_DIR, 'node_modules', '.cache', 'pepr-module-mcp-operator-bench.js');
const READY_TIMEOUT_MS = 90_000;

export interface PeprServer {
  process: ServerProcess;
  origin: string;
  validatePath: string;
  mutatePath: string;
  stop(): Promise<void>;
}

/** Installs Pepr into bench/pepr/node_modules when missing, then bundles the module. */
export async function buildPeprModule(log: Logger): Promise<string> {
  if (!existsSync(path.join(MODULE_DIR, 'node_modules', 'pepr', 'package.json'))) {
    log.info({ dir: MODULE_DIR }, 'Installing Pepr for the bench (npm ci, once)');
    await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: MODULE_DIR,
      maxBuffer: 64 * 1024 * 1024,
    });
  }
  const esbuild = path.join(MODULE_DIR, 'node_modules', '.bin', 'esbuild');
  // The options of pepr's cli/build/buildModule.ts for an embedded (deployable) module.
  await run(
    esbuild,
    ['pepr.js', '--bundle', '--platform=node', '--format=cjs', '--external:pepr']
      .concat(['--external:@kubernetes/client-node', '--keep-names', '--minify', '--tree-shaking=true'])
      .concat(['--log-level=warning', `--outfile=${BUNDLE}`]),
    { cwd: MODULE_DIR },
  );
  return BUNDLE;
}

// pepr's lib/assets/store.ts: the CRD its controller applies before it starts the module.
const PEPR_STORE_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'peprstores.pepr.dev' },
  spec: {
    group: 'pepr.dev',
    scope: 'Namespaced',
    names: { plural: 'peprstores', singular: 'peprstore', kind: 'PeprStore' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { data: { type: 'object', additionalProperties: { type: 'string' } } },
          },
        },
      },
    ],
  },
};

async function kubectlOrThrow(plane: ControlPlane, args: string[], input?: string): Promise<void> {
  const result = await plane.kubectl(args, input);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr.trim()}`);
}

/** A control plane with what a Pepr module's controller expects to find. Stop it when done. */
export async function startPeprControlPlane(log: Logger): Promise<ControlPlane> {
  const plane = await startControlPlane({ log });
  try {
    await kubectlOrThrow(plane, ['create', 'namespace', 'pepr-system']);
    await kubectlOrThrow(plane, ['apply', '-f', '-'], JSON.stringify(PEPR_STORE_CRD));
    await kubectlOrThrow(plane, [
      'wait',
      '--for=condition=established',
      '--timeout=60s',
      'crd/peprstores.pepr.dev',
    ]);
    return plane;
  } catch (err) {
    await plane.stop();
    throw err;
  }
}

export interface PeprStartOptions {
  bundle: string;
  /** bench/servers/pepr.ts, compiled. */
  hostScript: string;
  kubeconfig: string;
  tls: { certPem: string; keyPem: string; caPem: string };
  workDir: string;
  logLevel: string;
}

export async function startPeprServer(options: PeprStartOptions): Promise<PeprServer> {
  const certFile = path.join(options.workDir, 'pepr-tls.crt');
  const keyFile = path.join(options.workDir, 'pepr-tls.key');
  writeFileSync(certFile, options.tls.certPem);
  writeFileSync(keyFile, options.tls.keyPem, { mode: 0o600 });
  const apiPath = randomBytes(32).toString('hex');
  const port = await freePort();
  const logFile = path.join(options.workDir, 'pepr.log');
  const { child, process: server } = spawnServer({
    script: options.hostScript,
    logFile,
    stdout: 'ignore',
    env: {
      BENCH_PEPR_BUNDLE: options.bundle,
      KUBECONFIG: options.kubeconfig,
      LOG_LEVEL: options.logLevel,
      PEPR_API_PATH: apiPath,
      PEPR_BENCH_PORT: String(port),
      SSL_CERT_PATH: certFile,
      SSL_KEY_PATH: keyFile,
    },
  });
  const origin = `https://127.0.0.1:${port}`;
  const exited = new Promise<string>((resolve) => child.once('exit', (code) => resolve(`code ${code}`)));
  try {
    // /healthz is bound together with /mutate and /validate, once the store has been read.
    await waitUntil(
      async () => (await httpGet(`${origin}/healthz`, { ca: options.tls.caPem })).status === 200,
      { what: 'Pepr module', timeoutMs: READY_TIMEOUT_MS, exited, intervalMs: 250 },
    );
  } catch (err) {
    await server.stop();
    throw new Error(`${(err as Error).message}; stderr:\n${tail(logFile)}`, { cause: err });
  }
  return {
    process: server,
    origin,
    validatePath: `/validate/${apiPath}`,
    mutatePath: `/mutate/${apiPath}`,
    stop: () => server.stop(),
  };
}
