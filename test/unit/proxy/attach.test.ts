// The attach backend with its Kubernetes calls replaced by fakeAttachIO: a "pod" whose container is a
// tiny in-process stdio MCP server. What this does not cover: client-node's Attach WebSocket against a
// real API server and kubelet (KWOK's pods have no processes to attach to).
import type { PassThrough, Writable } from 'node:stream';
import { expect } from 'chai';
import { silentLogger } from '../../../lib/log.ts';
import { AttachStream, type AttachIO, type AttachedStream } from '../../../proxy/backends/attach.ts';
import { MultiplexedBackend } from '../../../proxy/backends/multiplexed.ts';
import type { RpcMessage } from '../../../proxy/jsonrpc.ts';
import type { AttachTarget } from '../../../proxy/config.ts';

const target: AttachTarget = { kind: 'attach', namespace: 'tools', pod: 'fetch-0', container: 'mcp' };

interface FakePod {
  /** Ends the current attach, as a container restart or pod replacement does. */
  replace(): void;
  attaches: number;
  closedByProxy: number;
}

/** Each attach gets a fresh container that answers initialize, ping and tools/list; or nothing if mute. */
function fakeAttachIO(options: { mute: boolean }): AttachIO & FakePod {
  let endCurrent: ((reason: string) => void) | undefined;
  const pod = {
    attaches: 0,
    closedByProxy: 0,
    replace: () => endCurrent?.('attach closed (code 1000)'),
    waitForRunning: () => Promise.resolve(),
    attach(_t: AttachTarget, stdout: Writable, stdin: PassThrough): Promise<AttachedStream> {
      pod.attaches += 1;
      const generation = pod.attaches;
      stdin.on('data', (chunk: Buffer) => {
        if (options.mute) return;
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
          const m = JSON.parse(line) as { id?: number; method?: string };
          if (m.id === undefined) continue;
          const result =
            m.method === 'initialize'
              ? {
                  protocolVersion: '2025-11-25',
                  capabilities: {},
                  serverInfo: { name: 'fake', version: '1' },
                }
              : { generation };
          stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id: m.id, result })}\n`);
        }
      });
      const ended = new Promise<string>((resolve) => (endCurrent = resolve));
      return Promise.resolve({ ended, close: () => (pod.closedByProxy++, endCurrent?.('closed by proxy')) });
    },
  };
  return pod;
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
};

function backendOn(io: AttachIO) {
  const limits = {
    maxMessageBytes: 1 << 20,
    maxQueuedMessages: 10,
    pingIntervalMs: 20,
    recycleAfterMissedPings: 2,
    initializeTimeoutMs: 50,
  };
  return new MultiplexedBackend(new AttachStream(target, io, silentLogger()), limits, silentLogger());
}

function session(backend: MultiplexedBackend) {
  const received: RpcMessage[] = [];
  const s = backend.openSession('s', { deliver: (m) => received.push(m), ended: () => undefined });
  s.send({
    jsonrpc: '2.0',
    id: 'init',
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {} },
  });
  return { send: (m: RpcMessage) => s.send(m), received };
}

describe('AttachStream through the multiplexer', function () {
  this.timeout(10_000);

  it('attaches, initializes the server once and serves a session', async () => {
    const io = fakeAttachIO({ mute: false });
    const backend = backendOn(io);
    await backend.start();
    const client = session(backend);
    await until(() => backend.healthy() && client.received.length === 1);
    client.send({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    await until(() => client.received.length === 2);
    expect(client.received[1]).to.deep.equal({ jsonrpc: '2.0', id: 1, result: { generation: 1 } });
    await backend.close();
  });

  it('re-attaches to the replaced pod and serves the same session from it', async () => {
    const io = fakeAttachIO({ mute: false });
    const backend = backendOn(io);
    await backend.start();
    const client = session(backend);
    await until(() => backend.healthy());
    io.replace();
    await until(() => io.attaches === 2 && backend.healthy());
    client.send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    await until(() => client.received.length === 2);
    expect({ answer: client.received[1], restarts: backend.restarts() }).to.deep.equal({
      answer: { jsonrpc: '2.0', id: 2, result: { generation: 2 } },
      restarts: 1,
    });
    await backend.close();
  });

  it('does not call an attach that is open but silent healthy, and recycles it', async () => {
    const io = fakeAttachIO({ mute: true });
    const backend = backendOn(io);
    await backend.start();
    await until(() => io.attaches >= 2);
    expect({ healthy: backend.healthy(), recycledByProxy: io.closedByProxy >= 1 }).to.deep.equal({
      healthy: false,
      recycledByProxy: true,
    });
    await backend.close();
  });
});
