// The official SDK client through the proxy's /mcp and /sse, against server-everything over stdio: one
// server process shared by every session. Covers what issue 5 lists for a stdio server.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import type { MultiplexedBackend } from '../../../../proxy/backends/multiplexed.ts';
import type { StartedProxy } from '../../../../proxy/proxy.ts';
import {
  EVERYTHING,
  connectClient,
  firstText,
  nodeCommand,
  startProxyFor,
  untilHealthy,
  type ClientFront,
} from '../support/servers.ts';

/** The progress values the client's transport receives, in order. */
function tapProgress(client: Client): number[] {
  const seen: number[] = [];
  const transport = client.transport!;
  const onmessage = transport.onmessage!;
  transport.onmessage = (message, extra) => {
    if ('method' in message && message.method === 'notifications/progress')
      seen.push(Number(message.params?.progress));
    onmessage(message, extra);
  };
  return seen;
}

describe('proxy with server-everything over stdio', function () {
  this.timeout(30_000);
  let proxy: StartedProxy;
  const clients: Client[] = [];
  const connect = async (front: ClientFront, capabilities = {}) => {
    const client = await connectClient(proxy.url, front, capabilities);
    clients.push(client);
    return client;
  };

  before(async () => {
    proxy = await startProxyFor('stdio', { kind: 'command', command: nodeCommand(EVERYTHING, 'stdio') });
    await untilHealthy(proxy.url);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  after(() => proxy.close());

  for (const front of ['streamable-http', 'sse'] as const) {
    describe(`through ${front}`, () => {
      it('lists tools and calls echo', async () => {
        const client = await connect(front);
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).to.include.members([
          'echo',
          'get-sum',
          'trigger-long-running-operation',
        ]);
        const result = await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
        expect(firstText(result)).to.equal('The sum of 2 and 3 is 5.');
      });

      it('reads a resource and gets a prompt', async () => {
        const client = await connect(front);
        const { resources } = await client.listResources();
        const first = resources[0]!;
        const read = await client.readResource({ uri: first.uri });
        expect(read.contents[0]!.uri).to.equal(first.uri);
        const prompt = await client.getPrompt({ name: 'args-prompt', arguments: { city: 'Lyon' } });
        expect(prompt.messages[0]!.content).to.deep.equal({ type: 'text', text: "What's weather in Lyon?" });
      });

      it('reports progress to the session that asked', async () => {
        const client = await connect(front);
        // Read at the transport: the SDK client handles a notification a tick after the response
        // arriving with it and then drops the last progress, which is its business, not the proxy's.
        const progress = tapProgress(client);
        await client.callTool(
          { name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } },
          undefined,
          { onprogress: () => undefined },
        );
        expect(progress).to.deep.equal([1, 2, 3]);
      });

      it('round-trips a sampling request to the client', async () => {
        const client = await connect(front, { sampling: {} });
        client.setRequestHandler(CreateMessageRequestSchema, () => ({
          model: 'test-model',
          role: 'assistant' as const,
          content: { type: 'text' as const, text: 'sampled answer' },
        }));
        const result = await client.callTool({
          name: 'trigger-sampling-request',
          arguments: { prompt: 'hi' },
        });
        expect(firstText(result)).to.include('sampled answer');
      });

      it('round-trips an elicitation request to the client', async () => {
        const client = await connect(front, { elicitation: { form: {} } });
        client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'decline' as const }));
        const result = await client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
        expect(firstText(result)).to.equal('❌ User declined to provide the requested information.');
      });
    });
  }

  it('refuses a sampling request for a session that did not declare sampling', async () => {
    const client = await connect('streamable-http');
    const result = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi' } });
    expect(result.isError).to.equal(true);
    expect(firstText(result)).to.include('does not support sampling');
  });

  it('cancels a call at the server and keeps nothing for it', async () => {
    const client = await connect('streamable-http');
    const abort = new AbortController();
    const call = client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 5, steps: 5 } },
      undefined,
      {
        signal: abort.signal,
        onprogress: () => abort.abort('enough'),
      },
    );
    const outcome = await call.then(
      () => 'answered',
      (err: unknown) => String(err),
    );
    expect(outcome).to.include('enough');
    // The client posts notifications/cancelled after rejecting the call; once the proxy has it, the
    // request is forgotten (a hang here is the failure, ended by mocha's timeout).
    const backend = proxy.backend as MultiplexedBackend;
    while (backend.held().inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(backend.held().inFlight).to.equal(0);
  });

  it('answers 20 concurrent sessions, each with its own responses', async () => {
    const sessions = await Promise.all(Array.from({ length: 20 }, () => connect('streamable-http')));
    const answers = await Promise.all(
      sessions.flatMap((client, s) =>
        [0, 1, 2].map(async (n) =>
          firstText(await client.callTool({ name: 'echo', arguments: { message: `s${s}-${n}` } })),
        ),
      ),
    );
    const expected = sessions.flatMap((_, s) => [0, 1, 2].map((n) => `Echo: s${s}-${n}`));
    expect(answers).to.deep.equal(expected);
  });

  it('holds no state for sessions once they are closed', async () => {
    const sessions = await Promise.all(Array.from({ length: 10 }, () => connect('streamable-http')));
    await Promise.all(sessions.map((c) => c.callTool({ name: 'echo', arguments: { message: 'x' } })));
    await Promise.all(clients.splice(0).map(async (c) => c.close()));
    // DELETE is sent by terminateSession; closing the client alone keeps the session until idle expiry.
    const backend = proxy.backend as MultiplexedBackend;
    expect({
      inFlight: backend.held().inFlight,
      serverRequests: backend.held().serverRequests,
      queued: backend.held().queued,
    }).to.deep.equal({
      inFlight: 0,
      serverRequests: 0,
      queued: 0,
    });
  });
});

describe('proxy with a stdio server killed mid-call', function () {
  this.timeout(30_000);

  it('answers the call in flight with an error, restarts the server, and serves the same session', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'proxy-kill-'));
    const pidFile = join(dir, 'pid');
    const command = [
      '/bin/sh',
      '-c',
      `echo $$ > ${pidFile}; exec "$0" "$@"`,
      ...nodeCommand(EVERYTHING, 'stdio'),
    ];
    const proxy = await startProxyFor('stdio', { kind: 'command', command });
    const client = await connectClient(proxy.url, 'streamable-http');
    try {
      await untilHealthy(proxy.url);
      const firstPid = Number(await readFile(pidFile, 'utf8'));
      const call = client.callTool(
        { name: 'trigger-long-running-operation', arguments: { duration: 10, steps: 10 } },
        undefined,
        {
          onprogress: () => process.kill(firstPid, 'SIGKILL'),
        },
      );
      const error = await call.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).to.be.instanceOf(McpError);
      expect((error as McpError).code).to.equal(ErrorCode.ConnectionClosed);
      await untilHealthy(proxy.url);
      const result = await client.callTool({ name: 'echo', arguments: { message: 'back' } });
      expect(firstText(result)).to.equal('Echo: back');
      expect(proxy.backend.restarts()).to.equal(1);
    } finally {
      await client.close();
      await proxy.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
