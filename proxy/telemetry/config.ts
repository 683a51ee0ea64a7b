// The run config's `telemetry` section: what the controller resolves from spec.telemetryConfigRef (with
// its MCPTelemetryConfig) or the older inline spec.telemetry, in ToolHive's terms. The proxy exports
// OTLP over HTTP (JSON bodies) to `endpoint`, as ToolHive does to its host:port; secrets never appear
// here: sensitive headers name the environment variable that holds their value.

export interface RunConfigTelemetry {
  /** service.name on every span and metric (ToolHive: telemetryConfigRef.serviceName, else thv-<server>). */
  serviceName: string;
  /** OTLP/HTTP base URL, http(s)://host:port[/path]; traces go to <endpoint>/v1/traces, metrics to /v1/metrics. */
  endpoint?: string;
  /** Plain headers sent with every export. */
  headers?: Record<string, string>;
  /** Header name -> the environment variable holding its value (sensitiveHeaders, from Secrets). */
  headersFromEnv?: Record<string, string>;
  /** Extra resource attributes (resourceAttributes). */
  resourceAttributes?: Record<string, string>;
  /** samplingRate: the fraction of traces started here that are recorded; a client's sampled parent wins. */
  tracing?: { enabled: boolean; samplingRate: number };
  metrics?: { enabled: boolean };
  /** Emit ToolHive's older attribute names beside the semantic-convention ones (ToolHive's default: true). */
  useLegacyAttributes?: boolean;
  /** PEM bundle trusted for an https endpoint, besides the system's (caBundleRef, mounted). */
  caBundleFile?: string;
  /** Accepted for ToolHive compatibility; /metrics is always served (see README: Telemetry). */
  prometheus?: { enabled: boolean };
}

/** ToolHive's default sampling rate ("0.05"). */
export const DEFAULT_SAMPLING_RATE = 0.05;

/** What the proxy will export: nothing unless an endpoint and at least one signal are on. */
export function signalsOf(t: RunConfigTelemetry | undefined): { traces: boolean; metrics: boolean } {
  const exporting = t?.endpoint !== undefined && t.endpoint !== '';
  return {
    traces: exporting && t.tracing?.enabled === true,
    metrics: exporting && t.metrics?.enabled === true,
  };
}

/** The export headers: plain ones, then each sensitive one read from its environment variable. */
export function exportHeaders(t: RunConfigTelemetry, env: NodeJS.ProcessEnv): Record<string, string> {
  const headers: Record<string, string> = { ...t.headers };
  for (const [name, variable] of Object.entries(t.headersFromEnv ?? {})) {
    const value = env[variable];
    if (value === undefined) throw new Error(`telemetry.headersFromEnv.${name}: ${variable} is not set`);
    headers[name] = value;
  }
  return headers;
}

/** The problem with a telemetry section's shape, if any (the rest is checked when the SDK starts). */
export function telemetryProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'telemetry must be an object';
  const t = value as Partial<RunConfigTelemetry>;
  if (typeof t.serviceName !== 'string' || t.serviceName === '') return 'telemetry.serviceName is required';
  if (t.endpoint !== undefined && !/^https?:\/\/[^/]/.test(t.endpoint))
    return 'telemetry.endpoint must be an http:// or https:// URL';
  const rate = t.tracing?.samplingRate;
  if (rate !== undefined && !(typeof rate === 'number' && rate >= 0 && rate <= 1))
    return 'telemetry.tracing.samplingRate must be a number from 0 to 1';
  return undefined;
}
