// The node's configuration files and command lines (pure): containerd, the CNI network, kubelet,
// kube-proxy and kube-router. Each setting that is not upstream's default says why it is here.
import { stringify } from 'yaml';
import {
  BRIDGE,
  CLUSTER_DOMAIN,
  DNS_SERVICE_IP,
  KUBE_PROXY_HEALTHZ,
  KUBE_PROXY_METRICS,
  KUBELET_HEALTHZ_PORT,
  KUBELET_PORT,
  NODE_IP,
  NODE_NAME,
  NODE_POD_CIDR,
  POD_CIDR,
  POD_GATEWAY,
  RUN_DIR,
  SERVICE_CIDR,
  SUPERNET,
  type NodeDirs,
} from './layout.ts';

export interface RuntimeBinaries {
  runc: string;
  cniBinDir: string;
}

const q = (s: string): string => `'${s.replace(/'/g, "\\'")}'`;

/** containerd's config (version 3): CRI with runc on cgroupfs, our CNI network, the local pause image. */
export function containerdConfig(
  dirs: NodeDirs,
  bins: RuntimeBinaries,
  pauseImage: string,
  streamIdleTimeout?: string,
): string {
  return [
    'version = 3',
    `root = ${q(dirs.containerdRoot)}`,
    `state = ${q(`${RUN_DIR}/containerd`)}`,
    '',
    '[grpc]',
    `  address = ${q(dirs.containerdSocket)}`,
    '[ttrpc]',
    `  address = ${q(`${dirs.containerdSocket}.ttrpc`)}`,
    '',
    "[plugins.'io.containerd.cri.v1.images']",
    "  snapshotter = 'overlayfs'",
    "[plugins.'io.containerd.cri.v1.images'.pinned_images]",
    // No registry is reachable: the sandbox image is imported, and pinned so image GC never removes it.
    `  sandbox = ${q(pauseImage)}`,
    '',
    "[plugins.'io.containerd.cri.v1.runtime']",
    // This machine drops CAP_SYS_RESOURCE from every process, so nobody may lower oom_score_adj below 0
    // (containerd asks -998 for sandboxes and runc fails "can't get final child's PID from pipe").
    // Clamping to containerd's own score is the rootless-mode option, and harmless on a test node.
    '  restrict_oom_score_adj = true',
    "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]",
    "  runtime_type = 'io.containerd.runc.v2'",
    "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]",
    `  BinaryName = ${q(bins.runc)}`,
    // No systemd as PID 1 here: cgroupfs, as kubelet's cgroupDriver.
    '  SystemdCgroup = false',
    "[plugins.'io.containerd.cri.v1.runtime'.cni]",
    `  bin_dirs = [${q(bins.cniBinDir)}]`,
    `  conf_dir = ${q(dirs.cniConfDir)}`,
    '',
    "[plugins.'io.containerd.grpc.v1.cri']",
    // exec, attach and port-forward streams: kubelet proxies them from the API server, on loopback.
    "  stream_server_address = '127.0.0.1'",
    "  stream_server_port = '0'",
    ...(streamIdleTimeout ? [`  stream_idle_timeout = ${q(streamIdleTimeout)}`] : []),
    '',
  ].join('\n');
}

