// The HTTP backend's health: /health follows whether the MCP server answers at all (any status), probed
// with node:http against a real server that is then stopped.
import { expect } from 'chai';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../../../lib/log.ts';
import { HttpBackend } from '../../../proxy/backends/http.ts';
import { keptAliveAgents, probe } from '../../../proxy/backends/streamable-upstream.ts';
import { recordingLogger } from './tools/support/tools-proxy.ts';

describe('HTTP backend health probe', () => {
  it('counts any HTTP answer as answering, and no answer as not', async () => {
    const server = createServer((_req, res) => res.writeHead(405).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
    const backend = new HttpBackend(
      { url, transport: 'streamable-http', limits: { maxQueuedMessages: 10, pingIntervalMs: 50 } },
      silentLogger(),
    );
    try {
      await backend.start();
      expect(backend.healthy()).to.equal(true);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await sleep(200);
      expect(backend.healthy()).to.equal(false);
    } finally {
      await backend.close();
    }
  });

  it('sees a server that starts after the proxy within a second, not a whole ping interval', async () => {
    const server = createServer((_req, res) => res.writeHead(405).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve)); // the port is free: nothing answers yet
    const backend = new HttpBackend(
      {
        url: `http://127.0.0.1:${port}/mcp`,
        transport: 'streamable-http',
        limits: { maxQueuedMessages: 10, pingIntervalMs: 10_000 },
      },
      silentLogger(),
    );
    const late = createServer((_req, res) => res.writeHead(405).end());
    try {
      await backend.start();
      expect(backend.healthy()).to.equal(false);
      await new Promise<void>((resolve) => late.listen(port, '127.0.0.1', resolve));
      const started = Date.now();
      while (!backend.healthy() && Date.now() - started < 3000) await sleep(50);
      expect(backend.healthy(), 'answering seen within the retry period').to.equal(true);
      expect(Date.now() - started).to.be.below(1500);
    } finally {
      await backend.close();
      late.closeAllConnections();
      await new Promise((resolve) => late.close(resolve));
    }
  });

  it('sees a second pod that starts after the first within a second, while the first answers', async () => {
    const first = createServer((_req, res) => res.writeHead(405).end());
    await new Promise<void>((resolve) => first.listen(0, '127.0.0.1', resolve));
    const probeFree = createServer();
    await new Promise<void>((resolve) => probeFree.listen(0, '127.0.0.1', resolve));
    const port = (probeFree.address() as AddressInfo).port;
    await new Promise((resolve) => probeFree.close(resolve)); // nothing answers on the second pod yet
    const pods = [
      `http://127.0.0.1:${(first.address() as AddressInfo).port}/mcp`,
      `http://127.0.0.1:${port}/mcp`,
    ];
    const { log, lines } = recordingLogger();
    const backend = new HttpBackend(
      {
        url: pods[0]!,
        podUrls: pods,
        transport: 'streamable-http',
        limits: { maxQueuedMessages: 10, pingIntervalMs: 10_000 },
      },
      log,
    );
    const late = createServer((_req, res) => res.writeHead(405).end());
    const answers = () => lines.filter((l) => l.msg === 'MCP server pod answers: new sessions may go to it');
    try {
      await backend.start();
      expect(answers().map((l) => l.url)).to.deep.equal([pods[0]]);
      await new Promise<void>((resolve) => late.listen(port, '127.0.0.1', resolve));
      const started = Date.now();
      while (answers().length < 2 && Date.now() - started < 3000) await sleep(50);
      expect(answers().map((l) => l.url)).to.deep.equal(pods);
      expect(Date.now() - started).to.be.below(1500);
    } finally {
      await backend.close();
      for (const s of [first, late]) {
        s.closeAllConnections();
        await new Promise((resolve) => s.close(resolve));
      }
    }
  });

  it('gives up on a server that accepts the connection but never answers', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
    const agents = keptAliveAgents();
    try {
      const outcome = await probe(url, agents, 100).then(
        () => 'answered',
        (err: Error) => err.message,
      );
      expect(outcome).to.match(/no answer within 100 ms/);
    } finally {
      agents.http.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
