// Where the real node lives on this machine: its addresses, interface names and folders (pure).
//
// Everything sits in 10.250.0.0/16, a block this machine does not use (startRealNode checks): the node's
// own address on a veth pair (kubelet refuses a loopback node IP, and this kernel has no dummy links),
// the pods on a bridge, and the Services' virtual IPs. Pods get a route to that block only, no default
// route and no masquerade, and a forward rule drops anything from the bridge to elsewhere: pod traffic
// never leaves the machine.
//
// One real node per machine: containerd and kubelet keep some state at fixed host paths
// (/run/containerd/s, /var/lib/kubelet/device-plugins), so the node's runtime folder is fixed too.
import path from 'node:path';

export const NODE_NAME = 'mcp-node';
export const SUPERNET = '10.250.0.0/16';
export const NODE_IP = '10.250.0.1';
/** The veth pair that carries the node IP: the address is on the first, the second is its idle peer. */
export const NODE_LINK = 'mcpnode0';
export const NODE_LINK_PEER = 'mcpnode1';
export const BRIDGE = 'mcpbr0';
/** The cluster's pod block (kube-controller-manager gives the node the first /24 of it). */
export const POD_CIDR = '10.250.16.0/20';
export const NODE_POD_CIDR_MASK = 24;
/** The node's pods: the first /24 of POD_CIDR, as node IPAM assigns it to the only node. */
export const NODE_POD_CIDR = '10.250.16.0/24';
export const POD_GATEWAY = '10.250.16.1';
export const SERVICE_CIDR = '10.250.32.0/20';
/** The first address of the Service range: the `kubernetes` Service. */
export const API_SERVICE_IP = '10.250.32.1';
export const DNS_SERVICE_IP = '10.250.32.10';
export const CLUSTER_DOMAIN = 'cluster.local';
/** The nftables table of our own rules (the forward guard), besides kube-proxy's and kubelet's. */
export const GUARD_TABLE = 'mcp-realnode';
/** Sockets and containerd's state: short paths (a unix socket path is at most 107 bytes). */
export const RUN_DIR = '/run/mcp-realnode';
export const KUBELET_PORT = 10250;
export const KUBELET_HEALTHZ_PORT = 10248;
export const KUBE_PROXY_HEALTHZ = '127.0.0.1:10256';
export const KUBE_PROXY_METRICS = '127.0.0.1:10249';

export interface NodeDirs {
  /** <cluster state>/node: everything of the node that is thrown away with the cluster. */
  root: string;
  containerdRoot: string;
  containerdConfig: string;
  containerdSocket: string;
  kubeletRoot: string;
  kubeletConfig: string;
  kubeletKubeconfig: string;
  kubeProxyConfig: string;
  kubeProxyKubeconfig: string;
  kubeRouterKubeconfig: string;
  cniConfDir: string;
  cniIpamDir: string;
  podLogs: string;
  volumes: string;
  pki: string;
  resolvConf: string;
  /** Host state found before the node started (sysctls, nftables tables), restored on teardown. */
  hostState: string;
  /** The sysctls the node changes, as they were before: "<path under /proc/sys> <value>" lines. */
  sysctlsBefore: string;
}

export function nodeDirs(clusterStateDir: string): NodeDirs {
  const root = path.join(clusterStateDir, 'node');
  const p = (...parts: string[]): string => path.join(root, ...parts);
  return {
    root,
    containerdRoot: p('containerd'),
    containerdConfig: p('containerd.toml'),
    containerdSocket: path.join(RUN_DIR, 'containerd.sock'),
    kubeletRoot: p('kubelet'),
    kubeletConfig: p('kubelet.yaml'),
    kubeletKubeconfig: p('kubelet.kubeconfig'),
    kubeProxyConfig: p('kube-proxy.yaml'),
    kubeProxyKubeconfig: p('kube-proxy.kubeconfig'),
    kubeRouterKubeconfig: p('kube-router.kubeconfig'),
    cniConfDir: p('cni', 'net.d'),
    cniIpamDir: p('cni', 'ipam'),
    podLogs: p('pod-logs'),
    volumes: p('volumes'),
    pki: p('pki'),
    resolvConf: p('resolv.conf'),
    hostState: p('host-state.env'),
    sysctlsBefore: p('sysctls.before'),
  };
}
