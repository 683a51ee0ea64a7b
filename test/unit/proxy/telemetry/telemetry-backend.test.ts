// proxy/telemetry: the decorator with the real OpenTelemetry SDK (its in-memory span exporter and a real
// metric reader) around a small answering backend written here (it answers tools/call with its tool's
// name, or an error for "boom", never answers "never", and is "busy" for "full"); attributes.ts is pure.
import { expect } from 'chai';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { AggregationTemporality, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics';
import type { Backend, BackendSession, SessionSink } from '../../../../proxy/backends/backend.ts';
import { isRequest, type RpcMessage } from '../../../../proxy/jsonrpc.ts';
import { outcomeOf, spanNameOf, targetOf } from '../../../../proxy/telemetry/attributes.ts';
import { createInstruments } from '../../../../proxy/telemetry/instruments.ts';
import { createTelemetrySdk } from '../../../../proxy/telemetry/sdk.ts';
import { TelemetryBackend } from '../../../../proxy/telemetry/telemetry-backend.ts';
import { carryTrace, traceHeadersOf } from '../../../../proxy/telemetry/trace-context.ts';

/** Answers at once: a result naming the tool, an error for "boom", nothing for "never", busy for "full". */
class AnsweringBackend implements Backend {
  start = () => Promise.resolve();
  healthy = () => true;
  restarts = () => 0;
  close = () => Promise.resolve();
  openSession(_id: string, sink: SessionSink): BackendSession {
    return {
      send(message: RpcMessage) {
        if (!isRequest(message)) return 'accepted';
        const tool = (message.params?.name as string | undefined) ?? '';
        if (tool === 'full') return 'busy';
        if (tool === 'never') return 'accepted';
        queueMicrotask(() =>
          sink.deliver(
            tool === 'boom'
              ? { jsonrpc: '2.0', id: message.id, error: { code: -32602, message: 'no such tool' } }
              : { jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text: tool }] } },
          ),
        );
        return 'accepted';
      },
      close() {},
    };
  }
}

const call = (id: number, name: string, meta?: Record<string, unknown>): RpcMessage => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: {}, ...(meta ? { _meta: meta } : {}) },
});

describe('TelemetryBackend', () => {
  const spans = new InMemorySpanExporter();
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const sdk = createTelemetrySdk(
    { serviceName: 'unit', tracing: { enabled: true, samplingRate: 1 } },
    { spanExporter: spans, metricExporter: metrics, scheduledDelayMs: 10, exportIntervalMs: 60_000 },
  );
  const backend = new TelemetryBackend(new AnsweringBackend(), {
    tracer: sdk.tracer,
    instruments: createInstruments(sdk.meter!, 'srv', 'stdio'),
    propagator: sdk.propagator,
    server: 'srv',
    transport: 'stdio',
    legacy: false,
  });
  const delivered: RpcMessage[] = [];
  const session = backend.openSession('session-1', { deliver: (m) => delivered.push(m), ended() {} });

  before(async () => {
    const parented = call(1, 'echo');
    carryTrace(parented, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    session.send(parented);
    expect(traceHeadersOf(parented)?.traceparent).to.match(
      /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/,
    );
    expect(traceHeadersOf(parented)?.traceparent).to.not.contain('00f067aa0ba902b7');
    session.send(call(2, 'boom', { traceparent: '00-11111111111111111111111111111111-2222222222222222-01' }));
    expect(session.send(call(3, 'full'))).to.equal('busy');
    session.send(call(4, 'never'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    session.send({ jsonrpc: '2.0', id: 5, method: 'tools/list' });
    session.close();
    await sdk.flush();
  });

  it('delivers every answer unchanged', () => {
    expect(delivered.map((m) => ('id' in m ? m.id : undefined))).to.deep.equal([1, 2, 5]);
  });

  it('makes a server span per request, parented by the header or by params._meta', () => {
    const byName = new Map(
      spans.getFinishedSpans().map((s) => [`${s.name}#${String(s.attributes['jsonrpc.request.id'])}`, s]),
    );
    const echo = byName.get('tools/call echo#1')!;
    expect(echo.kind).to.equal(SpanKind.SERVER);
    expect(echo.spanContext().traceId).to.equal('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(echo.parentSpanContext?.spanId).to.equal('00f067aa0ba902b7');
    expect(echo.attributes).to.include({ 'mcp.session.id': 'session-1', 'gen_ai.tool.name': 'echo' });
    expect(echo.attributes['mcp.tool.name']).to.equal(undefined);
    const boom = byName.get('tools/call boom#2')!;
    expect(boom.spanContext().traceId).to.equal('11111111111111111111111111111111');
    expect(boom.status.code).to.equal(SpanStatusCode.ERROR);
    expect(boom.attributes['error.type']).to.equal('-32602');
    expect(byName.get('tools/call full#3')!.attributes['error.type']).to.equal('-32001');
  });

  it('ends what is still open when the session closes', () => {
    const never = spans.getFinishedSpans().find((s) => s.name === 'tools/call never')!;
    expect(never.attributes['error.type']).to.equal('session_closed');
  });

  it('counts requests by method and status', async () => {
    await sdk.flush();
    const requests = metrics
      .getMetrics()
      .flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics))
      .filter((m) => m.descriptor.name === 'toolhive_mcp_requests')
      .at(-1)!;
    const points = requests.dataPoints.map((p) => [
      p.attributes.mcp_resource_id,
      p.attributes.status,
      p.value,
    ]);
    expect(points).to.deep.include.members([
      ['echo', 'success', 1],
      ['boom', 'error', 1],
      ['full', 'error', 1],
      ['never', 'error', 1],
    ]);
  });
});

describe('attributes', () => {
  it('names spans and reads targets and outcomes', () => {
    expect(spanNameOf('tools/call', 'echo')).to.equal('tools/call echo');
    expect(
      targetOf({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'file:///a' } }),
    ).to.equal('file:///a');
    expect(targetOf({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { name: 'x' } })).to.equal('');
    expect(outcomeOf('tools/call', { jsonrpc: '2.0', id: 1, result: { isError: true } })).to.deep.include({
      ok: false,
      errorType: 'tool_error',
    });
  });
});
