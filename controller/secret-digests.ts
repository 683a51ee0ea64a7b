// The Secrets an MCPServer references, read when it is reconciled and reduced at once to what the
// rollout trigger needs: per key, HMAC-SHA256 of its value under the operator's rollout key
// (rollout-key.ts). The values themselves are dropped as soon as they are digested; what is kept is
// key names and those digests, which reveal nothing without the key (see desired/secrets-hash.ts for
// why an HMAC and not the Secrets' resourceVersions).
// The informer cache holds the Secrets' metadata only (informers.ts); its resourceVersion says whether
// the digests read last time are still current, so a steady state reads no Secret at all, and a
// rotation costs one GET per Secret, however many servers reference it (concurrent reconciles of the
// same version share the read).
import { createHmac } from 'node:crypto';
import { isDict, str, type Dict } from './desired/types.ts';
import { ApiError } from './io.ts';
import type { ApiRequester } from './rollout-key.ts';
import { resourcePath } from './resources.ts';

/** Key name -> hex HMAC-SHA256 of its (base64, as served) value. */
export type KeyDigests = Record<string, string>;

/** The digests of every key of a Secret's data. Pure. */
export function digestData(key: Buffer, data: unknown): KeyDigests {
  if (!isDict(data)) return {};
  return Object.fromEntries(
    Object.entries(data).map(([name, value]) => [
      name,
      createHmac('sha256', key).update(str(value)).digest('hex'),
    ]),
  );
}

interface Memo {
  resourceVersion: string;
  digests: KeyDigests;
}

export class SecretDigests {
  readonly #client: ApiRequester;
  readonly #rolloutKey: () => Promise<Buffer>;
  readonly #memo = new Map<string, Memo>();
  readonly #reading = new Map<string, Promise<KeyDigests | undefined>>();

  constructor(deps: { client: ApiRequester; rolloutKey: () => Promise<Buffer> }) {
    this.#client = deps.client;
    this.#rolloutKey = deps.rolloutKey;
  }

  /**
   * The digests of Secret namespace/name as of `resourceVersion` (the cache's) or later; undefined when
   * the API server has no such Secret. Throws what the read throws (the reconcile is retried).
   */
  of(namespace: string, name: string, resourceVersion: string): Promise<KeyDigests | undefined> {
    const id = `${namespace}/${name}`;
    const memo = this.#memo.get(id);
    if (memo && memo.resourceVersion === resourceVersion) return Promise.resolve(memo.digests);
    // Keyed by version too: a read begun before this version was seen may return the one before.
    const readId = `${id}@${resourceVersion}`;
    let reading = this.#reading.get(readId);
    if (!reading) {
      reading = this.#read(namespace, name).finally(() => this.#reading.delete(readId));
      this.#reading.set(readId, reading);
    }
    return reading;
  }

  /** Drops what is remembered of a Secret that is gone. */
  forget(namespace: string, name: string): void {
    this.#memo.delete(`${namespace}/${name}`);
  }

  async #read(namespace: string, name: string): Promise<KeyDigests | undefined> {
    const key = await this.#rolloutKey();
    let secret: Dict;
    try {
      secret = await this.#client.request<Dict>({
        method: 'GET',
        path: resourcePath('Secret', namespace, name),
      });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
      this.forget(namespace, name);
      return undefined;
    }
    const digests = digestData(key, secret.data);
    const metadata = isDict(secret.metadata) ? secret.metadata : {};
    this.#memo.set(`${namespace}/${name}`, { resourceVersion: str(metadata.resourceVersion), digests });
    return digests;
  }
}
