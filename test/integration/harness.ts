// One local control plane for the whole integration run (started by hooks.ts), shared by every test
// file: starting one per file would cost seconds each and prove nothing more.
import * as k8s from '@kubernetes/client-node';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { ControlPlane } from '../../controlplane/cluster.ts';
import { repoRoot } from '../../controlplane/versions.ts';
import { eventually } from '../../controlplane/wait.ts';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { KubeClient } from '../../lib/kube/client.ts';

let current: ControlPlane | undefined;

export function setControlPlane(cp: ControlPlane | undefined): void {
  current = cp;
}

export function controlPlane(): ControlPlane {
  if (!current)
    throw new Error('the integration control plane is not running (see test/integration/hooks.ts)');
  return current;
}

export function adminKubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(controlPlane().kubeconfig);
  return kc;
}

/** This repository's JSON client (lib/kube/) as cluster admin, as the operator's webhook and controller use it. */
export async function adminKubeClient(): Promise<KubeClient> {
  return new KubeClient(await loadApiAccess(controlPlane().kubeconfig));
}

/** A KubeConfig that authenticates with a bearer token instead of the admin certificate. */
export function tokenKubeConfig(token: string): k8s.KubeConfig {
  const cp = controlPlane();
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'local', server: cp.server, caData: Buffer.from(cp.adminTls.ca).toString('base64') }],
    users: [{ name: 'token-user', token }],
    contexts: [{ name: 'local', cluster: 'local', user: 'token-user' }],
    currentContext: 'local',
  });
  return kc;
}

export { eventually };

/** The HTTP status of a client-node error, or undefined when it is not an API error. */
export function statusOf(err: unknown): number | undefined {
  return err instanceof k8s.ApiException ? err.code : undefined;
}

export const CRD = path.join(repoRoot, 'manifests/crd/toolhive.stacklok.dev_mcpservers.yaml');
const CRD_DIR = path.join(repoRoot, 'manifests/crd');

/** The names of every CRD under manifests/crd/ (mcpservers, mcpoidcconfigs, mcpauthzconfigs). */
export const crdNames = (): string[] =>
  readdirSync(CRD_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/^toolhive\.stacklok\.dev_(.*)\.yaml$/, '$1.toolhive.stacklok.dev'));

/**
 * Installs every CRD under manifests/crd/ (idempotent: every test file that needs them calls this) and
 * waits until each is served.
 */
export async function installCrd(): Promise<void> {
  const kubectl = async (args: string[]) => {
    const r = await controlPlane().kubectl(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  };
  await kubectl(['apply', '--server-side', '-f', CRD_DIR]);
  // kubectl wait fails at once ("accessor error") when it reads the CRD before its first status: retry.
  await eventually('the CRDs to be Established', () =>
    kubectl([
      'wait',
      '--for=condition=Established',
      ...crdNames().map((n) => `crd/${n}`),
      '--timeout=30s',
    ]).then(() => true),
  );
}
