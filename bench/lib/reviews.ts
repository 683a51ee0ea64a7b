// The AdmissionReviews the bench sends: a seed example as `kubectl apply` would send it for CREATE (the
// manifest with kubectl's last-applied-configuration annotation), wrapped as the API server wraps it. The
// body is serialized once; each request only splices in its own uid, so the load generator spends its
// CPU on HTTP, not on JSON.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const SEED_DIR = path.join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'seed-examples');
export const DEFAULT_SEED = 'mcpserver-custom-pod.yaml';

const UID_PLACEHOLDER = '00000000-0000-4000-8000-000000000000';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec: unknown;
}

export interface ReviewTemplate {
  seed: string;
  bytes: number;
  /** The body for one request; uids are unique per template while n < 10^12. */
  body(n: number): { uid: string; body: string };
}

function admissionReview(manifest: Manifest): unknown {
  const [group, version] = manifest.apiVersion.split('/');
  const lastApplied = `${JSON.stringify(manifest)}\n`;
  const object = {
    ...manifest,
    metadata: {
      ...manifest.metadata,
      annotations: {
        ...manifest.metadata.annotations,
        'kubectl.kubernetes.io/last-applied-configuration': lastApplied,
      },
    },
  };
  const kind = { group, version, kind: manifest.kind };
  const resource = { group, version, resource: 'mcpservers' };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: UID_PLACEHOLDER,
      kind,
      resource,
      requestKind: kind,
      requestResource: resource,
      name: manifest.metadata.name,
      namespace: manifest.metadata.namespace ?? 'default',
      operation: 'CREATE',
      userInfo: { username: 'kubernetes-admin', groups: ['kubeadm:cluster-admins', 'system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
      options: {
        kind: 'CreateOptions',
        apiVersion: 'meta.k8s.io/v1',
        fieldManager: 'kubectl-client-side-apply',
      },
    },
  };
}

export function reviewTemplate(seed: string = DEFAULT_SEED): ReviewTemplate {
  const manifest = parse(readFileSync(path.join(SEED_DIR, seed), 'utf8')) as Manifest;
  const text = JSON.stringify(admissionReview(manifest));
  const at = text.indexOf(UID_PLACEHOLDER);
  const [head, tail] = [text.slice(0, at), text.slice(at + UID_PLACEHOLDER.length)];
  return {
    seed,
    bytes: Buffer.byteLength(text),
    body(n) {
      const uid = `${UID_PLACEHOLDER.slice(0, 24)}${n.toString(16).padStart(12, '0')}`;
      return { uid, body: head + uid + tail };
    },
  };
}
