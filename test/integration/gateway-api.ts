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
  const r = await kubectl([
    'delete',
    'crd',
    '--ignore-not-found',
    '--wait=true',
    '--timeout=90s',
    ...GATEWAY_CRDS,
  ]);
  if (r.code !== 0) throw new Error(`deleting the Gateway API CRDs: ${r.stderr}`);
}
