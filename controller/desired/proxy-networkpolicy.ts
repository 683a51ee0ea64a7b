// The proxy's NetworkPolicy, `<name>-proxy` (ToolHive's operator makes none). The proxy is the door to
// the MCP server, so anyone may connect to it, but on its proxy port only (who may use the server is the
// proxy's business, not the network's), unless the admission policy's proxyClientNamespaces says which
// namespaces may (lib/proxy-clients.ts): then pods of the MCPServer's own namespace and of those, picked
// by the label kubernetes.io/metadata.name (which the API server sets on every namespace). Out of the pod it may open connections only where the proxy
// itself goes, which depends on how it reaches its server (controller/desired/configmap.ts):
//   sse, streamable-http  the MCP server pods of the same MCPServer, TCP to the MCP port. The run config
//                         names the headless Service `mcp-<name>`, whose name resolves to the pod IPs
//                         themselves (no virtual IP to translate), so the proxy also needs cluster DNS:
//                         the kube-dns pods in kube-system, on 53 and on the named ports `dns` and
//                         `dns-tcp` (kubeadm's CoreDNS names its ports so), because a policy sees the
//                         port after the Service's translation, and CoreDNS may listen elsewhere than 53.
//   stdio                 the API server only (it reads its server pod and attaches to it). No DNS: a
//                         client in a pod dials KUBERNETES_SERVICE_HOST, an address.
// The API server rule is subtle: enforcers judge egress either after kube-proxy has translated the
// `kubernetes` Service's ClusterIP (kube-router, Calico, Cilium) or before (the AWS VPC CNI's agent), so
// both are allowed, each with its own ports: the endpoints' addresses and ports, and the ClusterIPs on
// the Service's ports. The controller watches both (controller/api-server-watch.ts) and reconciles the
// stdio servers when they change. Unknown addresses allow no egress at all (fail closed, as a typo in a
// permission profile does): the proxy's log then says it cannot attach.
// Authentication adds where the proxy verifies tokens (proxy-auth.ts egressFor):
//   kubernetesServiceAccount  the API server's JWKS: the API server rule above, for every transport,
//                             and DNS (the JWKS URL names kubernetes.default.svc);
//   inline, configMap         TCP to the ports of the JWKS (or issuer) and introspection URLs, to any
//                             address, and DNS: a NetworkPolicy cannot name a host, only addresses, and
//                             an issuer's addresses are not the cluster's to know.
// Shared session storage (spec.sessionStorage, provider redis) adds TCP to the Redis port: to its
// address when that is an IP, else to any destination, with DNS (scale-out.ts redisEgress says why).
// Replies to allowed connections need no rule in either direction.
import { isIPv6 } from 'node:net';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { effectiveSpec } from '../spec.ts';
import { childMetadata, commonLabels, selectorLabels } from './labels.ts';
import { namespaceOf, proxyNetworkPolicyName } from './names.ts';
import { OPEN, type ProxySecurity } from './proxy-security.ts';
import { redisEgress } from './scale-out.ts';
import type { ApiServerAddresses, ChildObject, Dict, ServerFacts } from './types.ts';

/** Cluster DNS as kubeadm, kind, k3s and the managed clouds label it. */
export const DNS_PEER: Dict = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};
export const DNS_PORTS: Dict[] = [
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
  { protocol: 'UDP', port: 'dns' },
  { protocol: 'TCP', port: 'dns-tcp' },
];

const tcp = (port: number): Dict => ({ protocol: 'TCP', port });
const ipBlock = (ip: string): Dict => ({ ipBlock: { cidr: `${ip}/${isIPv6(ip) ? 128 : 32}` } });

/** Egress to the API server: its endpoints on their ports, and its ClusterIPs on the Service's ports. */
export function apiServerEgress(addresses: ApiServerAddresses | undefined): Dict[] {
  if (!addresses) return [];
  const rule = (ips: string[], ports: number[]): Dict[] =>
    ips.length && ports.length ? [{ to: ips.map(ipBlock), ports: ports.map(tcp) }] : [];
  return [
    ...rule(addresses.endpointIPs, addresses.endpointPorts),
    ...rule(addresses.serviceIPs, addresses.servicePorts),
  ];
}

/** Where the proxy of `server` may open connections to. */
export function proxyEgress(server: MCPServer, facts: ServerFacts, security: ProxySecurity = OPEN): Dict[] {
  const { mcpPort } = effectiveSpec(server);
  const { egress } = security;
  const toApiServer = mcpPort === undefined || egress.apiServer;
  const redis = redisEgress(server);
  const dns = mcpPort !== undefined || egress.apiServer || egress.ports.length > 0 || redis.needsDns;
  return [
    ...(mcpPort === undefined
      ? []
      : [
          {
            to: [{ podSelector: { matchLabels: selectorLabels(server, 'mcp-server') } }],
            ports: [tcp(mcpPort)],
          },
        ]),
    ...(dns ? [{ to: [DNS_PEER], ports: DNS_PORTS }] : []),
    ...(toApiServer ? apiServerEgress(facts.apiServer) : []),
    ...(egress.ports.length ? [{ ports: egress.ports.map(tcp) }] : []),
    ...redis.rules,
  ];
}

/** Who may connect to the proxy port: anyone, or the own namespace's and the policy's namespaces' pods. */
export function proxyIngress(server: MCPServer, security: ProxySecurity = OPEN): Dict[] {
  const ports = [tcp(effectiveSpec(server).proxyPort)];
  if (security.clients === undefined) return [{ ports }];
  const namespaces = [...new Set([namespaceOf(server), ...security.clients])];
  const from = namespaces.map((name) => ({
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } },
  }));
  return [{ from, ports }];
}

export function desiredProxyNetworkPolicy(
  server: MCPServer,
  facts: ServerFacts,
  security: ProxySecurity = OPEN,
): ChildObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMetadata(server, proxyNetworkPolicyName(server), commonLabels(server)),
    spec: {
      podSelector: { matchLabels: selectorLabels(server, 'proxy') },
      policyTypes: ['Ingress', 'Egress'],
      ingress: proxyIngress(server, security),
      egress: proxyEgress(server, facts, security),
    },
  };
}
