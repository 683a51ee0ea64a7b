// The proxy's telemetry against a real OpenTelemetry Collector (test/support/otel-collector.ts): an SDK
// client calls a real SDK streamable-HTTP server through the proxy with a W3C traceparent of its own;
// the collector must receive the proxy's span per MCP request (child of the client's span, with the MCP
// attributes and the outcome), the server must receive the proxy's span as its parent, and the MCP
// metrics must arrive. A second proxy samples nothing of its own (samplingRate 0) but follows a sampled
// parent. Needs no cluster: only the collector binary (build-binaries.sh otelcol).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { z } from 'zod';
import { silentLogger } from '../../lib/log.ts';
import { allowedNames, DEFAULT_LIMITS, type ProxyConfig } from '../../proxy/config.ts';
import { runProxy, type StartedProxy } from '../../proxy/proxy.ts';
import type { RunConfigTelemetry } from '../../proxy/telemetry/config.ts';
import { startCollector, type ReceivedSpan, type RunningCollector } from '../support/otel-collector.ts';

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';

interface Seen {
  method: string;
  traceparent?: string;
}

async function startRecordingServer(seen: Seen[]): Promise<{ server: Server; url: string }> {
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString()) as { method?: string })
        : undefined;
      seen.push({
        method: body?.method ?? req.method!,
        traceparent: req.headers.traceparent as string | undefined,
      });
      const mcp = new McpServer({ name: 'recording', version: '1.0.0' });
      mcp.registerTool('echo', { inputSchema: { message: z.string() } }, ({ message }) => ({
        content: [{ type: 'text', text: `Echo: ${message}` }],
      }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => void transport.close());
      void mcp.connect(transport).then(() => transport.handleRequest(req, res, body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp` };
}

function proxyWith(url: string, name: string, telemetry: RunConfigTelemetry): Promise<StartedProxy> {
  const config: ProxyConfig = {
    name,
    transport: 'streamable-http',
    host: '127.0.0.1',
    port: 0,
    target: { kind: 'http', url },
    allowed: allowedNames(undefined, undefined, [], []),
    limits: { ...DEFAULT_LIMITS, pingIntervalMs: 200 },
    telemetry,
  };
  return runProxy(config, { log: silentLogger(), processMetrics: false, telemetryExportIntervalMs: 200 });
}

async function connect(proxy: StartedProxy, traceparent?: string): Promise<Client> {
  const client = new Client({ name: 'telemetry-test', version: '1.0.0' });
  const headers = traceparent ? { traceparent } : undefined;
  await client.connect(
    new StreamableHTTPClientTransport(
      new URL(`${proxy.url}/mcp`),
      headers ? { requestInit: { headers } } : {},
    ),
  );
  return client;
}

const ofService = (spans: ReceivedSpan[], service: string) =>
  spans.filter((s) => s.resource['service.name'] === service);

describe('proxy telemetry to a real OpenTelemetry Collector', function () {
  this.timeout(60_000);
  let collector: RunningCollector;
  let backend: { server: Server; url: string };
  const seen: Seen[] = [];

  before(async () => {
    collector = await startCollector();
    backend = await startRecordingServer(seen);
  });
  after(async () => {
    await collector?.stop();
    await new Promise((resolve) => backend?.server.close(resolve));
  });

  describe('sampling everything, with metrics', () => {
    let spans: ReceivedSpan[];

    before(async () => {
      const proxy = await proxyWith(backend.url, 'traced', {
        serviceName: 'thv-traced',
        endpoint: collector.url,
        tracing: { enabled: true, samplingRate: 1 },
        metrics: { enabled: true },
        useLegacyAttributes: true,
        resourceAttributes: { 'deployment.environment': 'test' },
      });
      const client = await connect(proxy, `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`);
      await client.listTools();
      await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
      await client.callTool({ name: 'missing', arguments: {} }).catch(() => undefined);
      await client.close();
      await proxy.close();
      spans = await collector.waitFor(async () => {
        const found = ofService(await collector.spans(), 'thv-traced');
        return found.some((s) => s.name === 'tools/call missing') ? found : undefined;
      }, 'the proxy spans');
    });

    it('makes one server span per request, child of the client span, with the MCP attributes', () => {
      const call = spans.find((s) => s.name === 'tools/call echo');
      expect(call, spans.map((s) => s.name).join(', ')).to.not.equal(undefined);
      expect(call!.traceId).to.equal(CLIENT_TRACE);
      expect(call!.parentSpanId).to.equal(CLIENT_SPAN);
      expect(call!.kind).to.equal(2);
      expect(call!.status.code).to.equal(0);
      expect(call!.resource).to.include({ 'service.name': 'thv-traced', 'deployment.environment': 'test' });
      expect(call!.attributes).to.include({
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'echo',
        'gen_ai.operation.name': 'execute_tool',
        'mcp.server.name': 'traced',
        'mcp.method': 'tools/call',
        'mcp.tool.name': 'echo',
        'rpc.system': 'jsonrpc',
      });
      expect(call!.attributes['mcp.session.id']).to.be.a('string').and.not.equal('');
      expect(call!.attributes['mcp.protocol.version']).to.be.a('string');
      const names = spans.map((s) => s.name);
      expect(names).to.include.members(['initialize', 'tools/list', 'tools/call echo', 'tools/call missing']);
    });

    it('marks a failed call as an error with its error.type', () => {
      const failed = spans.find((s) => s.name === 'tools/call missing')!;
      expect(failed.status.code).to.equal(2);
      expect(failed.attributes['error.type']).to.be.a('string').and.not.equal('');
    });

    it("sends the proxy span's context to the HTTP server as its traceparent", () => {
      const call = spans.find((s) => s.name === 'tools/call echo')!;
      const upstream = seen.filter((s) => s.method === 'tools/call').map((s) => s.traceparent);
      expect(upstream).to.include(`00-${CLIENT_TRACE}-${call.spanId}-01`);
    });

    it('exports the MCP request metrics', async () => {
      const metrics = await collector.waitFor(async () => {
        const all = (await collector.metrics()).filter((m) => m.resource['service.name'] === 'thv-traced');
        return all.some((m) => m.name === 'toolhive_mcp_tool_calls') ? all : undefined;
      }, 'the proxy metrics');
      const points = (name: string) => metrics.filter((m) => m.name === name).flatMap((m) => m.points);
      const calls = points('toolhive_mcp_requests').filter(
        (p) => p.attributes.mcp_method === 'tools/call' && p.attributes.mcp_resource_id === 'echo',
      );
      expect(calls.at(-1)).to.deep.include({ value: 1 });
      expect(calls.at(-1)!.attributes).to.include({
        status: 'success',
        server: 'traced',
        transport: 'streamable-http',
      });
      const durations = points('toolhive_mcp_request_duration').filter(
        (p) => p.attributes.mcp_method === 'tools/list',
      );
      expect(durations.at(-1)?.count).to.equal(1);
      const operation = points('mcp.server.operation.duration').filter(
        (p) => p.attributes['gen_ai.tool.name'] === 'echo',
      );
      expect(operation.at(-1)?.count).to.equal(1);
      const tools = points('toolhive_mcp_tool_calls').map((p) => p.attributes);
      expect(tools).to.deep.include({ server: 'traced', tool: 'echo', status: 'success' });
    });
  });

  describe('samplingRate 0', () => {
    it('records no trace of its own, but follows a sampled client', async () => {
      const proxy = await proxyWith(backend.url, 'unsampled', {
        serviceName: 'thv-unsampled',
        endpoint: collector.url,
        tracing: { enabled: true, samplingRate: 0 },
      });
      const plain = await connect(proxy);
      await plain.callTool({ name: 'echo', arguments: { message: 'not traced' } });
      await plain.close();
      const parented = await connect(proxy, `00-${CLIENT_TRACE.replace(/^4/, '5')}-${CLIENT_SPAN}-01`);
      await parented.callTool({ name: 'echo', arguments: { message: 'traced' } });
      await parented.close();
      await proxy.close();
      const spans = await collector.waitFor(
        async () => ofService(await collector.spans(), 'thv-unsampled'),
        'the sampled-parent spans',
      );
      expect(spans.map((s) => s.traceId)).to.satisfy((ids: string[]) =>
        ids.every((id) => id.startsWith('5')),
      );
      expect(spans.map((s) => s.name)).to.include('tools/call echo');
    });
  });
});
