// The proxy behind a path-based ingress: a real reverse proxy written here (node:http) that serves the
// proxy under /team-a, strips the prefix and (optionally) sets X-Forwarded-*, in front of a real proxy
// with server-everything over stdio; the SDK's SSE client connects through the prefix. Then the
// Protected Resource Metadata through the same ingress, and the HTTP server's timeouts.
import { expect } from 'chai';
import { request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { silentLogger } from '../../../lib/log.ts';
import { DEFAULT_LIMITS, allowedNames, type ProxyConfig } from '../../../proxy/config.ts';
import type { RunConfigEdge } from '../../../proxy/edge-config.ts';
import { runProxy, type StartedProxy } from '../../../proxy/proxy.ts';
import { openRawSession } from './support/raw-mcp.ts';
import { EVERYTHING, firstText, nodeCommand } from './support/servers.ts';

const PREFIX = '/team-a';

interface Ingress {
  url: string;
  close(): Promise<void>;
}

/** A path-stripping reverse proxy: `${url}${PREFIX}/x` reaches `${target}/x`. */
async function startIngress(target: string, forwardHeaders: boolean): Promise<Ingress> {
  const upstream = new URL(target);
  const server: Server = (await import('node:http')).createServer((req, res) => {
    const path = req.url ?? '/';
    if (!path.startsWith(`${PREFIX}/`)) return void res.writeHead(404).end('no route');
    const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host };
    if (forwardHeaders) {
      headers['x-forwarded-host'] = req.headers.host;
      headers['x-forwarded-proto'] = 'http';
      headers['x-forwarded-prefix'] = PREFIX;
    }
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: path.slice(PREFIX.length),
        headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    res.on('close', () => out.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function startProxy(edge: RunConfigEdge, extra: Partial<ProxyConfig> = {}): Promise<StartedProxy> {
  const config: ProxyConfig = {
    name: 'edge',
    transport: 'stdio',
    host: '127.0.0.1',
    port: 0,
    target: { kind: 'command', command: nodeCommand(EVERYTHING, 'stdio') },
    allowed: allowedNames(undefined, undefined, [], []),
    limits: { ...DEFAULT_LIMITS, pingIntervalMs: 200 },
    edge,
    ...extra,
  };
  return runProxy(config, { log: silentLogger(), processMetrics: false });
}

/** The data of the first SSE `endpoint` event of GET url, with extra request headers. */
async function endpointEvent(url: string, headers: Record<string, string> = {}): Promise<string> {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before an endpoint event: ${text}`);
      text += value;
      const match = /event: endpoint\ndata: (.*)\n/.exec(text);
      if (match) return match[1]!;
    }
  } finally {
    controller.abort();
  }
}

async function echoThroughSse(sseUrl: string): Promise<string> {
  const client = new Client({ name: 'ingress-test', version: '1.0.0' });
  await client.connect(new SSEClientTransport(new URL(sseUrl)));
  try {
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).to.include('echo');
    return firstText(await client.callTool({ name: 'echo', arguments: { message: 'through the ingress' } }));
  } finally {
    await client.close();
  }
}

describe('proxy behind a path-stripping ingress', function () {
  this.timeout(60_000);

  describe('trustProxyHeaders', () => {
    let proxy: StartedProxy;
    let ingress: Ingress;
    before(async () => {
      proxy = await startProxy({ trustProxyHeaders: true });
      ingress = await startIngress(proxy.url, true);
    });
    after(async () => {
      await ingress?.close();
      await proxy?.close();
    });

    it('names the public messages URL in the endpoint event, built from X-Forwarded-*', async () => {
      const data = await endpointEvent(`${ingress.url}${PREFIX}/sse`);
      expect(data).to.match(new RegExp(`^${ingress.url}${PREFIX}/messages\\?sessionId=[\\w-]+$`));
    });

    it('the SDK SSE client connects through the prefix and calls a tool', async () => {
      expect(await echoThroughSse(`${ingress.url}${PREFIX}/sse`)).to.equal('Echo: through the ingress');
    });

    it('without the ingress in between, a bare request still gets a relative endpoint', async () => {
      expect(await endpointEvent(`${proxy.url}/sse`)).to.match(/^\/messages\?sessionId=/);
    });
  });

  describe('untrusted, with endpointPrefix', () => {
    let proxy: StartedProxy;
    let ingress: Ingress;
    before(async () => {
      proxy = await startProxy({ endpointPrefix: PREFIX });
      ingress = await startIngress(proxy.url, false);
    });
    after(async () => {
      await ingress?.close();
      await proxy?.close();
    });

    it('ignores a spoofed X-Forwarded-Host (and -Proto, -Prefix): only the configured prefix', async () => {
      const data = await endpointEvent(`${proxy.url}/sse`, {
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
        'x-forwarded-prefix': '/elsewhere',
      });
      expect(data).to.match(new RegExp(`^${PREFIX}/messages\\?sessionId=`));
      expect(data).not.to.include('evil.example');
    });

    it('the SDK SSE client connects through an ingress that sends no forwarded headers', async () => {
      expect(await echoThroughSse(`${ingress.url}${PREFIX}/sse`)).to.equal('Echo: through the ingress');
    });
  });

  describe('Protected Resource Metadata', () => {
    const resourceUrl = 'http://mcp-edge-proxy.tools.svc.cluster.local:8080/mcp';
    const auth = {
      issuer: 'https://issuer.example',
      audiences: ['mcp-edge'],
      resourceUrl,
      scopesSupported: [],
      requiredScopes: [],
      jwksUrl: 'https://issuer.example/jwks',
    };
    let trusted: StartedProxy;
    let untrusted: StartedProxy;
    let ingress: Ingress;
    before(async () => {
      trusted = await startProxy({ trustProxyHeaders: true }, { auth });
      untrusted = await startProxy({}, { auth });
      ingress = await startIngress(trusted.url, true);
    });
    after(async () => {
      await ingress?.close();
      await trusted?.close();
      await untrusted?.close();
    });

    it('the challenge names the metadata under the public origin and prefix, and the document the public resource', async () => {
      const refused = await fetch(`${ingress.url}${PREFIX}/mcp`, { method: 'POST', body: '{}' });
      expect(refused.status).to.equal(401);
      const metadata = `${ingress.url}${PREFIX}/.well-known/oauth-protected-resource/mcp`;
      expect(refused.headers.get('www-authenticate')).to.equal(`Bearer resource_metadata="${metadata}"`);
      const document = (await (await fetch(metadata)).json()) as { resource: string };
      expect(document.resource).to.equal(`${ingress.url}${PREFIX}/mcp`);
    });

    it('untrusted: a spoofed X-Forwarded-Host changes neither the challenge nor the document', async () => {
      const spoof = { 'x-forwarded-host': 'evil.example', 'x-forwarded-prefix': '/x' };
      const refused = await fetch(`${untrusted.url}/mcp`, { method: 'POST', body: '{}', headers: spoof });
      expect(refused.headers.get('www-authenticate')).to.equal(
        'Bearer resource_metadata="http://mcp-edge-proxy.tools.svc.cluster.local:8080/.well-known/oauth-protected-resource/mcp"',
      );
      const res = await fetch(`${untrusted.url}/.well-known/oauth-protected-resource/mcp`, {
        headers: spoof,
      });
      expect(((await res.json()) as { resource: string }).resource).to.equal(resourceUrl);
    });
  });

  describe('timeouts', () => {
    let proxy: StartedProxy;
    before(async () => {
      proxy = await startProxy({ readTimeout: '1s', writeTimeout: '2s' });
    });
    after(async () => proxy?.close());

    it('proxyReadTimeout ends a request whose body stalls', async () => {
      const { port } = new URL(proxy.url);
      const socket = connect(Number(port), '127.0.0.1');
      socket.write(
        'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"jsonrpc"',
      );
      const started = Date.now();
      const answer = await new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (chunk) => (text += String(chunk)));
        socket.on('close', () => resolve(text));
      });
      // Closed by the read timeout (1 s, checked every 250 ms), before the write timeout (2 s) could.
      expect(Date.now() - started).to.be.within(900, 1900);
      expect(answer).not.to.match(/^HTTP\/1.1 2/);
    });

    // 3 s in 3 steps: with a progress token, the first progress (at 1 s) turns the answer into a stream.
    const longCall = (id: number, progress: boolean) =>
      JSON.stringify({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: {
          name: 'trigger-long-running-operation',
          arguments: { duration: 3, steps: 3 },
          ...(progress ? { _meta: { progressToken: id } } : {}),
        },
      });

    it('proxyWriteTimeout closes a plain JSON answer not written in time', async () => {
      const session = await openRawSession(`${proxy.url}/mcp`);
      const started = Date.now();
      const headers = session.headers({ accept: 'application/json' });
      const outcome = await fetch(session.url, { method: 'POST', headers, body: longCall(1, false) }).then(
        async (res) => `answered ${res.status}: ${await res.text()}`,
        (err: Error) => `failed: ${err.message}`,
      );
      expect(outcome).to.match(/^failed/);
      expect(Date.now() - started).to.be.within(1900, 2900);
    });

    it('proxyWriteTimeout spares a POST answer that became a stream before it: the result arrives', async () => {
      const session = await openRawSession(`${proxy.url}/mcp`);
      const res = await fetch(session.url, {
        method: 'POST',
        headers: session.headers(),
        body: longCall(2, true),
      });
      expect(res.headers.get('content-type')).to.match(/^text\/event-stream/);
      expect(await res.text()).to.include('Long running operation completed');
    });

    it('proxyWriteTimeout does not cut a live SSE stream: a session idle past it still works', async () => {
      const client = new Client({ name: 'ingress-test', version: '1.0.0' });
      await client.connect(new SSEClientTransport(new URL(`${proxy.url}/sse`)));
      try {
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const result = await client.callTool({ name: 'echo', arguments: { message: 'still here' } });
        expect(firstText(result)).to.equal('Echo: still here');
      } finally {
        await client.close();
      }
    });
  });
});
