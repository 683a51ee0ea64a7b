// The proxy's backend with telemetry around it when the run config's telemetry section exports
// something (an endpoint, and tracing or metrics on), else the backend itself. Called once by proxy.ts.
// The OpenTelemetry SDK is imported here only then, so a proxy without telemetry never loads it.
// SDK problems (an export the collector refused or never answered) are logged at warn, at most one
// line every 30 s: a collector that is away must not flood the proxy's log, nor slow a request.
import type * as OtelApiModule from '@opentelemetry/api';
import type { Logger } from '../../lib/log.ts';
import type { Backend } from '../backends/backend.ts';
import type { ProxyConfig } from '../config.ts';
import { DEFAULT_SAMPLING_RATE, signalsOf } from './config.ts';

const LOG_EVERY_MS = 30_000;

type OtelApi = typeof OtelApiModule;

export interface TelemetryDeps {
  log: Logger;
  /** Where sensitive headers' variables are read from; process.env when absent. */
  env?: NodeJS.ProcessEnv;
  /** Tests: metrics are exported this often (15 s otherwise). */
  exportIntervalMs?: number;
}

export async function withTelemetry(
  backend: Backend,
  config: Pick<ProxyConfig, 'name' | 'transport' | 'telemetry'>,
  deps: TelemetryDeps,
): Promise<Backend> {
  const t = config.telemetry;
  if (!t) return backend;
  const signals = signalsOf(t);
  if (!signals.traces && !signals.metrics) {
    deps.log.info(
      { serviceName: t.serviceName },
      'Telemetry exports nothing: no endpoint, or neither tracing nor metrics on',
    );
    return backend;
  }
  const [{ createTelemetrySdk }, { TelemetryBackend }, { createInstruments }, api] = await Promise.all([
    import('./sdk.ts'),
    import('./telemetry-backend.ts'),
    import('./instruments.ts'),
    import('@opentelemetry/api'),
  ]);
  routeSdkProblems(api, deps.log);
  const sdk = createTelemetrySdk(t, { env: deps.env, exportIntervalMs: deps.exportIntervalMs });
  deps.log.info(
    {
      endpoint: t.endpoint,
      serviceName: t.serviceName,
      traces: signals.traces,
      metrics: signals.metrics,
      samplingRate: t.tracing?.samplingRate ?? DEFAULT_SAMPLING_RATE,
    },
    'Telemetry is on: MCP requests are traced and counted over OTLP',
  );
  return new TelemetryBackend(backend, {
    tracer: sdk.tracer,
    instruments: sdk.meter && createInstruments(sdk.meter, config.name, config.transport),
    propagator: sdk.propagator,
    server: config.name,
    transport: config.transport,
    legacy: t.useLegacyAttributes !== false,
    onClose: () => sdk.shutdown(),
  });
}

/** The SDK's diagnostics (process-wide) into our log: warnings and errors, throttled. */
function routeSdkProblems(api: OtelApi, log: Logger): void {
  let last = 0;
  let dropped = 0;
  const warn = (message: string, ...args: unknown[]) => {
    const now = Date.now();
    if (now - last < LOG_EVERY_MS) {
      dropped += 1;
      return;
    }
    log.warn({ detail: args.map(String), dropped }, `OpenTelemetry: ${message}`);
    last = now;
    dropped = 0;
  };
  const quiet = () => undefined;
  api.diag.setLogger(
    { error: warn, warn, info: quiet, debug: quiet, verbose: quiet },
    { logLevel: api.DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
}
