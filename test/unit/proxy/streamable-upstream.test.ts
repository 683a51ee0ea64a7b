// The streamable-HTTP upstream over kept-alive connections: a server that closes a kept-alive connection
// just as the next request goes out on it (its keep-alive timeout) must not turn that request into
// "MCP server unreachable: socket hang up". The server here answers the first request of each connection
// and resets the connection on any later one, so every second request meets a closed reused socket.
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { keptAliveAgents, StreamableUpstream } from '../../../proxy/backends/streamable-upstream.ts';
import type { RpcMessage } from '../../../proxy/jsonrpc.ts';

function resettingServer(): { server: Server; resets: () => number } {
  const used = new WeakSet<Socket>();
  let resets = 0;
  const server = createServer((req, res) => {
    if (used.has(req.socket)) {
      resets++;
      return void req.socket.destroy();
    }
    used.add(req.socket);
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { id } = JSON.parse(body) as { id: number };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id, result: {} }));
    });
  });
  return { server, resets: () => resets };
}

describe('StreamableUpstream over kept-alive connections', () => {
  it('sends a request again on a new connection when the server closed the reused one first', async () => {
    const { server, resets } = resettingServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
    const agents = keptAliveAgents();
    const upstream = new StreamableUpstream(url, agents);
    const answered: unknown[] = [];
    upstream.onmessage = (message: RpcMessage) => answered.push('id' in message ? message.id : undefined);
    try {
      for (let id = 1; id <= 4; id++) {
        await upstream.send({ jsonrpc: '2.0', id, method: 'ping' });
        await new Promise((resolve) => setTimeout(resolve, 20)); // the answer's end, then the socket back in the pool
      }
      expect(resets(), 'requests that met a reused, closed connection').to.be.greaterThan(0);
      expect(answered).to.deep.equal([1, 2, 3, 4]);
    } finally {
      await upstream.close();
      agents.http.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
