// The MCP conformance suite (@modelcontextprotocol/conformance, `server` mode, every scenario: --suite all,
// pending ones included) against our own conformance server (test/fixtures/conformance-server), directly
// over streamable HTTP and through the proxy: a stdio backend running the server over stdio, and an HTTP
// backend in front of the direct one. Directly every scenario passes; through the proxy every scenario
// must pass the same way, with as many successful checks as directly. A scenario passes when it has a
// successful check and no failed one and no warning (the suite only warns, for example, when a server
// sends no priming event or does not resume a closed SSE stream, SEP-1699).
import { expect } from 'chai';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { StartedProxy } from '../../../../proxy/proxy.ts';
import { BoundedEventStore } from '../../../fixtures/conformance-server/event-store.ts';
import {
  listScenarios,
  runSuite as runConformance,
  SCENARIO_MS,
  SUITE_MS,
  type Check,
} from '../../../support/conformance-suite.ts';
import {
  CONFORMANCE_SERVER,
  startConformanceServer,
  startProxyFor,
  untilHealthy,
  type RunningServer,
} from '../support/servers.ts';

/**
 * What one scenario came to: its successful checks, each failed or warned check with its message, and
 * the messages of its informational checks (why a check was not applicable, for example).
 */
interface Outcome {
  passed: number;
  problems: string[];
  notes: string[];
  /** Informational checks that record a choice the specification leaves to the server (PROXY_CHOICES). */
  choices: number;
}

/**
 * Checks that turn informational, not failed, when a server makes a choice the specification leaves to
 * it; the proxy makes it differently from the conformance server on purpose, so such a check counts as
 * kept. ServerSSEStreamsFunctional: the proxy answers requests other than tools/call with plain JSON
 * when the client accepts both (cheaper; a short answer gains nothing from resumability), where the
 * SDK's servers stream every answer.
 */
const PROXY_CHOICES = new Set(['ServerSSEStreamsFunctional']);

export function outcome(checks: Check[]): Outcome {
  return {
    passed: checks.filter((check) => check.status === 'SUCCESS').length,
    problems: checks
      .filter((check) => check.status === 'FAILURE' || check.status === 'WARNING')
      .map((check) => `${check.status} ${check.name}: ${check.errorMessage ?? check.description}`),
    notes: checks
      .filter((check) => check.status === 'INFO' && typeof check.details?.message === 'string')
      .map((check) => `INFO ${check.name}: ${String(check.details!.message)}`),
    choices: checks.filter((check) => check.status === 'INFO' && PROXY_CHOICES.has(check.name)).length,
  };
}

/** Every server scenario against url, each read by outcome(). */
const runSuite = (url: string, scenarios: string[]) => runConformance(url, scenarios, outcome);

/** Each scenario that did not pass, with why: `name (n passed): problems`, or `name: unfinished`. */
function notPassing(scenarios: string[], results: Map<string, Outcome>, expected?: Map<string, Outcome>) {
  return scenarios.flatMap((name) => {
    const result = results.get(name);
    if (!result) return [`${name}: unfinished after ${SCENARIO_MS / 1000} s`];
    const fewer = expected && result.passed + result.choices < expected.get(name)!.passed;
    if (result.passed > 0 && result.problems.length === 0 && !fewer) return [];
    const of = expected ? ` of ${expected.get(name)!.passed}` : '';
    return [`${name} (${result.passed}${of} passed): ${[...result.problems, ...result.notes].join('; ')}`];
  });
}

describe('MCP conformance suite, directly and through the proxy', function () {
  this.timeout(120_000);
  let server: RunningServer;
  let stdioProxy: StartedProxy;
  let httpProxy: StartedProxy;
  let scenarios: string[];
  let direct: Map<string, Outcome>;

  before(async () => {
    server = await startConformanceServer();
    // A stdio server closes no stream itself; the proxy's own polling rule (pollAfterMs, below
    // test_reconnection's 500 ms) closes the stream of a call still running, as SEP-1699 lets a server.
    stdioProxy = await startProxyFor(
      'stdio',
      { kind: 'command', command: [process.execPath, CONFORMANCE_SERVER, 'stdio'] },
      { pollAfterMs: 200 },
    );
    httpProxy = await startProxyFor('streamable-http', { kind: 'http', url: server.url });
    await Promise.all([untilHealthy(stdioProxy.url), untilHealthy(httpProxy.url)]);
    scenarios = await listScenarios();
    direct = await runSuite(server.url, scenarios);
  });
  after(async () => {
    await stdioProxy?.close();
    await httpProxy?.close();
    await server?.close();
  });

  it('passes every server scenario against the conformance server directly', () => {
    expect(scenarios.length, 'server scenarios listed').to.be.greaterThan(30);
    expect(notPassing(scenarios, direct), 'scenarios not passing directly').to.deep.equal([]);
  });

  for (const backend of ['stdio', 'streamable-http'] as const) {
    it(`passes every server scenario through the proxy (${backend} backend)`, async function () {
      // A proxy that leaves scenarios hanging costs the suite's deadline and one per such scenario.
      this.timeout(SUITE_MS + 4 * SCENARIO_MS);
      const proxy = backend === 'stdio' ? stdioProxy : httpProxy;
      const through = await runSuite(`${proxy.url}/mcp`, scenarios);
      expect(notPassing(scenarios, through, direct), 'scenarios not passing through the proxy').to.deep.equal(
        [],
      );
    });
  }
});

describe("the conformance server's event store", () => {
  const note = (n: number): JSONRPCMessage => ({
    jsonrpc: '2.0',
    method: 'notifications/message',
    params: { n },
  });
  const replay = async (store: BoundedEventStore, after: string) => {
    const sent: [string, JSONRPCMessage][] = [];
    const stream = await store.replayEventsAfter(after, {
      send: (id, message) => Promise.resolve(void sent.push([id, message])),
    });
    return { stream, sent };
  };

  it("replays the events of the id's stream that came after it, without priming events", async () => {
    const store = new BoundedEventStore();
    const priming = await store.storeEvent('a', {} as JSONRPCMessage);
    await store.storeEvent('b', note(1));
    const second = await store.storeEvent('a', note(2));
    await store.storeEvent('a', {} as JSONRPCMessage);
    const third = await store.storeEvent('a', note(3));
    const { stream, sent } = await replay(store, priming);
    expect(stream).to.equal('a');
    expect(sent).to.deep.equal([
      [second, note(2)],
      [third, note(3)],
    ]);
  });

  it('keeps only the newest events up to its limit and refuses ids it forgot or never gave', async () => {
    const store = new BoundedEventStore(2);
    const first = await store.storeEvent('a', note(1));
    const second = await store.storeEvent('a', note(2));
    await store.storeEvent('a', note(3));
    expect(store.size).to.equal(2);
    expect(await store.getStreamIdForEventId(first)).to.equal(undefined);
    expect((await replay(store, second)).sent).to.have.length(1);
    await replay(store, first).then(
      () => expect.fail('replayed after a forgotten id'),
      (err: Error) => expect(err.message).to.match(/unknown or expired/u),
    );
  });
});
