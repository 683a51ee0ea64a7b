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
