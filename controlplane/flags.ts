// Command lines for each control-plane process (pure). Everything listens on 127.0.0.1 only: the
// machine allows no other traffic, and KWOK's debugging server would let anyone run commands.
export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
}

/** Files inside the cluster's state folder that the flags point at. */
export interface Files {
  etcdData: string;
  caCert: string;
  caKey: string;
  apiserverCert: string;
  apiserverKey: string;
  adminCert: string;
  adminKey: string;
  saKey: string;
  saPub: string;
  adminKubeconfig: string;
  controllerManagerKubeconfig: string;
  schedulerKubeconfig: string;
  kwokConfig: string;
}

export function etcdArgs(ports: Ports, files: Files): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    '--name=node0',
    `--data-dir=${files.etcdData}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`, // set both, or the default advertise URL is cleared
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=node0=${peer}`,
    '--auto-compaction-retention=1',
    '--quota-backend-bytes=4294967296',
    // Throw-away data: skipping fsync makes writes (and so every test) several times faster.
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

export function apiserverArgs(ports: Ports, files: Files): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${ports.apiserver}`,
    `--tls-cert-file=${files.apiserverCert}`,
    `--tls-private-key-file=${files.apiserverKey}`,
    `--client-ca-file=${files.caCert}`,
    `--service-account-key-file=${files.saPub}`,
    `--service-account-signing-key-file=${files.saKey}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    '--authorization-mode=Node,RBAC',
    '--service-cluster-ip-range=10.96.0.0/16',
    '--allow-privileged=true',
    // The API server reaches KWOK's kubelet endpoint (logs, exec) with the admin identity.
    `--kubelet-client-certificate=${files.adminCert}`,
    `--kubelet-client-key=${files.adminKey}`,
    // The `kubernetes` Service cannot point at a loopback address, so no endpoint reconciling.
    '--endpoint-reconciler-type=none',
    // Webhooks (and aggregated APIs) behind a Service are dialled at an endpoint's IP and target port, as
    // on clusters without kube-proxy on the control plane; here there is no kube-proxy at all, so a
    // Service's ClusterIP leads nowhere. The Helm e2e test routes the pod network to this host.
    '--enable-aggregator-routing=true',
    '--profiling=false',
    '--v=1',
  ];
}

/**
 * Client rate limits of kube-controller-manager and kube-scheduler. Their defaults (20/30 and 50/100
 * requests/s) are for a shared production API server; with them, creating 1,000 MCPServers at once
 * left Pods up to minutes behind their Deployments in bench/controller (the ReplicaSet controller
 * alone writes two Pods, a status and Events per MCPServer through one 20/s limiter). The local
 * control plane serves only these processes and the tests, so they may ask as fast as it answers.
 */
export const CLIENT_RATE_FLAGS = ['--kube-api-qps=500', '--kube-api-burst=1000'];

export function controllerManagerArgs(ports: Ports, files: Files): string[] {
  return [
    `--kubeconfig=${files.controllerManagerKubeconfig}`,
    `--authentication-kubeconfig=${files.controllerManagerKubeconfig}`,
    `--authorization-kubeconfig=${files.controllerManagerKubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.controllerManager}`,
    '--leader-elect=false',
    `--service-account-private-key-file=${files.saKey}`,
    `--root-ca-file=${files.caCert}`,
    // Each controller acts as its own ServiceAccount, so RBAC applies to them as in a real cluster.
    '--use-service-account-credentials=true',
    `--cluster-signing-cert-file=${files.caCert}`,
    `--cluster-signing-key-file=${files.caKey}`,
    ...CLIENT_RATE_FLAGS,
    '--profiling=false',
    '--v=1',
  ];
}

export function schedulerArgs(ports: Ports, files: Files): string[] {
  return [
    `--kubeconfig=${files.schedulerKubeconfig}`,
    `--authentication-kubeconfig=${files.schedulerKubeconfig}`,
    `--authorization-kubeconfig=${files.schedulerKubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.scheduler}`,
    '--leader-elect=false',
    ...CLIENT_RATE_FLAGS,
    '--profiling=false',
    '--v=1',
  ];
}

export function kwokArgs(ports: Ports, files: Files): string[] {
  return [
    `--kubeconfig=${files.adminKubeconfig}`,
    `--config=${files.kwokConfig}`,
    '--manage-all-nodes=false',
    '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
    // Node addresses on loopback: the API server dials the node for logs and exec.
    '--node-ip=127.0.0.1',
    `--node-port=${ports.kwok}`,
    `--server-address=127.0.0.1:${ports.kwok}`,
    `--tls-cert-file=${files.apiserverCert}`,
    `--tls-private-key-file=${files.apiserverKey}`,
    '--node-lease-duration-seconds=40',
    '--cidr=10.244.0.1/16',
  ];
}
