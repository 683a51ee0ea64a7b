// Telemetry on the real control plane (the manager in-process, watching this file's namespace):
// - ToolHive's example mcpserver_fetch_otel.yaml (test/fixtures/toolhive-examples, unchanged but for its
//   namespace, which kubectl -n overrides): the MCPTelemetryConfig and the MCPServer naming it ->
//   the run config's telemetry section, ToolHive's normalization, TelemetryConfigRefValidated True;
// - sensitiveHeaders -> the proxy container's variables from the Secret, nothing secret in the ConfigMap;
// - the older inline spec.telemetry -> the same section;
// - a reference to a missing MCPTelemetryConfig -> TelemetryConfigRefValidated False;
// - the example's MCPTelemetryConfig changed -> the run config follows; deleted -> the condition turns
//   False and the run config keeps what it had.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { defaultControllerConfig } from '../../controller/config.ts';
import { Manager } from '../../controller/manager.ts';
import { silentLogger } from '../../lib/log.ts';
import { getServer, installCrd, kubectl } from './controller-fixtures.ts';
import { controlPlane, eventually } from './harness.ts';

const ns = `telemetry-${process.pid}`;
const GROUP = 'toolhive.stacklok.dev';
const EXAMPLE = new URL(
  '../fixtures/toolhive-examples/v0.44.0/mcp-servers/mcpserver_fetch_otel.yaml',
  import.meta.url,
);

type Json = Record<string, unknown>;
const apply = (object: Json) => kubectl(['-n', ns, 'apply', '-f', '-'], JSON.stringify(object));
const runConfigOf = async (name: string): Promise<Json | undefined> => {
  const found = await controlPlane().kubectl([
    '-n',
    ns,
    'get',
    'configmap',
    `${name}-runconfig`,
    '-o',
    'json',
  ]);
  if (found.code !== 0) return undefined;
  const cm = JSON.parse(found.stdout) as Json;
  return JSON.parse((cm.data as Record<string, string>)['runconfig.json']!) as Json;
};
const telemetryOf = (name: string) =>
  eventually(
    `${name}'s run config telemetry`,
    async () => (await runConfigOf(name))?.telemetry as Json | undefined,
  );
const condition = async (name: string, type: string) =>
  (await getServer(ns, name)).status?.conditions?.find((c) => c.type === type);
const server = (name: string, extra: Json): Json => ({
  apiVersion: `${GROUP}/v1beta1`,
  kind: 'MCPServer',
  metadata: { name, namespace: ns },
  spec: { image: 'ghcr.io/example/server:1', transport: 'streamable-http', mcpPort: 8080, ...extra },
});

