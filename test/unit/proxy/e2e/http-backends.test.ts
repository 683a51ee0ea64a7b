// The SDK client through the proxy to servers that speak HTTP themselves (server-everything in its
// sse and streamableHttp modes), and to a second registry server over stdio (server-memory).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { StartedProxy } from '../../../../proxy/proxy.ts';
import {
  MEMORY,
  connectClient,
  firstText,
  nodeCommand,
  startHttpEverything,
  startProxyFor,
  untilHealthy,
  type RunningServer,
} from '../support/servers.ts';

const upstreams = [
  { name: 'streamable-http', mode: 'streamableHttp' },
  { name: 'sse', mode: 'sse' },
] as const;

for (const upstream of upstreams) {
  describe(`proxy with server-everything over ${upstream.name}`, function () {
    this.timeout(30_000);
    let server: RunningServer;
    let proxy: StartedProxy;

    before(async () => {
      server = await startHttpEverything(upstream.mode);
      proxy = await startProxyFor(upstream.name, { kind: 'http', url: server.url });
      await untilHealthy(proxy.url);
    });
    after(async () => {
      await proxy?.close();
      await server?.close();
    });

    for (const front of ['streamable-http', 'sse'] as const) {
      it(`calls a tool and reads a resource through ${front}`, async () => {
        const client = await connectClient(proxy.url, front);
        try {
          const result = await client.callTool({ name: 'echo', arguments: { message: front } });
          expect(firstText(result)).to.equal(`Echo: ${front}`);
          const { resources } = await client.listResources();
          const read = await client.readResource({ uri: resources[0]!.uri });
          expect(read.contents[0]!.uri).to.equal(resources[0]!.uri);
        } finally {
          await client.close();
        }
      });
    }

    it('round-trips a sampling request through streamable-http', async () => {
      const client = await connectClient(proxy.url, 'streamable-http', { sampling: {} });
      client.setRequestHandler(CreateMessageRequestSchema, () => ({
        model: 'test-model',
        role: 'assistant' as const,
        content: { type: 'text' as const, text: 'sampled over http' },
      }));
      try {
        const result = await client.callTool({
          name: 'trigger-sampling-request',
          arguments: { prompt: 'hi' },
        });
        expect(firstText(result)).to.include('sampled over http');
      } finally {
        await client.close();
      }
    });

    it('keeps sessions apart: 5 concurrent sessions each get their own answers', async () => {
      const clients = await Promise.all(
        Array.from({ length: 5 }, () => connectClient(proxy.url, 'streamable-http')),
      );
      try {
        const answers = await Promise.all(
          clients.map(async (c, i) =>
            firstText(await c.callTool({ name: 'echo', arguments: { message: `m${i}` } })),
          ),
        );
        expect(answers).to.deep.equal(clients.map((_, i) => `Echo: m${i}`));
      } finally {
        await Promise.all(clients.map((c) => c.close()));
      }
    });
  });
}

describe('proxy with server-memory over stdio', function () {
  this.timeout(30_000);
  let dir: string;
  let proxy: StartedProxy;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'proxy-memory-'));
    const command = ['/usr/bin/env', `MEMORY_FILE_PATH=${join(dir, 'memory.jsonl')}`, ...nodeCommand(MEMORY)];
    proxy = await startProxyFor('stdio', { kind: 'command', command });
    await untilHealthy(proxy.url);
  });
  after(async () => {
    await proxy?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows what one session stored to another session', async () => {
    const writer = await connectClient(proxy.url, 'streamable-http');
    const reader = await connectClient(proxy.url, 'sse');
    try {
      const entity = { name: 'proxy', entityType: 'component', observations: ['multiplexes sessions'] };
      await writer.callTool({ name: 'create_entities', arguments: { entities: [entity] } });
      const graph = await reader.callTool({ name: 'read_graph', arguments: {} });
      expect(graph.structuredContent).to.deep.equal({ entities: [entity], relations: [] });
    } finally {
      await writer.close();
      await reader.close();
    }
  });
});
