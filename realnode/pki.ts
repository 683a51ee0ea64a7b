// The node's certificates, signed by the control plane's CA, and the front-proxy pair with which the
// API server authenticates to aggregated APIs (metrics-server). Written readable by this user only.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { issue, type KeyPair } from '../controlplane/pki.ts';
import { kubeconfigYaml } from '../controlplane/kubeconfig.ts';
import { NODE_IP, NODE_NAME, type NodeDirs } from './layout.ts';

export interface NodePki {
  /** kubelet's identity to the API server: the Node authorizer knows it by this name and group. */
  kubeletClient: KeyPair;
  /** kubelet's serving certificate (logs, exec, attach, port-forward, metrics), for the node IP. */
  kubeletServing: KeyPair;
  kubeProxy: KeyPair;
  kubeRouter: KeyPair;
}

export function createNodePki(ca: KeyPair): NodePki {
  return {
    kubeletClient: issue(
      { commonName: `system:node:${NODE_NAME}`, organization: 'system:nodes', usage: 'client' },
      ca,
    ),
    kubeletServing: issue(
      { commonName: NODE_NAME, usage: 'server', dnsNames: [NODE_NAME], ipAddresses: [NODE_IP] },
      ca,
    ),
    // Bound to system:node-proxier by the API server's bootstrap RBAC.
    kubeProxy: issue({ commonName: 'system:kube-proxy', usage: 'client' }, ca),
    // Bound by realnode/addons.ts to the ClusterRole kube-router's own manifests give it.
    kubeRouter: issue({ commonName: 'system:kube-router', usage: 'client' }, ca),
  };
}

export interface FrontProxyPki {
  ca: KeyPair;
  client: KeyPair;
}

export const FRONT_PROXY_CLIENT = 'front-proxy-client';

export function createFrontProxyPki(): FrontProxyPki {
  const ca = issue({ commonName: 'mcp-operator-front-proxy-ca', usage: 'ca' });
  return { ca, client: issue({ commonName: FRONT_PROXY_CLIENT, usage: 'client' }, ca) };
}

export interface NodePkiFiles {
  caCert: string;
  servingCert: string;
  servingKey: string;
}

/** Writes the node's certificates and kubeconfigs; returns the files kubelet's config names. */
export function writeNodePki(
  dirs: NodeDirs,
  pki: NodePki,
  cluster: { server: string; caPem: string; contextName: string },
): NodePkiFiles {
  mkdirSync(dirs.pki, { recursive: true, mode: 0o700 });
  const write = (file: string, text: string): void => writeFileSync(file, text, { mode: 0o600 });
  const files = {
    caCert: path.join(dirs.pki, 'ca.crt'),
    servingCert: path.join(dirs.pki, 'kubelet-serving.crt'),
    servingKey: path.join(dirs.pki, 'kubelet-serving.key'),
  };
  write(files.caCert, cluster.caPem);
  write(files.servingCert, pki.kubeletServing.certPem);
  write(files.servingKey, pki.kubeletServing.keyPem);
  const kc = (user: string, pair: KeyPair): string =>
    kubeconfigYaml({
      server: cluster.server,
      caPem: cluster.caPem,
      certPem: pair.certPem,
      keyPem: pair.keyPem,
      user,
      name: cluster.contextName,
    });
  write(dirs.kubeletKubeconfig, kc('kubelet', pki.kubeletClient));
  write(dirs.kubeProxyKubeconfig, kc('kube-proxy', pki.kubeProxy));
  write(dirs.kubeRouterKubeconfig, kc('kube-router', pki.kubeRouter));
  return files;
}
