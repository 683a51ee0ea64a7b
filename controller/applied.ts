// What the controller remembers of each child it applied, and the pure decisions made from it (see
// cluster-io.ts's header): whether a cached child can differ from what we applied last, the body a
// server-side apply may carry, and the API server's answers that need a second try.
import { createHash } from 'node:crypto';
import { ApiError } from './io.ts';
import { isDict, type ChildObject, type Dict } from './desired/types.ts';

export interface Applied {
  hash: string;
  resourceVersion: string;
  uid: string;
  /** metadata.generation after the apply; undefined for kinds that have none (ConfigMap, Service...). */
  generation: number | undefined;
  /** A hash of the labels, annotations and owner references after the apply. */
  metadataHash: string;
}

export const meta = (o: Dict | undefined): Dict => (o && isDict(o.metadata) ? o.metadata : {});
export const sha256 = (value: unknown): string =>
  createHash('sha256').update(JSON.stringify(value)).digest('hex');
const pick = (map: unknown, keys: unknown): Dict => {
  const from = isDict(map) ? map : {};
  return isDict(keys) ? Object.fromEntries(Object.keys(keys).map((k) => [k, from[k]])) : {};
};
/**
 * The labels and annotations we apply (others' keys are not ours: the Deployment controller's
 * revision annotation, say) and the owner references, as they are in `m`.
 */
const metadataHash = (m: Dict, body: Dict): string =>
  sha256([pick(m.labels, meta(body).labels), pick(m.annotations, meta(body).annotations), m.ownerReferences]);

export function appliedFrom(hash: string, body: Dict, answer: Dict): Applied {
  const m = meta(answer);
  return {
    hash,
    resourceVersion: String(m.resourceVersion),
    uid: String(m.uid),
    generation: typeof m.generation === 'number' ? m.generation : undefined,
    metadataHash: metadataHash(m, body),
  };
}

/**
 * Whether `live` can differ from `body` as we applied it last (see the header: status-only
 * changes cannot). Only meaningful when `body` hashes to last.hash.
 */
export function mayHaveDrifted(live: Dict, body: Dict, last: Applied): boolean {
  const m = meta(live);
  if (m.resourceVersion === last.resourceVersion) return false;
  if (last.generation === undefined || m.generation !== last.generation) return true;
  return m.uid !== last.uid || metadataHash(m, body) !== last.metadataHash;
}

/** Server-side apply bodies must never carry what the server owns; a last line of defence. */
export function applyBody(object: ChildObject): Dict {
  const body: Dict = { ...object, metadata: { ...object.metadata } };
  delete body.status;
  for (const key of ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation']) {
    delete (body.metadata as Dict)[key];
  }
  return body;
}

/**
 * Whether the API server refused an apply because a Service would go between having a ClusterIP and
 * being headless: it keeps spec.clusterIP once set. Such a Service is deleted and applied again; it
 * happens once, to an `mcp-<name>` made when that Service still had a ClusterIP.
 */
export const isClusterIPChange = (kind: string, err: unknown): boolean =>
  kind === 'Service' &&
  err instanceof ApiError &&
  err.code === 422 &&
  /spec\.clusterIPs?\b/.test(err.message);

/** A resourceVersion no object has (the largest int64): an apply carrying it only ever creates. */
export const CREATE_ONLY_VERSION = '9223372036854775807';
