import { expect } from 'chai';
import type { RpcMessage } from '../../../proxy/jsonrpc.ts';
import { Mux, type MuxAction } from '../../../proxy/mux.ts';

const SERVER_INIT = {
  protocolVersion: '2025-11-25',
  capabilities: { tools: { listChanged: true } },
  serverInfo: { name: 'srv', version: '1' },
};
const req = (id: number | string, method: string, params?: Record<string, unknown>): RpcMessage => ({
  jsonrpc: '2.0',
  id,
  method,
  ...(params ? { params } : {}),
});
const note = (method: string, params?: Record<string, unknown>): RpcMessage => ({
  jsonrpc: '2.0',
  method,
  ...(params ? { params } : {}),
});
const result = (id: number | string, value: Record<string, unknown> = {}): RpcMessage => ({
  jsonrpc: '2.0',
  id,
  result: value,
});
const toServer = (message: RpcMessage): MuxAction => ({ to: 'server', message });
const toSession = (session: string, message: RpcMessage, relatedRequestId?: number | string): MuxAction =>
  relatedRequestId === undefined
    ? { to: 'session', session, message }
    : { to: 'session', session, message, relatedRequestId };

/** A mux whose server answered initialize (ids 1 used), with sessions opened and initialized. */
function readyMux(sessions: Record<string, Record<string, unknown>>): Mux {
  const mux = new Mux();
  mux.backendStarted();
  mux.fromServer(result(1, SERVER_INIT));
  for (const [id, capabilities] of Object.entries(sessions)) {
    mux.openSession(id);
    mux.fromSession(id, req(0, 'initialize', { protocolVersion: '2025-06-18', capabilities }));
  }
  return mux;
}

