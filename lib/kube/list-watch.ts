// One informer: lists a resource (in pages), then watches it from the list's resourceVersion, keeping
// a local copy of every object and telling a handler about each change, as client-go's reflector does.
// - A watch that ends (the server's timeoutSeconds, a dropped connection) resumes from the last
//   resourceVersion seen; bookmarks keep that version current while nothing we watch changes, so a
//   resume rarely needs a relist.
// - 410 Gone (the version was compacted away) relists; a relist reports what changed meanwhile:
//   adds, updates, and deletes of what is no longer there.
// - Any other failure waits (doubling up to 30 s) and tries again, relisting.
// Objects pass through `transform` before they are stored (see cache-transform.ts), so the copy holds
// only what the controller reads. With `metadataOnly`, the API server itself sends only metadata
// (PartialObjectMetadata, as client-go's metadata informers ask for it): the rest of each object never
// reaches this process at all. The Secrets informer is one (issue 14: the controller holds no Secret
// data).
// An `optional` resource is one whose CRD may not be installed (MCPOIDCConfig, MCPAuthzConfig on a
// cluster that has only the MCPServer CRD): a 404 counts as synced and empty, and the informer keeps
// trying, so the controller starts and picks the kind up once its CRD appears.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.ts';
import { isDict, str, type Dict } from '../dict.ts';
import { ApiError } from './api-error.ts';
import type { KubeClient } from './client.ts';

export type CacheEvent = 'add' | 'update' | 'delete';

export interface ListWatchOptions {
  client: KubeClient;
  /** The collection's path, e.g. /api/v1/namespaces/a/pods. */
  path: string;
  labelSelector?: string;
  /** e.g. metadata.name=kubernetes: RBAC can then grant list and watch by resourceNames. */
  fieldSelector?: string;
  transform: (object: Dict) => Dict;
  onEvent: (event: CacheEvent, object: Dict) => void;
  log: Logger;
  /** Items per list page. */
  pageSize?: number;
  /** Ask for metadata only (kind PartialObjectMetadata); the objects have no spec, data or status. */
  metadataOnly?: boolean;
  /** A 404 (no such resource: its CRD is not installed) counts as an empty, synced list. */
  optional?: boolean;
  /** An optional resource's list found it served (true) or not (false), where that changed. */
  onServedChange?: (served: boolean) => void;
}

const LIST_PAGE_SIZE = 500;
/** Content negotiation for metadata only, falling back to full JSON for a server that cannot. */
export const METADATA_LIST_ACCEPT =
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
export const METADATA_WATCH_ACCEPT =
  'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';
const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;

const meta = (o: Dict): Dict => (isDict(o.metadata) ? o.metadata : {});
export const objectKey = (o: Dict): string => `${str(meta(o).namespace)}/${str(meta(o).name)}`;

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Dict;
}

/** Whether the watch can resume at its resourceVersion (false: relist). */
const isGone = (err: unknown): boolean => err instanceof ApiError && err.code === 410;

export class ListWatch {
  readonly #o: ListWatchOptions;
  readonly #store = new Map<string, Dict>();
  readonly #abort = new AbortController();
  #resourceVersion = '';
  #served: boolean | undefined;
  #synced!: Promise<void>;
  #running: Promise<void> | undefined;

  constructor(options: ListWatchOptions) {
    this.#o = options;
  }

