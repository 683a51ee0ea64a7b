// The Gateway API's standard CRDs as build-binaries.sh gateway-api caches them (sigs.k8s.io/gateway-api
// from the Go module proxy, at versions.env's GATEWAY_API_VERSION), and their names.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cacheDir, parseEnvFile, repoRoot } from '../../controlplane/versions.ts';

export const GATEWAY_CRDS = [
  'backendtlspolicies',
  'gatewayclasses',
  'gateways',
  'grpcroutes',
  'httproutes',
  'listenersets',
  'referencegrants',
  'tcproutes',
  'tlsroutes',
  'udproutes',
].map((plural) => `${plural}.gateway.networking.k8s.io`);

export const versionsEnv = (): Record<string, string> =>
  parseEnvFile(readFileSync(path.join(repoRoot, 'controlplane/versions.env'), 'utf8'));

/** The file of the standard channel's CRDs; throws, naming the command, when it was not built. */
export function gatewayApiCrds(): string {
  const file = path.join(
    cacheDir(),
    'bin',
    `gateway-api-${versionsEnv().GATEWAY_API_VERSION}`,
    'standard-crds.yaml',
  );
  if (!existsSync(file)) throw new Error(`${file} missing: bash controlplane/build-binaries.sh gateway-api`);
  return file;
}

type Kubectl = (args: string[], input?: string) => Promise<{ code: number; stdout: string; stderr: string }>;

/**
 * Removes the Gateway API's CRDs and every object of theirs. A Gateway controller that is gone leaves
 * its finalizers behind (Traefik puts one on its GatewayClass), and the CRD's deletion would wait for
 * them forever: they are dropped first.
 */
export async function removeGatewayApi(kubectl: Kubectl): Promise<void> {
  for (const kind of ['gatewayclasses', 'gateways', 'httproutes']) {
    const listed = await kubectl([
      'get',
      kind,
      '-A',
      '-o',
      'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}',
    ]);
    if (listed.code !== 0) continue; // the CRD is not installed
    for (const line of listed.stdout.split('\n').filter(Boolean)) {
      const [namespace, name] = line.split('/');
      const where = namespace ? ['-n', namespace] : [];
      await kubectl([
        ...where,
        'patch',
        kind,
        name!,
        '--type=merge',
        '-p',
        '{"metadata":{"finalizers":null}}',
      ]);
    }
  }
  // Every instance goes first, by the API (so admission and finalizers run as for any delete).
  for (const crd of GATEWAY_CRDS)
    await kubectl(['delete', crd, '--all', '-A', '--ignore-not-found', '--wait=true', '--timeout=60s']);
  const r = await kubectl(['delete', 'crd', '--ignore-not-found', '--wait=false', ...GATEWAY_CRDS]);
  if (r.code !== 0) throw new Error(`deleting the Gateway API CRDs: ${r.stderr}`);
  // Then the API server's own cleanup finalizer is dropped: with no instances left it has nothing to do,
  // and in kube-apiserver v1.37 it can spin for minutes. Each of its turns writes a Terminating condition,
  // the write rebuilds the CRD's storage, and its next list meets the new watch cache still initializing
  // ("could not list instances: storage is (re)initializing", retried with a growing backoff). Seen in CI
  // and here: 240 s were not enough for ten CRDs.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const left = await kubectl(['get', 'crd', '--ignore-not-found', '-o', 'name', ...GATEWAY_CRDS]);
    const names = left.stdout.split('\n').filter(Boolean);
    if (left.code === 0 && names.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`the Gateway API CRDs are still there after 120 s: ${names.join(', ')}`);
    for (const name of names)
      await kubectl(['patch', name, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
