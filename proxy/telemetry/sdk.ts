// The OpenTelemetry SDK as the proxy uses it: a tracer provider whose spans leave through a batch span
// processor (export never blocks a request), sampled by ParentBased(TraceIdRatioBased(samplingRate)), and
// a meter provider read every exportIntervalMs, both exporting OTLP/HTTP to the run config's endpoint.
// Loaded only when telemetry is on (wiring.ts imports this file dynamically), so a plain proxy never
// loads the SDK. Nothing is registered globally: the tracer and meter are handed to the backend.
import type { Meter, Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TracerProvider,
  TraceIdRatioBasedSampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { readFileSync } from 'node:fs';
import { DEFAULT_SAMPLING_RATE, exportHeaders, signalsOf, type RunConfigTelemetry } from './config.ts';

/** The instrumentation scope of the proxy's spans and metrics. */
export const SCOPE = 'mcp-operator-proxy';

/** How often metrics are exported: ToolHive's (the Go SDK's) default is 60 s; 15 s gives dashboards more. */
export const EXPORT_INTERVAL_MS = 15_000;

/** Finished spans leave at least this often (the SDK's default is 5 s). */
export const SPAN_DELAY_MS = 1000;

export interface TelemetrySdk {
  /** Absent when tracing is off. */
  tracer?: Tracer;
  /** Absent when metrics are off. */
  meter?: Meter;
  propagator: W3CTraceContextPropagator;
  /** Exports what is pending now (tests; shutdown does it too). */
  flush(): Promise<void>;
  /** Exports what is pending, then stops. */
  shutdown(): Promise<void>;
}

export interface SdkOptions {
  env?: NodeJS.ProcessEnv;
  /** Tests: where spans and metrics go instead of OTLP. */
  spanExporter?: SpanExporter;
  metricExporter?: PushMetricExporter;
  exportIntervalMs?: number;
  /** Tests: how long finished spans wait to be batched (1 s otherwise). */
  scheduledDelayMs?: number;
  /** The proxy's version, as service.version. */
  version?: string;
}

export function createTelemetrySdk(t: RunConfigTelemetry, options: SdkOptions = {}): TelemetrySdk {
  const signals = signalsOf(t);
  const resource = resourceFromAttributes({
    ...t.resourceAttributes,
    'service.name': t.serviceName,
    ...(options.version ? { 'service.version': options.version } : {}),
  });
  const http = t.endpoint ? exporterConfig(t, options.env ?? process.env) : {};
  const traces =
    signals.traces || options.spanExporter ? tracerProvider(t, resource, http, options) : undefined;
  const metrics =
    signals.metrics || options.metricExporter ? meterProvider(t, resource, http, options) : undefined;
  return {
    tracer: traces?.getTracer(SCOPE, options.version),
    meter: metrics?.getMeter(SCOPE, options.version),
    propagator: new W3CTraceContextPropagator(),
    flush: async () => {
      await Promise.all([traces?.forceFlush(), metrics?.forceFlush()]);
    },
    shutdown: async () => {
      await Promise.all([traces?.shutdown(), metrics?.shutdown()]);
    },
  };
}

type ExporterConfig = ReturnType<typeof exporterConfig>;

function tracerProvider(
  t: RunConfigTelemetry,
  resource: Resource,
  http: ExporterConfig,
  options: SdkOptions,
) {
  const exporter = options.spanExporter ?? new OTLPTraceExporter({ ...http, url: `${t.endpoint}/v1/traces` });
  return new TracerProvider({
    resource,
    sampler: new ParentBasedSampler({
      root: new TraceIdRatioBasedSampler(t.tracing?.samplingRate ?? DEFAULT_SAMPLING_RATE),
    }),
    spanProcessors: [
      new BatchSpanProcessor({ exporter, scheduledDelayMillis: options.scheduledDelayMs ?? SPAN_DELAY_MS }),
    ],
  });
}

function meterProvider(t: RunConfigTelemetry, resource: Resource, http: ExporterConfig, options: SdkOptions) {
  const exporter =
    options.metricExporter ?? new OTLPMetricExporter({ ...http, url: `${t.endpoint}/v1/metrics` });
  const exportIntervalMillis = options.exportIntervalMs ?? EXPORT_INTERVAL_MS;
  return new MeterProvider({
    resource,
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis })],
  });
}

function exporterConfig(
  t: RunConfigTelemetry,
  env: NodeJS.ProcessEnv,
): { headers?: Record<string, string>; httpAgentOptions?: { ca: Buffer; keepAlive: boolean } } {
  const ca = t.caBundleFile ? readFileSync(t.caBundleFile) : undefined;
  return {
    headers: exportHeaders(t, env),
    ...(ca ? { httpAgentOptions: { ca, keepAlive: true } } : {}),
  };
}
