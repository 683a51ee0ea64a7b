// The issuer of the cluster's ServiceAccount tokens: what a kubernetesServiceAccount MCPOIDCConfig
// verifies `iss` against (desired/proxy-auth.ts). It is the API server's --service-account-issuer, which
// differs between clusters (kubeadm: https://kubernetes.default.svc.cluster.local; EKS, GKE: a public
// URL), so ToolHive's fixed default https://kubernetes.default.svc refuses every token on many of them.
// Found once at start: --service-account-issuer when given (the chart's operator.serviceAccountIssuer),
// else the API server's own discovery document (/.well-known/openid-configuration, readable by every
// ServiceAccount through the default system:service-account-issuer-discovery binding), else ToolHive's
// default, with a warning.
import type { Logger } from '../lib/log.ts';
import { isDict, str } from './desired/types.ts';
import type { KubeClient } from '../lib/kube/client.ts';
import { TOOLHIVE_KUBE_ISSUER } from './desired/proxy-auth.ts';

export const DISCOVERY_PATH = '/.well-known/openid-configuration';

export async function serviceAccountIssuer(
  client: Pick<KubeClient, 'request'>,
  configured: string | undefined,
  log: Logger,
): Promise<string> {
  if (configured) return configured;
  try {
    const document = await client.request<unknown>({ method: 'GET', path: DISCOVERY_PATH });
    const issuer = isDict(document) ? str(document.issuer) : '';
    if (issuer) {
      log.info({ issuer }, 'ServiceAccount token issuer discovered from the API server');
      return issuer;
    }
    log.warn({ path: DISCOVERY_PATH }, 'The API server’s discovery document names no issuer');
  } catch (err) {
    log.warn({ err, path: DISCOVERY_PATH }, 'Could not read the API server’s ServiceAccount issuer');
  }
  log.warn(
    { issuer: TOOLHIVE_KUBE_ISSUER },
    'Using the default ServiceAccount issuer; set --service-account-issuer if tokens are refused',
  );
  return TOOLHIVE_KUBE_ISSUER;
}
