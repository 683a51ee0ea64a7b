// What a local control plane does differently when it runs a real node (controlplane/cluster.ts calls
// this): check the machine, set up the host network before the API server binds the node IP, change
// the API server's and kube-controller-manager's flags, start the node once the API server answers,
// and, on stop, clean the host with teardown.sh.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runToCompletion } from '../controlplane/processes.ts';
import { repoRoot } from '../controlplane/versions.ts';
import type { Logger } from '../lib/log.ts';
import { ensureNodeBinaries, nodeBinaryPaths, readNodeVersions, type NodeBinaryPaths } from './binaries.ts';
import { realNodeApiserverArgs, realNodeControllerManagerArgs, type FrontProxyFiles } from './flags.ts';
import { setUpHostNetwork, whyNoRealNode } from './host.ts';
import { nodeImages } from './node-images.ts';
import { API_SERVICE_IP, NODE_IP, nodeDirs } from './layout.ts';
import { startRealNode, type RealNodeContext } from './node.ts';
import { createFrontProxyPki } from './pki.ts';

export interface RealNodePlan {
  /** The address the API server binds and every kubeconfig names. */
  host: string;
  apiserverIps: string[];
  apiserverArgs(args: string[]): string[];
  controllerManagerArgs(args: string[]): string[];
  start(ctx: Omit<RealNodeContext, 'bins'>): Promise<void>;
}

export const TEARDOWN_SCRIPT = path.join(repoRoot, 'realnode', 'teardown.sh');

/** Checks this machine, builds what is missing, and sets up the host network; throws with the reason. */
export async function prepareRealNode(log: Logger, stateDir: string): Promise<RealNodePlan> {
  const why = await whyNoRealNode();
  if (why) throw new Error(`cannot run a real node here: ${why}`);
  const bins: NodeBinaryPaths = await ensureNodeBinaries(log);
  const dirs = nodeDirs(stateDir);
  await setUpHostNetwork(dirs);
  const frontProxy = createFrontProxyPki();
  const files: FrontProxyFiles = {
    caCert: path.join(dirs.root, 'front-proxy-ca.crt'),
    clientCert: path.join(dirs.root, 'front-proxy-client.crt'),
    clientKey: path.join(dirs.root, 'front-proxy-client.key'),
  };
  writeFileSync(files.caCert, frontProxy.ca.certPem, { mode: 0o600 });
  writeFileSync(files.clientCert, frontProxy.client.certPem, { mode: 0o600 });
  writeFileSync(files.clientKey, frontProxy.client.keyPem, { mode: 0o600 });
  const images = nodeImages(log, bins);
  return {
    host: NODE_IP,
    apiserverIps: [NODE_IP, API_SERVICE_IP],
    apiserverArgs: (args) => realNodeApiserverArgs(args, files),
    controllerManagerArgs: realNodeControllerManagerArgs,
    start: (ctx) => startRealNode({ ...ctx, bins }, images),
  };
}

/** Cleans the host after a real node (a no-op for a cluster without one); safe after a crash. */
export async function tearDownRealNode(stateDir: string, log?: Logger): Promise<void> {
  if (!existsSync(nodeDirs(stateDir).root)) return;
  const kubeRouter = nodeBinaryPaths(readNodeVersions()).kubeRouter;
  const r = await runToCompletion('bash', [TEARDOWN_SCRIPT, stateDir, kubeRouter]);
  if (r.stderr.trim()) log?.warn({ output: r.stderr.trim() }, 'Real node teardown');
}
