// The operator's own metrics over OTLP (lib/otlp-metrics.ts): the controller's reconcile metrics and the
// webhooks' admission metrics, rendered from their real registries and pushed to a real OpenTelemetry
// Collector, which must hold counters as monotonic sums, histograms with their buckets, and the labels.
// Needs no cluster: only the collector binary (build-binaries.sh otelcol).
import { expect } from 'chai';
import { createControllerMetrics } from '../../controller/metrics.ts';
import { silentLogger } from '../../lib/log.ts';
import { otlpPushFromEnv } from '../../lib/otlp-metrics.ts';
import { createAdmissionMetrics } from '../../webhook/metrics.ts';
import { startCollector, type RunningCollector } from '../support/otel-collector.ts';

describe("the operator's metrics over OTLP to a real OpenTelemetry Collector", function () {
  this.timeout(60_000);
  let collector: RunningCollector;
  before(async () => {
    collector = await startCollector();
  });
  after(() => collector?.stop());

  it('pushes the reconcile and admission metrics with their labels', async () => {
    const controller = createControllerMetrics({ processMetrics: false });
    controller.observeReconcile('success', 0.02);
    controller.observeReconcile('success', 0.2);
    controller.observeReconcile('error', 0.004);
    const admission = createAdmissionMetrics({ processMetrics: false });
    admission.startRequest('validate')();
    const env = { MCP_OPERATOR_OTLP_ENDPOINT: collector.url };
    const pushes = [
      otlpPushFromEnv(env, 'mcp-operator-controller', () => controller.registry.render(), silentLogger())!,
      otlpPushFromEnv(env, 'mcp-operator-webhook', () => admission.registry.render(), silentLogger())!,
    ];
    await Promise.all(pushes.map((p) => p.stop()));
    const metrics = await collector.waitFor(async () => {
      const all = await collector.metrics();
      const services = new Set(all.map((m) => m.resource['service.name']));
      return services.has('mcp-operator-controller') && services.has('mcp-operator-webhook')
        ? all
        : undefined;
    }, 'the operator metrics');
    const named = (name: string) => metrics.filter((m) => m.name === name);
    const total = named('controller_runtime_reconcile_total');
    expect(total[0]?.kind).to.equal('sum');
    expect(total.flatMap((m) => m.points).map((p) => [p.attributes.result, p.value])).to.deep.include.members(
      [
        ['success', 2],
        ['error', 1],
      ],
    );
    const seconds = named('controller_runtime_reconcile_time_seconds');
    expect(seconds[0]?.kind).to.equal('histogram');
    expect(seconds[0]?.points[0]).to.deep.include({ count: 3 });
    expect(
      metrics.filter((m) => m.resource['service.name'] === 'mcp-operator-webhook').length,
    ).to.be.greaterThan(0);
  });

  it('pushes nothing when MCP_OPERATOR_OTLP_ENDPOINT is unset', () => {
    expect(otlpPushFromEnv({}, 'x', () => Promise.resolve(''), silentLogger())).to.equal(undefined);
  });
});