describe('the controller with MCPTelemetryConfig and spec.telemetry', function () {
  this.timeout(120_000);
  let manager: Manager;

  before(async () => {
    await installCrd();
    await kubectl(['create', 'namespace', ns]);
    // Unchanged but for metadata.namespace (kubectl -n refuses an object naming another).
    for (const doc of parseAllDocuments(readFileSync(EXAMPLE, 'utf8'))) {
      const object = doc.toJS() as Json;
      await apply({ ...object, metadata: { ...(object.metadata as Json), namespace: ns } });
    }
    manager = new Manager({
      access: await loadApiAccess(controlPlane().kubeconfig),
      config: { ...defaultControllerConfig(), proxyImage: 'example.invalid/mcp-operator:test' },
      log: silentLogger(),
      namespaces: [ns],
      workers: 2,
    });
    await manager.start();
  });

  after(async () => {
    await manager?.stop();
    await controlPlane().kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  it("turns ToolHive's example into the run config's telemetry, TelemetryConfigRefValidated True", async () => {
    expect(await telemetryOf('fetch')).to.deep.equal({
      serviceName: 'mcp-fetch-server',
      prometheus: { enabled: true },
      endpoint: 'http://otel-collector-opentelemetry-collector.monitoring.svc.cluster.local:4318',
      tracing: { enabled: true, samplingRate: 0.1 },
      metrics: { enabled: true },
      useLegacyAttributes: true,
    });
    const valid = await eventually('TelemetryConfigRefValidated True', async () => {
      const c = await condition('fetch', 'TelemetryConfigRefValidated');
      return c?.status === 'True' ? c : undefined;
    });
    expect(valid.reason).to.equal('TelemetryConfigRefValid');
  });

  it('gives sensitive headers to the proxy from their Secret, never in the ConfigMap', async () => {
    await apply({
      apiVersion: `${GROUP}/v1beta1`,
      kind: 'MCPTelemetryConfig',
      metadata: { name: 'vendor' },
      spec: {
        openTelemetry: {
          enabled: true,
          endpoint: 'https://api.vendor.example',
          sensitiveHeaders: [{ name: 'x-api-key', secretKeyRef: { name: 'vendor-key', key: 'key' } }],
          tracing: { enabled: true },
        },
      },
    });
    await apply(server('keyed', { telemetryConfigRef: { name: 'vendor' } }));
    const telemetry = await telemetryOf('keyed');
    expect(telemetry).to.deep.include({
      serviceName: 'thv-keyed',
      endpoint: 'https://api.vendor.example',
      headersFromEnv: { 'x-api-key': 'TOOLHIVE_OTEL_HEADER_0' },
    });
    const env = await eventually('the proxy variable', async () => {
      const found = await controlPlane().kubectl(['-n', ns, 'get', 'deployment', 'keyed', '-o', 'json']);
      if (found.code !== 0) return undefined;
      const d = JSON.parse(found.stdout) as {
        spec: { template: { spec: { containers: { env?: Json[] }[] } } };
      };
      return d.spec.template.spec.containers[0]!.env?.find((e) => e.name === 'TOOLHIVE_OTEL_HEADER_0');
    });
    expect(env.valueFrom).to.deep.equal({ secretKeyRef: { name: 'vendor-key', key: 'key' } });
  });

  it('reads the older inline spec.telemetry', async () => {
    await apply(
      server('inline', {
        telemetry: {
          openTelemetry: {
            enabled: true,
            endpoint: 'collector:4318',
            insecure: true,
            metrics: { enabled: true },
          },
        },
      }),
    );
    expect(await telemetryOf('inline')).to.deep.include({
      serviceName: 'inline',
      endpoint: 'http://collector:4318',
      metrics: { enabled: true },
      tracing: { enabled: false, samplingRate: 0.05 },
    });
  });

  it('reports a missing MCPTelemetryConfig', async () => {
    await apply(server('orphan', { telemetryConfigRef: { name: 'gone' } }));
    const c = await eventually('TelemetryConfigRefValidated False', async () => {
      const found = await condition('orphan', 'TelemetryConfigRefValidated');
      return found?.status === 'False' ? found : undefined;
    });
    expect(c.reason).to.equal('TelemetryConfigRefNotFound');
  });

  it('follows a changed MCPTelemetryConfig; deleted, TelemetryConfigRefValidated False and the run config held', async () => {
    await kubectl([
      '-n',
      ns,
      'patch',
      'mcptelemetryconfig',
      'basic-telemetry',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { openTelemetry: { tracing: { samplingRate: '0.5' } } } }),
    ]);
    const changed = await eventually('samplingRate 0.5 in the run config', async () => {
      const t = await telemetryOf('fetch');
      return (t.tracing as Json | undefined)?.samplingRate === 0.5 ? t : undefined;
    });
    expect(changed.tracing).to.deep.equal({ enabled: true, samplingRate: 0.5 });

    await kubectl(['-n', ns, 'delete', 'mcptelemetryconfig', 'basic-telemetry']);
    const c = await eventually('TelemetryConfigRefValidated False', async () => {
      const found = await condition('fetch', 'TelemetryConfigRefValidated');
      return found?.status === 'False' ? found : undefined;
    });
    expect(c.reason).to.equal('TelemetryConfigRefNotFound');
    expect(await telemetryOf('fetch')).to.deep.equal(changed);
  });
});
