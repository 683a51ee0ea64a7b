// Resumable streams through the proxy (MCP 2025-11-25, "Resumability and Redelivery"): a POST's SSE
// answer opens with a priming event, every event has an id, and a client that drops the connection
// mid-call gets the rest with GET + Last-Event-ID, missing nothing and getting nothing twice. The server
// is server-everything over stdio; its long-running tool sends progress notifications.
import { expect } from 'chai';
import type { StartedProxy } from '../../../../proxy/proxy.ts';
import { EVERYTHING, nodeCommand, startProxyFor, untilHealthy } from '../support/servers.ts';
import { messageOf, openRawSession, readEvents, type RawSession } from '../support/raw-mcp.ts';

const STEPS = 8;

function callLongRunning(session: RawSession, id: number): Promise<Response> {
  return fetch(session.url, {
    method: 'POST',
    headers: session.headers({ accept: 'text/event-stream' }),
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: {
        name: 'trigger-long-running-operation',
        arguments: { duration: 1.6, steps: STEPS },
        _meta: { progressToken: `p${id}` },
      },
    }),
  });
}

const progressOf = (events: { data: string }[]) =>
  events
    .map((e) => messageOf(e as never))
    .filter((m) => m?.method === 'notifications/progress')
    .map((m) => (m!.params as { progress: number }).progress);

describe('resumable streams through the proxy', function () {
  this.timeout(30_000);
  let proxy: StartedProxy;

  before(async () => {
    proxy = await startProxyFor('stdio', { kind: 'command', command: nodeCommand(EVERYTHING, 'stdio') });
    await untilHealthy(proxy.url);
  });
  after(() => proxy?.close());

  it('opens a POST stream with a priming event that has an id and a retry delay', async () => {
    const session = await openRawSession(`${proxy.url}/mcp`);
    const events = await readEvents(await callLongRunning(session, 1), () => true);
    expect(events[0]).to.include({ data: '', retry: 1000 });
    expect(events[0]!.id).to.match(/_0$/u);
  });

  it('replays what a dropped connection missed and continues it live: every progress once, then the result', async () => {
    const session = await openRawSession(`${proxy.url}/mcp`);
    const first = await readEvents(
      await callLongRunning(session, 2),
      (_e, all) => progressOf(all).length === 2,
    );
    const lastId = first.at(-1)!.id!;
    expect(lastId).to.match(/_\d+$/u);
    await new Promise((resolve) => setTimeout(resolve, 500)); // events pile up while nobody listens
    const resumed = await fetch(session.url, {
      headers: session.headers({ accept: 'text/event-stream', 'last-event-id': lastId }),
    });
    expect(resumed.status).to.equal(200);
    const rest = await readEvents(resumed, (e) => messageOf(e)?.id === 2);
    expect([...progressOf(first), ...progressOf(rest)]).to.deep.equal(
      Array.from({ length: STEPS }, (_, i) => i + 1),
    );
    const ids = [...first, ...rest].map((e) => e.id);
    expect(new Set(ids).size, 'no event id twice').to.equal(ids.length);
    expect(messageOf(rest.at(-1)!)).to.have.property('result');
  });

  it('replays a finished stream from any of its ids and ends it', async () => {
    const session = await openRawSession(`${proxy.url}/mcp`);
    const all = await readEvents(await callLongRunning(session, 3), (e) => messageOf(e)?.id === 3);
    const again = await fetch(session.url, {
      headers: session.headers({ accept: 'text/event-stream', 'last-event-id': all[STEPS - 2]!.id! }),
    });
    const replayed = await readEvents(again, () => false);
    expect(replayed.map((e) => e.id)).to.deep.equal(all.slice(STEPS - 1).map((e) => e.id));
  });

  it("answers 404 for an id it never minted or another session's stream", async () => {
    const mine = await openRawSession(`${proxy.url}/mcp`);
    const other = await openRawSession(`${proxy.url}/mcp`);
    const events = await readEvents(await callLongRunning(mine, 4), (e) => messageOf(e)?.id === 4);
    for (const [session, id] of [
      [mine, 'AAAAAAAAAAAAAAAA_1'],
      [other, events[1]!.id!],
    ] as const) {
      const res = await fetch(session.url, {
        headers: session.headers({ accept: 'text/event-stream', 'last-event-id': id }),
      });
      expect(res.status, id).to.equal(404);
      await res.text();
    }
  });
});
