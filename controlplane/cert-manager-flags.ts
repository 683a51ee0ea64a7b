// Command lines for cert-manager v1.11's controller and cainjector running out of cluster against a local
// control plane (pure). Flag names are those of cert-manager v1.11.5 (cmd/controller/app/options and
// cmd/cainjector/app/start.go); a flag they do not know makes them exit at start, which the integration
// test would show.

export interface CertManagerFlagsInput {
  /** Admin kubeconfig of the control plane; the processes run out of cluster, as that user. */
  kubeconfig: string;
  /** Holds both leader-election Leases and, for ClusterIssuers, their Secrets. */
  namespace: string;
  /** The controller's Prometheus endpoint, on 127.0.0.1 (its default, 0.0.0.0:9402, would clash). */
  metricsPort: number;
}

// cert-manager's leader-election defaults (60 s lease, 15 s retry) make a successor wait up to a minute when
// a predecessor died without releasing its Lease; a local cluster has no network partitions to ride out.
const leaderElection = (namespace: string): string[] => [
  '--leader-elect=true',
  `--leader-election-namespace=${namespace}`,
  '--leader-election-lease-duration=15s',
  '--leader-election-renew-deadline=10s',
  '--leader-election-retry-period=2s',
];

export function certManagerControllerArgs(input: CertManagerFlagsInput): string[] {
  return [
    `--kubeconfig=${input.kubeconfig}`,
    ...leaderElection(input.namespace),
    `--cluster-resource-namespace=${input.namespace}`,
    `--metrics-listen-address=127.0.0.1:${input.metricsPort}`,
  ];
}

// cainjector v1.11 serves no metrics (it sets controller-runtime's bind address to "0") and no health port.
export function certManagerCainjectorArgs(input: Omit<CertManagerFlagsInput, 'metricsPort'>): string[] {
  return [`--kubeconfig=${input.kubeconfig}`, ...leaderElection(input.namespace)];
}
