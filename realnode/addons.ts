// What a cluster runs on top of its node (pure): cluster DNS (CoreDNS), the Metrics API (metrics-server),
// the NetworkPolicy enforcer's RBAC, and PersistentVolumes for claims to bind to. Each is applied by
// realnode/node.ts with `kubectl apply --server-side`.
import { stringify } from 'yaml';
import { CLUSTER_DOMAIN, DNS_SERVICE_IP } from './layout.ts';

type Obj = Record<string, unknown>;

export interface AddonImages {
  coredns: string;
  metricsServer: string;
}

/** A restricted-profile container: non-root, no privilege escalation, no capabilities, read-only root. */
const restricted = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 65532,
  seccompProfile: { type: 'RuntimeDefault' },
};

function clusterRole(name: string, rules: Obj[]): Obj {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules };
}

function clusterRoleBinding(name: string, role: string, subject: Obj): Obj {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [subject],
  };
}

const sa = (name: string): Obj => ({ kind: 'ServiceAccount', name, namespace: 'kube-system' });

/** kube-router's ClusterRole, as its own daemonset manifests have it (firewall only needs the reads). */
export function kubeRouterRbac(): Obj[] {
  return [
    clusterRole('mcp-realnode:kube-router', [
      {
        apiGroups: [''],
        resources: ['namespaces', 'pods', 'services', 'nodes', 'endpoints'],
        verbs: ['get', 'list', 'watch'],
      },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
    ]),
    clusterRoleBinding('mcp-realnode:kube-router', 'mcp-realnode:kube-router', {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'User',
      name: 'system:kube-router',
    }),
  ];
}

/**
 * CoreDNS as kubeadm runs it (Deployment `coredns`, Service `kube-dns`), answering for the cluster
 * domain only: there is no upstream to forward to. It listens on 1053 in the pod so that it needs no
 * capability; the Service maps 53 to it.
 */
export function coreDns(image: string): Obj[] {
  const labels = { 'k8s-app': 'kube-dns' };
  const corefile = [
    '.:1053 {',
    '    errors',
    '    health :8080',
    '    ready :8181',
    `    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {`,
    '        pods insecure',
    '        fallthrough in-addr.arpa ip6.arpa',
    '        ttl 30',
    '    }',
    '    cache 30',
    '    reload',
    '}',
    '',
  ].join('\n');
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'coredns', namespace: 'kube-system' } },
    clusterRole('system:coredns', [
      {
        apiGroups: [''],
        resources: ['endpoints', 'services', 'pods', 'namespaces'],
        verbs: ['list', 'watch'],
      },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ]),
    clusterRoleBinding('system:coredns', 'system:coredns', sa('coredns')),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'coredns', namespace: 'kube-system' },
      data: { Corefile: corefile },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: 'kube-system', labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'coredns',
            priorityClassName: 'system-cluster-critical',
            dnsPolicy: 'Default',
            containers: [
              {
                name: 'coredns',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: ['-conf', '/etc/coredns/Corefile'],
                ports: [
                  { name: 'dns', containerPort: 1053, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: 1053, protocol: 'TCP' },
                ],
                volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
                livenessProbe: { httpGet: { path: '/health', port: 8080 }, periodSeconds: 10 },
                readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
                resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
                securityContext: restricted,
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: 'kube-system', labels },
      spec: {
        clusterIP: DNS_SERVICE_IP,
        selector: labels,
        ports: [
          { name: 'dns', port: 53, targetPort: 1053, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, targetPort: 1053, protocol: 'TCP' },
        ],
      },
    },
  ];
}

/**
 * metrics-server, as its own components.yaml has it, so that `kubectl top` works: it scrapes kubelet
 * over HTTPS with the cluster CA (from the kube-root-ca.crt ConfigMap every namespace gets) instead of
 * skipping verification, and serves the Metrics API through the API server's aggregation layer.
 */
export function metricsServer(image: string): Obj[] {
  const labels = { 'k8s-app': 'metrics-server' };
  const name = 'metrics-server';
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'kube-system' } },
    clusterRole('system:metrics-server', [
      { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
    ]),
    clusterRoleBinding('system:metrics-server', 'system:metrics-server', sa(name)),
    clusterRoleBinding('metrics-server:system:auth-delegator', 'system:auth-delegator', sa(name)),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'metrics-server-auth-reader', namespace: 'kube-system' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'extension-apiserver-authentication-reader',
      },
      subjects: [sa(name)],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'kube-system', labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            priorityClassName: 'system-cluster-critical',
            containers: [
              {
                name,
                image,
                imagePullPolicy: 'IfNotPresent',
                args: [
                  '--cert-dir=/tmp',
                  '--secure-port=10250',
                  '--kubelet-preferred-address-types=InternalIP',
                  '--kubelet-certificate-authority=/ca/ca.crt',
                  '--kubelet-use-node-status-port',
                  // Upstream's default; it must exceed the kubelet request timeout (10 s).
                  '--metric-resolution=15s',
                ],
                ports: [{ name: 'https', containerPort: 10250, protocol: 'TCP' }],
                readinessProbe: {
                  httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' },
                  periodSeconds: 2,
                },
                resources: { requests: { cpu: '10m', memory: '48Mi' }, limits: { memory: '200Mi' } },
                securityContext: restricted,
                volumeMounts: [
                  { name: 'tmp', mountPath: '/tmp' },
                  { name: 'ca', mountPath: '/ca', readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: 'tmp', emptyDir: {} },
              { name: 'ca', configMap: { name: 'kube-root-ca.crt' } },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'kube-system', labels },
      spec: { selector: labels, ports: [{ name: 'https', port: 443, targetPort: 'https' }] },
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.metrics.k8s.io', labels },
      spec: {
        service: { name, namespace: 'kube-system' },
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        // metrics-server serves a self-signed certificate made at start, as upstream deploys it.
        insecureSkipTLSVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    },
  ];
}

/**
 * hostPath PersistentVolumes under the node's folder, without a StorageClass: a claim that names no
 * class (and there is no default class) binds to one of them, as the seed guide's claim does.
 */
export function persistentVolumes(volumesDir: string, count: number): Obj[] {
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `mcp-realnode-pv-${i}`, labels: { 'mcp-realnode/volume': 'true' } },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: '',
      hostPath: { path: `${volumesDir}/pv-${i}`, type: 'DirectoryOrCreate' },
    },
  }));
}

export function toYaml(objects: Obj[]): string {
  return objects.map((o) => `---\n${stringify(o)}`).join('');
}
