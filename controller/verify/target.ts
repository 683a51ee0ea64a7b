// Where the controller dials a server's proxy for its check, pure. Two ways, by where the operator runs:
//   service     in the cluster (the operator's pod): the proxy Service by its cluster DNS name, as any
//               client in the cluster reaches it (status.url, always on /mcp: both fronts are served);
//   api-server  out of the cluster (`make run`, a local operator), when asked for with
//               --verify-proxies api-server: the API server's service proxy,
//               /api/v1/namespaces/<ns>/services/<svc>:<port>/proxy/mcp, with the operator's own
//               credentials (api-server-fetch.ts). The API server then dials the proxy pods, so their
//               NetworkPolicy must admit it (it does when proxyClientNamespaces is unset).
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import type { ControllerConfig } from '../config.ts';
import { namespaceOf, proxyServiceName } from '../desired/names.ts';
import { effectiveSpec } from '../spec.ts';

export type DialMode = 'service' | 'api-server';

/**
 * `auto`: in a pod (the kubelet sets KUBERNETES_SERVICE_HOST) the Service; anywhere else off, since
 * whether the API server may reach the proxy pods depends on the cluster (`api-server` asks for it).
 */
export const autoDialMode = (env: NodeJS.ProcessEnv = process.env): DialMode | 'off' =>
  env.KUBERNETES_SERVICE_HOST ? 'service' : 'off';

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
