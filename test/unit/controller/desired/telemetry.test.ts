// controller/desired/telemetry.ts: ToolHive's normalization of MCPTelemetryConfig (by reference) and of
// the inline spec.telemetry into the run config's `telemetry` section, Secrets as variables only.
import { expect } from 'chai';
import { telemetryPlan, samplingRate, type TelemetryPlan } from '../../../../controller/desired/telemetry.ts';
import type { Dict } from '../../../../controller/desired/types.ts';
import { facts, mcpServer, withSpec } from '../builders.ts';

const telemetryConfig = (name: string, spec: Dict): Dict => ({
  apiVersion: 'toolhive.stacklok.dev/v1beta1',
  kind: 'MCPTelemetryConfig',
  metadata: { name, namespace: 'team-a' },
  spec,
});
const companions = (...configs: Dict[]) => ({
  ...facts(),
  companions: new Map<string, Dict | undefined>(
    configs.map((c) => [`MCPTelemetryConfig/${(c.metadata as Dict).name as string}`, c]),
  ),
});

const SHARED = telemetryConfig('shared', {
  openTelemetry: {
    enabled: true,
    endpoint: 'https://otel-collector.monitoring:4318',
    insecure: true,
    headers: { 'x-team': 'a' },
    sensitiveHeaders: [{ name: 'Authorization', secretKeyRef: { name: 'otel-auth', key: 'token' } }],
    resourceAttributes: { 'deployment.environment': 'prod' },
    tracing: { enabled: true, samplingRate: '0.25' },
    metrics: { enabled: true },
  },
  prometheus: { enabled: true },
});

describe('telemetryPlan', () => {
  const cases: Record<string, { server: ReturnType<typeof mcpServer>; facts: Dict; want: TelemetryPlan }> = {
    'a server without telemetry gets no section': {
      server: mcpServer('fetch'),
      facts: facts() as never,
      want: { env: [], egressPorts: [], hold: false },
    },
    'a reference: endpoint with the scheme insecure picks, Secrets as variables, thv- service name': {
      server: mcpServer('fetch', withSpec({ telemetryConfigRef: { name: 'shared' } })),
      facts: companions(SHARED),
      want: {
        section: {
          serviceName: 'thv-fetch',
          prometheus: { enabled: true },
          endpoint: 'http://otel-collector.monitoring:4318',
          headers: { 'x-team': 'a' },
          resourceAttributes: { 'deployment.environment': 'prod' },
          tracing: { enabled: true, samplingRate: 0.25 },
          metrics: { enabled: true },
          useLegacyAttributes: true,
          headersFromEnv: { Authorization: 'TOOLHIVE_OTEL_HEADER_0' },
        },
        env: [
          {
            name: 'TOOLHIVE_OTEL_HEADER_0',
            valueFrom: { secretKeyRef: { name: 'otel-auth', key: 'token' } },
          },
        ],
        egressPorts: [4318],
        hold: false,
        finding: {
          status: 'True',
          reason: 'TelemetryConfigRefValid',
          message:
            'MCPTelemetryConfig shared applied: the proxy exports to http://otel-collector.monitoring:4318',
        },
      },
    },
    "a reference's serviceName wins": {
      server: mcpServer(
        'fetch',
        withSpec({ telemetryConfigRef: { name: 'off', serviceName: 'fetch-prod' } }),
      ),
      facts: companions(
        telemetryConfig('off', {
          openTelemetry: { enabled: false, endpoint: 'x:4318' },
          prometheus: { enabled: true },
        }),
      ),
      want: {
        section: { serviceName: 'fetch-prod', prometheus: { enabled: true } },
        env: [],
        egressPorts: [],
        hold: false,
        finding: {
          status: 'True',
          reason: 'TelemetryConfigRefValid',
          message: 'MCPTelemetryConfig off applied: the proxy exports nothing',
        },
      },
    },
    'a missing MCPTelemetryConfig holds the proxy': {
      server: mcpServer('fetch', withSpec({ telemetryConfigRef: { name: 'gone' } })),
      facts: { ...facts(), companions: new Map([['MCPTelemetryConfig/gone', undefined]]) },
      want: {
        env: [],
        egressPorts: [],
        hold: true,
        finding: {
          status: 'False',
          reason: 'TelemetryConfigRefNotFound',
          message:
            'MCPTelemetryConfig gone not found in namespace team-a; the proxy keeps the configuration it had',
        },
      },
    },
    'the inline shape: key=value headers, https by default, the server name as service name, 0.05': {
      server: mcpServer(
        'fetch',
        withSpec({
          telemetry: {
            openTelemetry: {
              enabled: true,
              endpoint: 'api.honeycomb.io',
              headers: ['x-honeycomb-team=abc'],
              tracing: { enabled: true },
            },
          },
        }),
      ),
      facts: facts() as never,
      want: {
        section: {
          serviceName: 'fetch',
          endpoint: 'https://api.honeycomb.io',
          headers: { 'x-honeycomb-team': 'abc' },
          tracing: { enabled: true, samplingRate: 0.05 },
          metrics: { enabled: false },
          useLegacyAttributes: true,
        },
        env: [],
        egressPorts: [443],
        hold: false,
      },
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(telemetryPlan(c.server, c.facts)).to.deep.equal(c.want));
  }

  it('parses and clamps sampling rates as ToolHive does', () => {
    expect([undefined, '', 'x', '0', '0.5', '1', '7', '-1'].map(samplingRate)).to.deep.equal([
      0.05, 0.05, 0.05, 0, 0.5, 1, 1, 0,
    ]);
  });
});
