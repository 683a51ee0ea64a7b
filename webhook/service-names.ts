// The DNS names of the webhook Service: the serving certificate must carry each, in every mode.

/** The names a Service answers to inside the cluster, short to fully qualified. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}
