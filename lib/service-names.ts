// The DNS names a Service answers to in the cluster: the webhook's serving certificate must carry each,
// and the proxy accepts each as a Host (DNS rebinding protection).

/** The names a Service answers to inside the cluster, short to fully qualified. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}