describe('Mux', () => {
  it('initializes the server once, with the union of routable capabilities', () => {
    const mux = new Mux();
    expect(mux.backendStarted()).to.deep.equal([
      toServer(
        req(1, 'initialize', {
          protocolVersion: '2025-11-25',
          capabilities: { sampling: {}, elicitation: { form: {}, url: {} }, roots: { listChanged: true } },
          clientInfo: { name: 'mcp-operator-proxy', version: '0.1.0' },
        }),
      ),
    ]);
  });

  it('holds a session initialize until the server answered, then answers it with the negotiated revision', () => {
    const mux = new Mux();
    mux.backendStarted();
    mux.openSession('a');
    expect(
      mux.fromSession('a', req(7, 'initialize', { protocolVersion: '2025-06-18', capabilities: {} })),
    ).to.deep.equal([]);
    expect(mux.fromServer(result(1, SERVER_INIT))).to.deep.equal([
      toServer(note('notifications/initialized')),
      { to: 'proxy', event: 'ready' },
      toSession('a', result(7, { ...SERVER_INIT, protocolVersion: '2025-06-18' })),
    ]);
  });

  const routing: Record<string, { steps: (mux: Mux) => MuxAction[]; want: MuxAction[] }> = {
    'rewrites colliding ids of two sessions and restores each on the way back': {
      steps: (mux) => [
        ...mux.fromSession('a', req(1, 'tools/list')),
        ...mux.fromSession('b', req(1, 'tools/list')),
        ...mux.fromServer(result(3, { from: 'second' })),
        ...mux.fromServer(result(2, { from: 'first' })),
      ],
      want: [
        toServer(req(2, 'tools/list')),
        toServer(req(3, 'tools/list')),
        toSession('b', result(1, { from: 'second' })),
        toSession('a', result(1, { from: 'first' })),
      ],
    },
    'rewrites a progress token and routes progress back with the original token': {
      steps: (mux) => [
        ...mux.fromSession('a', req('x', 'tools/call', { _meta: { progressToken: 'tok' } })),
        ...mux.fromServer(note('notifications/progress', { progressToken: 2, progress: 1 })),
      ],
      want: [
        toServer(req(2, 'tools/call', { _meta: { progressToken: 2 } })),
        toSession('a', note('notifications/progress', { progressToken: 'tok', progress: 1 }), 'x'),
      ],
    },
    'maps a cancellation to the server id and forgets the request': {
      steps: (mux) => [
        ...mux.fromSession('a', req(5, 'tools/call')),
        ...mux.fromSession('a', note('notifications/cancelled', { requestId: 5, reason: 'user' })),
        ...mux.fromServer(result(2)),
      ],
      want: [
        toServer(req(2, 'tools/call')),
        toServer(note('notifications/cancelled', { requestId: 2, reason: 'user' })),
      ],
    },
    'sends list_changed to every session': {
      steps: (mux) => mux.fromServer(note('notifications/tools/list_changed')),
      want: [
        toSession('a', note('notifications/tools/list_changed')),
        toSession('b', note('notifications/tools/list_changed')),
      ],
    },
    'routes a sampling request to the one session with a request in flight, tied to that request': {
      steps: (mux) => [
        ...mux.fromSession('a', req(9, 'tools/call')),
        ...mux.fromServer(req('s1', 'sampling/createMessage')),
      ],
      want: [toServer(req(2, 'tools/call')), toSession('a', req('s1', 'sampling/createMessage'), 9)],
    },
    'refuses a sampling request when the owning session did not declare sampling': {
      steps: (mux) => [
        ...mux.fromSession('b', req(9, 'tools/call')),
        ...mux.fromServer(req('s1', 'sampling/createMessage')),
      ],
      want: [
        toServer(req(2, 'tools/call')),
        toServer({
          jsonrpc: '2.0',
          id: 's1',
          error: { code: -32603, message: 'the client session does not support sampling' },
        }),
      ],
    },
    'passes the session answer to a server request back to the server unchanged': {
      steps: (mux) => [
        ...mux.fromSession('a', req(9, 'tools/call')),
        ...mux.fromServer(req('s1', 'sampling/createMessage')),
        ...mux.fromSession('b', result('s1', { forged: true })),
        ...mux.fromSession('a', result('s1', { model: 'm' })),
      ],
      want: [
        toServer(req(2, 'tools/call')),
        toSession('a', req('s1', 'sampling/createMessage'), 9),
        toServer(result('s1', { model: 'm' })),
      ],
    },
    'answers server pings itself': {
      steps: (mux) => mux.fromServer(req('p', 'ping')),
      want: [toServer(result('p'))],
    },
    'answers an unsubscribe itself while another session still subscribes': {
      steps: (mux) => [
        ...mux.fromSession('a', req(1, 'resources/subscribe', { uri: 'u' })),
        ...mux.fromSession('b', req(1, 'resources/subscribe', { uri: 'u' })),
        ...mux.fromSession('a', req(2, 'resources/unsubscribe', { uri: 'u' })),
        ...mux.fromServer(note('notifications/resources/updated', { uri: 'u' })),
      ],
      want: [
        toServer(req(2, 'resources/subscribe', { uri: 'u' })),
        toServer(req(3, 'resources/subscribe', { uri: 'u' })),
        toSession('a', result(2)),
        toSession('b', note('notifications/resources/updated', { uri: 'u' })),
      ],
    },
    'answers every request in flight with an error when the server stops': {
      steps: (mux) => [
        ...mux.fromSession('a', req(4, 'tools/call')),
        ...mux.backendStopped('MCP server process exited (SIGKILL)'),
      ],
      want: [
        toServer(req(2, 'tools/call')),
        toSession('a', {
          jsonrpc: '2.0',
          id: 4,
          error: { code: -32000, message: 'MCP server process exited (SIGKILL)' },
        }),
      ],
    },
    'cancels a closed session requests and refuses the server requests it owned': {
      steps: (mux) => [
        ...mux.fromSession('a', req(4, 'tools/call')),
        ...mux.fromServer(req('s1', 'roots/list')),
        ...mux.closeSession('a'),
      ],
      want: [
        toServer(req(2, 'tools/call')),
        toSession('a', req('s1', 'roots/list'), 4),
        toServer(note('notifications/cancelled', { requestId: 2, reason: 'client session closed' })),
        toServer({ jsonrpc: '2.0', id: 's1', error: { code: -32603, message: 'client session closed' } }),
      ],
    },
  };
  for (const [name, c] of Object.entries(routing)) {
    it(name, () => {
      const mux = readyMux({ a: { sampling: {}, roots: {} }, b: {} });
      expect(c.steps(mux)).to.deep.equal(c.want);
    });
  }

  it('keeps nothing once every session closed, whatever was in flight', () => {
    const mux = readyMux({ a: { sampling: {} }, b: {} });
    mux.fromSession('a', req(1, 'tools/call', { _meta: { progressToken: 1 } }));
    mux.fromSession('b', req(1, 'tools/call'));
    mux.fromServer(req('s', 'sampling/createMessage'));
    mux.closeSession('a');
    mux.closeSession('b');
    expect(mux.stats()).to.deep.equal({ sessions: 0, inFlight: 0, serverRequests: 0 });
  });
});
