// webhook/rules/telemetry.ts (MCPServer's telemetry fields) and companions/mcptelemetryconfig.ts
// (ToolHive's CEL rule and Validate() checks): whole lists of field errors, by path and type.
import { expect } from 'chai';
import { FieldPath, forbidden } from '../../../../webhook/field.ts';
import { validateMCPTelemetryConfig } from '../../../../webhook/rules/companions/mcptelemetryconfig.ts';
import { BOTH_TELEMETRY, checkTelemetry, telemetryWarnings } from '../../../../webhook/rules/telemetry.ts';

const config = (openTelemetry: Record<string, unknown>) => ({
  apiVersion: 'toolhive.stacklok.dev/v1beta1',
  kind: 'MCPTelemetryConfig',
  metadata: { name: 'otel', namespace: 'team-a' },
  spec: { openTelemetry },
});
const brief = (errors: { type: string; field: string }[]) => errors.map((e) => `${e.field}: ${e.type}`);

describe('validateMCPTelemetryConfig', () => {
  const cases: Record<string, { otel: Record<string, unknown>; want: string[] }> = {
    "accepts ToolHive's example shape": {
      otel: {
        enabled: true,
        endpoint: 'otel-collector.monitoring:4318',
        insecure: true,
        headers: { 'x-team': 'a' },
        sensitiveHeaders: [{ name: 'Authorization', secretKeyRef: { name: 's', key: 'k' } }],
        tracing: { enabled: true, samplingRate: '0.05' },
        metrics: { enabled: true },
      },
      want: [],
    },
    'an endpoint with neither tracing nor metrics': {
      otel: { enabled: true, endpoint: 'collector:4318' },
      want: ['spec.openTelemetry.endpoint: FieldValueInvalid'],
    },
    'a header in both headers and sensitiveHeaders (the CEL rule)': {
      otel: {
        endpoint: 'collector:4318',
        metrics: { enabled: true },
        headers: { Authorization: 'x' },
        sensitiveHeaders: [{ name: 'Authorization', secretKeyRef: { name: 's', key: 'k' } }],
      },
      want: ['spec.openTelemetry.sensitiveHeaders[0].name: FieldValueInvalid'],
    },
    'a sampling rate outside 0..1 (the schema pattern) and a bad endpoint': {
      otel: { endpoint: 'http://bad host', tracing: { enabled: true, samplingRate: '1.5' } },
      want: [
        'spec.openTelemetry.tracing.samplingRate: FieldValueInvalid',
        'spec.openTelemetry.endpoint: FieldValueInvalid',
      ],
    },
    'caBundleRef with insecure, and not supported': {
      otel: { insecure: true, caBundleRef: { configMapRef: { name: 'ca' } } },
      want: [
        'spec.openTelemetry.caBundleRef: FieldValueInvalid',
        'spec.openTelemetry.caBundleRef: FieldValueForbidden',
      ],
    },
  };
  for (const [name, c] of Object.entries(cases))
    it(name, () => expect(brief(validateMCPTelemetryConfig(config(c.otel)).errors)).to.deep.equal(c.want));
});

describe('checkTelemetry', () => {
  const server = (spec: Record<string, unknown>) => ({ spec: { image: 'x', ...spec } });
  it("refuses telemetry with telemetryConfigRef, with ToolHive's message", () => {
    const errors = checkTelemetry(server({ telemetry: {}, telemetryConfigRef: { name: 'otel' } }));
    expect(errors).to.deep.equal([forbidden(FieldPath.of('spec').child('telemetry'), BOTH_TELEMETRY)]);
  });
  it("accepts ToolHive's documented inline example and warns it is deprecated", () => {
    const inline = {
      openTelemetry: {
        enabled: true,
        endpoint: 'otel-collector-opentelemetry-collector.monitoring.svc.cluster.local:4318',
        serviceName: 'mcp-fetch-server',
        insecure: true,
        metrics: { enabled: true },
        tracing: { enabled: true, samplingRate: '0.05' },
      },
      prometheus: { enabled: true },
    };
    expect(checkTelemetry(server({ telemetry: inline }))).to.deep.equal([]);
    expect(telemetryWarnings(server({ telemetry: inline }))).to.have.length(1);
  });
  it('checks the inline shape by field path', () => {
    const errors = checkTelemetry(
      server({ telemetry: { openTelemetry: { tracing: { samplingRate: 0.5 }, headers: ['novalue'] } } }),
    );
    expect(brief(errors)).to.deep.equal([
      'spec.telemetry.openTelemetry.tracing.samplingRate: FieldValueInvalid',
      'spec.telemetry.openTelemetry.headers[0]: FieldValueInvalid',
    ]);
  });
});
