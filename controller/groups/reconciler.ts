// Keeps every MCPGroup's status current: the edge around status.ts. Woken by the manager's cache events
// (manager.ts): a group added or changed is looked at again; any MCPServer event looks again at every
// group of its namespace, which covers a groupRef moved from one group to another and a deleted server
// without remembering what each server named before. Groups are few per namespace, and a group whose
// status would not change costs no request. One worker, its own queue: group writes never wait behind
// MCPServer reconciles, nor these behind them. Errors are retried with the queue's backoff.
import type { Logger } from '../../lib/log.ts';
import type { MCPGroup } from '../../schemas/generated/mcpgroup.ts';
import type { Dict } from '../desired/types.ts';
import { isDict, str } from '../desired/types.ts';
import type { CacheEvent } from '../informers.ts';
import { ApiError, keyString } from '../io.ts';
import type { KubeRequest } from '../../lib/kube/client.ts';
import { WorkQueue } from '../queue.ts';
import { resourcePath, type KnownKind } from '../resources.ts';
import { desiredGroupStatus, groupStatusDiffers } from './status.ts';

export interface GroupStatusDeps {
  /** The informer caches (informers.ts Caches). */
  caches: {
    get(kind: KnownKind, namespace: string, name: string): Dict | undefined;
    list(kind: KnownKind, namespace?: string): Dict[];
  };
  client: { request<T>(req: KubeRequest): Promise<T> };
  log: Logger;
  now?: () => Date;
}

const meta = (o: Dict): Dict => (isDict(o.metadata) ? o.metadata : {});
const keyOf = (o: Dict): string => keyString({ namespace: str(meta(o).namespace), name: str(meta(o).name) });

export class GroupStatusReconciler {
  readonly #deps: GroupStatusDeps;
  readonly #queue = new WorkQueue();
  #worker: Promise<void> | undefined;

  constructor(deps: GroupStatusDeps) {
    this.#deps = deps;
  }

  /** A cache event: which groups to look at again. */
  onEvent(kind: KnownKind, event: CacheEvent, object: Dict): void {
    if (kind === 'MCPGroup' && event !== 'delete') this.#queue.add(keyOf(object));
    if (kind !== 'MCPServer') return;
    for (const group of this.#deps.caches.list('MCPGroup', str(meta(object).namespace)))
      this.#queue.add(keyOf(group));
  }

  /** Starts the worker once the caches are synced, and looks at every group once. */
  start(): void {
    for (const group of this.#deps.caches.list('MCPGroup')) this.#queue.add(keyOf(group));
    this.#worker ??= this.#work();
  }

  async stop(): Promise<void> {
    this.#queue.shutDown();
    await this.#worker;
  }

  async #work(): Promise<void> {
    for (let key = await this.#queue.get(); key !== undefined; key = await this.#queue.get()) {
      try {
        await this.#reconcile(key);
        this.#queue.forget(key);
      } catch (err) {
        const delayMs = this.#queue.addRateLimited(key);
        this.#deps.log.warn({ err, mcpgroup: key, delayMs }, 'Failed to update MCPGroup status, retrying');
      } finally {
        this.#queue.done(key);
      }
    }
  }

  async #reconcile(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const [namespace, name] = [key.slice(0, slash), key.slice(slash + 1)];
    const group = this.#deps.caches.get('MCPGroup', namespace, name) as MCPGroup | undefined;
    if (!group) return;
    const servers = this.#deps.caches.list('MCPServer', namespace);
    const status = desiredGroupStatus(group, servers, (this.#deps.now ?? (() => new Date()))());
    if (!groupStatusDiffers(group.status, status)) return;
    try {
      await this.#deps.client.request({
        method: 'PATCH',
        path: resourcePath('MCPGroup', namespace, name, 'status'),
        contentType: 'application/merge-patch+json',
        body: { status },
      });
      this.#deps.log.info({ mcpgroup: key, servers: status.serverCount }, 'Updated MCPGroup status');
    } catch (err) {
      // Deleted since the cache saw it: nothing to write.
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }
}
