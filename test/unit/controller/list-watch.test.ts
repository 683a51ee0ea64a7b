// ListWatch against a mock API server (mock-apiserver: node:http answering list and watch requests as
// kube-apiserver does), for what a real one cannot be made to do on cue: end a watch, send a
// bookmark, answer 410 Gone. The controller's integration tests run it against a real API server.
import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiAccess } from '../../../lib/kube/access.ts';
import type { Dict } from '../../../controller/desired/types.ts';
import { KubeClient } from '../../../lib/kube/client.ts';
import { ListWatch, type CacheEvent } from '../../../lib/kube/list-watch.ts';
import { silentLogger } from '../../../lib/log.ts';

const obj = (name: string, rv: string): Dict => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv, managedFields: [{ manager: 'x' }] },
});

/** A scripted API server: each list or watch request takes the next answer of its kind. */
class MockApiServer {
  readonly requests: URL[] = [];
  lists: Array<{ items: Dict[]; resourceVersion: string; continue?: string }> = [];
  /** Each watch: lines to send, then whether to end the response (else it stays open). */
  watches: Array<{ status?: number; events: unknown[]; end: boolean }> = [];
  #server: Server | undefined;

  async start(): Promise<string> {
    this.#server = createServer((req, res) => this.#answer(req, res));
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  #answer(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(url);
    if (url.searchParams.get('watch') !== 'true') {
      const page = this.lists.shift() ?? { items: [], resourceVersion: '0' };
      res.end(
        JSON.stringify({
          items: page.items,
          metadata: { resourceVersion: page.resourceVersion, continue: page.continue },
        }),
      );
      return;
    }
    const watch = this.watches.shift() ?? { events: [], end: false };
    if (watch.status) {
      res.writeHead(watch.status).end(JSON.stringify({ kind: 'Status', code: watch.status, reason: 'Gone' }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    for (const event of watch.events) res.write(`${JSON.stringify(event)}\n`);
    if (watch.end) res.end();
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((r) => this.#server?.close(r));
  }
}

const until = async (what: string, ok: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
};

describe('ListWatch', () => {
  let api: MockApiServer;
  let client: KubeClient;
  let informer: ListWatch | undefined;
  let events: string[];

  beforeEach(async () => {
    api = new MockApiServer();
    const server = new URL(await api.start());
    const access: ApiAccess = { server, applyTo: () => Promise.resolve() };
    client = new KubeClient(access);
    events = [];
  });

  afterEach(async () => {
    await informer?.stop();
    client.close();
    await api.stop();
  });

  const start = async () => {
    informer = new ListWatch({
      client,
      path: '/api/v1/namespaces/ns/pods',
      labelSelector: 'a=b',
      transform: ({ metadata }) => {
        const { managedFields: _, ...rest } = metadata as Dict;
        return { metadata: rest };
      },
      onEvent: (event: CacheEvent, o: Dict) => events.push(`${event} ${String((o.metadata as Dict).name)}`),
      log: silentLogger(),
      pageSize: 2,
    });
    await informer.start();
  };

  it('lists every page, then watches from the list’s resourceVersion with bookmarks', async () => {
    api.lists = [
      { items: [obj('a', '1'), obj('b', '2')], resourceVersion: '5', continue: 'next' },
      { items: [obj('c', '3')], resourceVersion: '6' },
    ];
    api.watches = [{ events: [{ type: 'ADDED', object: obj('d', '7') }], end: false }];
    await start();
    await until('the watch event', () => events.length === 4);
    const watch = api.requests[2]!.searchParams;
    expect(events).to.deep.equal(['add a', 'add b', 'add c', 'add d']);
    expect([
      api.requests[1]!.searchParams.get('continue'),
      api.requests[0]!.searchParams.get('limit'),
    ]).to.deep.equal(['next', '2']);
    expect([
      watch.get('resourceVersion'),
      watch.get('allowWatchBookmarks'),
      watch.get('labelSelector'),
    ]).to.deep.equal(['6', 'true', 'a=b']);
    expect(informer!.get('ns', 'a')?.metadata).to.not.have.property('managedFields');
  });

  it('resumes an ended watch from the last resourceVersion seen, a bookmark’s included, without relisting', async () => {
    api.lists = [{ items: [obj('a', '1')], resourceVersion: '5' }];
    api.watches = [
      {
        events: [
          { type: 'MODIFIED', object: obj('a', '8') },
          { type: 'BOOKMARK', object: { metadata: { resourceVersion: '12' } } },
        ],
        end: true,
      },
      { events: [{ type: 'DELETED', object: obj('a', '13') }], end: false },
    ];
    await start();
    await until('the delete', () => events.length === 3);
    const watches = api.requests.filter((u) => u.searchParams.get('watch') === 'true');
    expect(events).to.deep.equal(['add a', 'update a', 'delete a']);
    expect(watches.map((u) => u.searchParams.get('resourceVersion'))).to.deep.equal(['5', '12']);
    expect(api.requests.length - watches.length, 'lists').to.equal(1);
    expect(informer!.get('ns', 'a')).to.equal(undefined);
  });

  it('relists after 410 Gone and reports what changed meanwhile, deletions included', async () => {
    api.lists = [
      { items: [obj('a', '1'), obj('b', '2')], resourceVersion: '5' },
      { items: [obj('b', '9'), obj('c', '10')], resourceVersion: '11' },
    ];
    api.watches = [
      { status: 410, events: [], end: true },
      { events: [], end: false },
    ];
    await start();
    await until('the relist', () => events.length === 5);
    expect(events).to.deep.equal(['add a', 'add b', 'update b', 'add c', 'delete a']);
  });

  it('relists after an ERROR event in the watch stream (an expired resourceVersion)', async () => {
    api.lists = [
      { items: [obj('a', '1')], resourceVersion: '5' },
      { items: [obj('a', '1')], resourceVersion: '20' },
    ];
    api.watches = [
      { events: [{ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } }], end: false },
      { events: [], end: false },
    ];
    await start();
    await until('the second watch', () => api.requests.length === 4);
    expect(api.requests[3]!.searchParams.get('resourceVersion')).to.equal('20');
    expect(events).to.deep.equal(['add a']);
  });
});
