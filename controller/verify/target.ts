// Where the controller dials a server's proxy for its check, pure. Two ways, by where the operator runs:
//   service     in the cluster (the operator's pod): the proxy Service by its cluster DNS name, as any
//               client in the cluster reaches it (status.url, always on /mcp: both fronts are served);
//   api-server  out of the cluster (`make run`, a local operator): the API server's service proxy,
//               /api/v1/namespaces/<ns>/services/<svc>:<port>/proxy/mcp, with the operator's own
//               credentials (api-server-fetch.ts). The API server then dials the proxy pods, so their
//               NetworkPolicy must admit it (it does when proxyClientNamespaces is unset).
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import type { ControllerConfig } from '../config.ts';
import { namespaceOf, proxyServiceName } from '../desired/names.ts';
import { effectiveSpec } from '../spec.ts';

export type DialMode = 'service' | 'api-server';

/** In a pod, the kubelet sets KUBERNETES_SERVICE_HOST; anywhere else the Service names do not resolve. */
export const defaultDialMode = (env: NodeJS.ProcessEnv = process.env): DialMode =>
  env.KUBERNETES_SERVICE_HOST ? 'service' : 'api-server';

export function proxyEndpoint(
  server: MCPServer,
  mode: DialMode,
  cfg: Pick<ControllerConfig, 'clusterDomain'>,
  apiServer: URL,
): URL {
  const { proxyPort } = effectiveSpec(server);
  const namespace = namespaceOf(server);
  const service = proxyServiceName(server);
  if (mode === 'service')
    return new URL(`http://${service}.${namespace}.svc.${cfg.clusterDomain}:${proxyPort}/mcp`);
  const base = apiServer.pathname.replace(/\/$/, '');
  const path = `${base}/api/v1/namespaces/${namespace}/services/${service}:${proxyPort}/proxy/mcp`;
  return new URL(path, apiServer);
}
