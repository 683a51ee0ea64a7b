// The operator's rollout key: 32 random bytes that only the operator holds, the HMAC key of the Secret
// digests that roll an MCP server when a Secret it reads changes (secret-digests.ts,
// desired/secrets-hash.ts). It lives in a Secret in the operator's own namespace, made by the first
// controller that needs it and read by every later one, so a restart (or another replica) keeps the
// same key and rolls nothing. Deleting that Secret makes a new key at the next start: every server that
// reads a Secret then rolls once. The Secret is immutable, so a key is never half-replaced.
// The chart's Lease (runtime-state.yaml, removed by `helm uninstall`) becomes the Secret's owner when it
// exists, so the garbage collector removes the key with the release instead of leaving it behind.
// Loaded lazily, by the first reconcile of a server that references a Secret, and remembered; a failed
// load is tried again by the next such reconcile (the queue's backoff paces it).
import { randomBytes } from 'node:crypto';
import { isDict, str, type Dict } from './desired/types.ts';
import { ApiError } from './io.ts';
import type { KubeClient } from '../lib/kube/client.ts';

/** The part of KubeClient used here (tests pass a fake). */
export type ApiRequester = Pick<KubeClient, 'request'>;
import { resourcePath } from './resources.ts';

export const ROLLOUT_KEY_SECRET = 'mcp-operator-rollout-key';
/** The leader-election Lease the chart makes (runtime-state.yaml). */
const LEASE_NAME = 'mcp-operator-controller';
const KEY_FIELD = 'key';
const KEY_BYTES = 32;

/** The Secret a new key is stored in. */
export function rolloutKeySecret(namespace: string, key: Buffer): Dict {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: ROLLOUT_KEY_SECRET,
      namespace,
      labels: { 'app.kubernetes.io/name': 'mcp-operator', 'app.kubernetes.io/component': 'rollout-key' },
    },
    type: 'Opaque',
    immutable: true,
    data: { [KEY_FIELD]: key.toString('base64') },
  };
}

/** The key in a rollout-key Secret; throws when it holds none (a Secret someone else made, say). */
export function keyOf(secret: Dict): Buffer {
  const data = isDict(secret.data) ? secret.data : {};
  const key = Buffer.from(str(data[KEY_FIELD]), 'base64');
  if (key.length < KEY_BYTES) {
    throw new Error(
      `Secret ${ROLLOUT_KEY_SECRET} holds no rollout key (data.${KEY_FIELD}, ${KEY_BYTES} bytes or more): delete it and the controller makes a new one`,
    );
  }
  return key;
}

const isCode = (err: unknown, code: number): boolean => err instanceof ApiError && err.code === code;

/** The owner reference to the release's Lease, or none when it cannot be read. */
async function leaseOwner(client: ApiRequester, namespace: string): Promise<Dict[]> {
  try {
    const lease = await client.request<Dict>({
      method: 'GET',
      path: resourcePath('Lease', namespace, LEASE_NAME),
    });
    const uid = str((isDict(lease.metadata) ? lease.metadata : {}).uid);
    return uid ? [{ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name: LEASE_NAME, uid }] : [];
  } catch {
    return [];
  }
}

/** Reads the rollout key in `namespace`, creating it first if there is none. */
export async function getOrCreateRolloutKey(client: ApiRequester, namespace: string): Promise<Buffer> {
  const path = resourcePath('Secret', namespace, ROLLOUT_KEY_SECRET);
  // Twice at most: a create that loses the race to another replica reads the winner's key.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return keyOf(await client.request<Dict>({ method: 'GET', path }));
    } catch (err) {
      if (!isCode(err, 404)) throw err;
    }
    try {
      const body = rolloutKeySecret(namespace, randomBytes(KEY_BYTES));
      const owners = await leaseOwner(client, namespace);
      if (owners.length > 0) (body.metadata as Dict).ownerReferences = owners;
      return keyOf(
        await client.request<Dict>({ method: 'POST', path: resourcePath('Secret', namespace), body }),
      );
    } catch (err) {
      if (!isCode(err, 409)) throw err;
    }
  }
  throw new Error(`Secret ${namespace}/${ROLLOUT_KEY_SECRET} neither readable nor creatable`);
}

/** A loader that asks the API server once, and again only after a failure. */
export function lazyRolloutKey(client: ApiRequester, namespace: string): () => Promise<Buffer> {
  let loading: Promise<Buffer> | undefined;
  return () => {
    loading ??= getOrCreateRolloutKey(client, namespace).catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading;
  };
}