/** The pod network: one bridge, host-local addresses, routes to the node's block only (no way out). */
export function cniConflist(dirs: NodeDirs): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'mcp-realnode',
      plugins: [
        {
          type: 'bridge',
          bridge: BRIDGE,
          isGateway: true,
          isDefaultGateway: false,
          ipMasq: false, // nothing is translated to the machine's address: pod traffic stays here
          hairpinMode: true, // a pod reaches itself through its own Service
          ipam: {
            type: 'host-local',
            dataDir: dirs.cniIpamDir,
            ranges: [[{ subnet: NODE_POD_CIDR, gateway: POD_GATEWAY }]],
            // No default route: a pod can address the node, other pods and Services, nothing else.
            routes: [{ dst: SUPERNET }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

export interface KubeletFiles {
  caCert: string;
  servingCert: string;
  servingKey: string;
}

/**
 * How long an idle exec, attach or port-forward stream lives (a Go duration), for kubelet and containerd
 * alike; unset: their default, 4h. REALNODE_STREAM_IDLE_TIMEOUT sets it (bench/toolhive-node's idle
 * attach: a production node or a load balancer in front of it closes idle streams much sooner).
 */
export function streamIdleTimeout(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.REALNODE_STREAM_IDLE_TIMEOUT?.trim();
  if (!value) return undefined;
  if (!/^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/.test(value))
    throw new Error(`REALNODE_STREAM_IDLE_TIMEOUT must be a Go duration such as 90s or 1m, not "${value}"`);
  return value;
}

/** KubeletConfiguration for this machine: cgroup v1 with cgroupfs, the node IP, no image GC. */
export function kubeletConfig(dirs: NodeDirs, files: KubeletFiles, idleTimeout?: string): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // This machine runs cgroup v1 (hybrid); kubelet 1.35+ refuses it unless told otherwise.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    containerRuntimeEndpoint: `unix://${dirs.containerdSocket}`,
    address: NODE_IP,
    port: KUBELET_PORT,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: KUBELET_HEALTHZ_PORT,
    tlsCertFile: files.servingCert,
    tlsPrivateKeyFile: files.servingKey,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: files.caCert },
    },
    authorization: { mode: 'Webhook' },
    clusterDomain: CLUSTER_DOMAIN,
    clusterDNS: [DNS_SERVICE_IP],
    // The machine's own resolvers are unreachable from pods (nothing routes out): no upstream at all.
    resolvConf: dirs.resolvConf,
    podLogsDir: dirs.podLogs,
    failSwapOn: false,
    cgroupsPerQOS: true,
    enforceNodeAllocatable: ['pods'],
    // Imported images cannot be pulled again: never collect them. Evict only when really short.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%' },
    // A test node's pods come and go quickly: report their status without delay.
    nodeStatusUpdateFrequency: '5s',
    serializeImagePulls: false,
    // kubectl logs, exec and port-forward go through these; the test node's pods are short-lived.
    containerLogMaxSize: '10Mi',
    containerLogMaxFiles: 2,
    ...(idleTimeout ? { streamingConnectionIdleTimeout: idleTimeout } : {}),
  });
}

export function kubeletArgs(dirs: NodeDirs): string[] {
  return [
    `--config=${dirs.kubeletConfig}`,
    `--kubeconfig=${dirs.kubeletKubeconfig}`,
    `--root-dir=${dirs.kubeletRoot}`,
    `--hostname-override=${NODE_NAME}`,
    `--node-ip=${NODE_IP}`,
    '--v=1',
  ];
}

/** kube-proxy in nftables mode (this kernel has no IPVS), leaving the host's conntrack sysctls alone. */
export function kubeProxyConfig(dirs: NodeDirs): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'nftables',
    clientConnection: { kubeconfig: dirs.kubeProxyKubeconfig },
    hostnameOverride: NODE_NAME,
    clusterCIDR: POD_CIDR,
    bindAddress: NODE_IP,
    healthzBindAddress: KUBE_PROXY_HEALTHZ,
    metricsBindAddress: KUBE_PROXY_METRICS,
    nodePortAddresses: [`${NODE_IP}/32`],
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  });
}

export function kubeProxyArgs(dirs: NodeDirs): string[] {
  return [`--config=${dirs.kubeProxyConfig}`, '--v=1'];
}

/** kube-router as a NetworkPolicy enforcer only (iptables and ipset): no routing, no service proxy. */
export function kubeRouterArgs(dirs: NodeDirs): string[] {
  return [
    '--run-firewall=true',
    '--run-router=false',
    '--run-service-proxy=false',
    '--enable-pod-egress=false',
    `--kubeconfig=${dirs.kubeRouterKubeconfig}`,
    `--hostname-override=${NODE_NAME}`,
    '--health-port=0',
    '--metrics-port=0',
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--v=1',
  ];
}

/** Our own guard: whatever comes from the pod bridge and is not for the node's block is dropped. */
export function guardRuleset(table: string): string {
  return [
    `table inet ${table} {`,
    '  chain forward {',
    '    type filter hook forward priority filter - 10; policy accept;',
    `    iifname "${BRIDGE}" ip daddr != ${SUPERNET} counter drop`,
    `    iifname "${BRIDGE}" meta nfproto ipv6 counter drop`,
    '  }',
    '}',
    '',
  ].join('\n');
}