  /** Starts listing and watching; resolves once the first list is in the store. */
  start(): Promise<void> {
    let markSynced!: () => void;
    this.#synced = new Promise((resolve) => (markSynced = resolve));
    this.#running = this.#run(markSynced);
    return this.#synced;
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  get(namespace: string, name: string): Dict | undefined {
    return this.#store.get(`${namespace}/${name}`);
  }

  /** Whether the resource was served at the last list; undefined before the first. */
  served(): boolean | undefined {
    return this.#served;
  }

  #setServed(served: boolean): void {
    if (this.#served === served) return;
    this.#served = served;
    this.#o.onServedChange?.(served);
  }

  values(): IterableIterator<Dict> {
    return this.#store.values();
  }

  async #run(markSynced: () => void): Promise<void> {
    let backoffMs = MIN_BACKOFF_MS;
    let mustList = true;
    while (!this.#abort.signal.aborted) {
      try {
        if (mustList) {
          await this.#list();
          this.#setServed(true);
          markSynced();
          mustList = false;
        }
        await this.#watch();
        backoffMs = MIN_BACKOFF_MS; // a watch that ran to its end is a success
      } catch (err) {
        if (this.#abort.signal.aborted) return;
        mustList = true;
        if (isGone(err)) continue; // expected after compaction: relist at once
        const absent = this.#o.optional === true && err instanceof ApiError && err.code === 404;
        if (absent) {
          this.#setServed(false);
          markSynced();
        }
        const level = absent ? 'debug' : 'warn';
        this.#o.log[level]({ err, path: this.#o.path, delayMs: backoffMs }, 'List or watch failed, retrying');
        await sleep(backoffMs, undefined, { signal: this.#abort.signal }).catch(() => undefined);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }

  async #list(): Promise<void> {
    const seen = new Set<string>();
    let continueToken: string | undefined;
    do {
      const page = await this.#o.client.request<{ metadata?: Dict; items?: Dict[] }>({
        method: 'GET',
        path: this.#o.path,
        accept: this.#o.metadataOnly ? METADATA_LIST_ACCEPT : undefined,
        query: {
          labelSelector: this.#o.labelSelector,
          fieldSelector: this.#o.fieldSelector,
          limit: String(this.#o.pageSize ?? LIST_PAGE_SIZE),
          continue: continueToken,
        },
      });
      for (const item of page.items ?? []) {
        const key = objectKey(item);
        seen.add(key);
        this.#put(key, this.#o.transform(item));
      }
      continueToken = str(page.metadata?.continue) || undefined;
      this.#resourceVersion = str(page.metadata?.resourceVersion);
    } while (continueToken);
    for (const [key, gone] of [...this.#store]) {
      if (seen.has(key)) continue;
      this.#store.delete(key);
      this.#o.onEvent('delete', gone);
    }
  }

  #put(key: string, object: Dict): void {
    const before = this.#store.get(key);
    if (before && meta(before).resourceVersion === meta(object).resourceVersion) return;
    this.#store.set(key, object);
    this.#o.onEvent(before ? 'update' : 'add', object);
  }

  async #watch(): Promise<void> {
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300); // spread reconnects, as client-go
    await this.#o.client.stream(
      {
        method: 'GET',
        path: this.#o.path,
        accept: this.#o.metadataOnly ? METADATA_WATCH_ACCEPT : undefined,
        query: {
          watch: 'true',
          labelSelector: this.#o.labelSelector,
          fieldSelector: this.#o.fieldSelector,
          resourceVersion: this.#resourceVersion,
          allowWatchBookmarks: 'true',
          timeoutSeconds: String(timeoutSeconds),
        },
      },
      (line) => this.#onWatchLine(line),
      this.#abort.signal,
    );
  }

  #onWatchLine(line: string): void {
    const event = JSON.parse(line) as WatchEvent;
    if (event.type === 'ERROR') {
      const status = event.object;
      throw new ApiError(Number(status.code ?? 500), str(status.reason), str(status.message));
    }
    const rv = str(meta(event.object).resourceVersion);
    if (rv) this.#resourceVersion = rv;
    if (event.type === 'BOOKMARK') return;
    const key = objectKey(event.object);
    if (event.type === 'DELETED') {
      const before = this.#store.get(key);
      this.#store.delete(key);
      this.#o.onEvent('delete', before ?? this.#o.transform(event.object));
      return;
    }
    this.#put(key, this.#o.transform(event.object));
  }
}
