// The run config's `telemetry` section (proxy/telemetry/config.ts) from spec.telemetryConfigRef's
// MCPTelemetryConfig or, for older objects, the inline spec.telemetry, normalized as ToolHive's
// spectoconfig does: OpenTelemetry only when openTelemetry.enabled; the endpoint's http:// or https://
// prefix dropped and the scheme chosen by `insecure`; samplingRate parsed and clamped to 0..1 (0.05 when
// unset or unreadable); service name from the reference (else thv-<server>) or the inline serviceName
// (else the server's name). Sensitive headers become environment variables of the proxy from their
// Secrets (TOOLHIVE_OTEL_HEADER_<n>), never values in the ConfigMap. The collector needs no NetworkPolicy
// egress rule: the proxy's egress is not restricted (proxy-networkpolicy.ts restricts ingress only).
// Condition TelemetryConfigRefValidated (ToolHive's) for servers with a reference: False
// TelemetryConfigRefNotFound holds the proxy (children.ts) so it keeps the configuration it had. Pure.
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { companionKey } from '../../schemas/companion-refs.ts';
import { nameOf, namespaceOf } from './names.ts';
import { isDict, str, type Dict, type Finding, type ServerFacts } from './types.ts';

export const TELEMETRY_CONDITION = 'TelemetryConfigRefValidated';
const DEFAULT_SAMPLING_RATE = 0.05;

/** The proxy's RunConfigTelemetry, as written. */
export interface RunConfigTelemetry {
  serviceName: string;
  endpoint?: string;
  headers?: Record<string, string>;
  headersFromEnv?: Record<string, string>;
  resourceAttributes?: Record<string, string>;
  tracing?: { enabled: boolean; samplingRate: number };
  metrics?: { enabled: boolean };
  useLegacyAttributes?: boolean;
  prometheus?: { enabled: boolean };
}

export interface TelemetryPlan {
  section?: RunConfigTelemetry;
  /** The proxy container's variables from Secrets (sensitiveHeaders). */
  env: Dict[];
  /** The collector's port, for the proxy's egress NetworkPolicy (proxy-security.ts). */
  egressPorts: number[];
  finding?: Finding;
  hold: boolean;
}

const NONE: TelemetryPlan = { env: [], egressPorts: [], hold: false };

/** The OTLP endpoint's port: explicit, else the scheme's. */
export function endpointPorts(section: RunConfigTelemetry | undefined): number[] {
  const url = section?.endpoint ? URL.parse(section.endpoint) : null;
  return url ? [Number(url.port) || (url.protocol === 'http:' ? 80 : 443)] : [];
}

export function telemetryPlan(server: MCPServer, facts: Pick<ServerFacts, 'companions'>): TelemetryPlan {
  const spec = server.spec as unknown as Dict;
  const ref = isDict(spec.telemetryConfigRef) ? spec.telemetryConfigRef : undefined;
  if (ref) return fromReference(server, str(ref.name), str(ref.serviceName), facts);
  if (isDict(spec.telemetry)) return fromInline(server, spec.telemetry);
  return NONE;
}

function fromReference(
  server: MCPServer,
  name: string,
  serviceName: string,
  facts: Pick<ServerFacts, 'companions'>,
): TelemetryPlan {
  const config = facts.companions?.get(companionKey('MCPTelemetryConfig', name));
  if (!config) {
    const message = `MCPTelemetryConfig ${name} not found in namespace ${namespaceOf(server)}; the proxy keeps the configuration it had`;
    return {
      env: [],
      egressPorts: [],
      hold: true,
      finding: { status: 'False', reason: 'TelemetryConfigRefNotFound', message },
    };
  }
  const spec = isDict(config.spec) ? config.spec : {};
  const otel = isDict(spec.openTelemetry) ? spec.openTelemetry : {};
  const built = normalize(otel, spec.prometheus, serviceName || `thv-${nameOf(server)}`);
  const sensitive = Array.isArray(otel.sensitiveHeaders) ? otel.sensitiveHeaders.filter(isDict) : [];
  const env = built && otel.enabled === true ? sensitive.map((h, i) => headerEnv(i, h)) : [];
  const section = built && env.length ? withSensitive(built, sensitive) : built;
  const what = section?.endpoint ? `the proxy exports to ${section.endpoint}` : 'the proxy exports nothing';
  return {
    ...(section ? { section } : {}),
    env,
    egressPorts: endpointPorts(section),
    hold: false,
    finding: {
      status: 'True',
      reason: 'TelemetryConfigRefValid',
      message: `MCPTelemetryConfig ${name} applied: ${what}`,
    },
  };
}

function fromInline(server: MCPServer, telemetry: Dict): TelemetryPlan {
  const otel = isDict(telemetry.openTelemetry) ? telemetry.openTelemetry : {};
  const headers = Array.isArray(otel.headers) ? keyValueHeaders(otel.headers) : undefined;
  const section = normalize(
    { ...otel, headers },
    telemetry.prometheus,
    str(otel.serviceName) || nameOf(server),
  );
  return { ...(section ? { section } : {}), env: [], egressPorts: endpointPorts(section), hold: false };
}

/** ToolHive's mapping; undefined when there is nothing to configure. */
function normalize(otel: Dict, prometheus: unknown, serviceName: string): RunConfigTelemetry | undefined {
  const promEnabled = isDict(prometheus) && prometheus.enabled === true;
  const section: RunConfigTelemetry = {
    serviceName,
    ...(promEnabled ? { prometheus: { enabled: true } } : {}),
  };
  if (otel.enabled !== true) return promEnabled ? section : undefined;
  const hostPort = str(otel.endpoint).replace(/^https?:\/\//, '');
  if (hostPort)
    section.endpoint = `${otel.insecure === true ? 'http' : 'https'}://${hostPort}`.replace(/\/+$/, '');
  if (isDict(otel.headers) && Object.keys(otel.headers).length) section.headers = stringMap(otel.headers);
  if (isDict(otel.resourceAttributes)) section.resourceAttributes = stringMap(otel.resourceAttributes);
  const tracing = isDict(otel.tracing) ? otel.tracing : {};
  section.tracing = { enabled: tracing.enabled === true, samplingRate: samplingRate(tracing.samplingRate) };
  section.metrics = { enabled: isDict(otel.metrics) && otel.metrics.enabled === true };
  section.useLegacyAttributes = otel.useLegacyAttributes !== false;
  return section;
}

export function samplingRate(value: unknown): number {
  const rate = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(rate)) return DEFAULT_SAMPLING_RATE;
  return Math.min(1, Math.max(0, rate));
}

/** The inline shape's headers: "key=value" strings (ToolHive's []string). */
function keyValueHeaders(list: unknown[]): Dict {
  const headers: Dict = {};
  for (const item of list) {
    const text = str(item);
    const at = text.indexOf('=');
    if (at > 0) headers[text.slice(0, at).trim()] = text.slice(at + 1).trim();
  }
  return headers;
}

const stringMap = (d: Dict): Record<string, string> =>
  Object.fromEntries(Object.entries(d).map(([k, v]) => [k, str(v)]));

export const headerEnvName = (index: number): string => `TOOLHIVE_OTEL_HEADER_${index}`;

function headerEnv(index: number, header: Dict): Dict {
  const ref = isDict(header.secretKeyRef) ? header.secretKeyRef : {};
  return {
    name: headerEnvName(index),
    valueFrom: { secretKeyRef: { name: str(ref.name), key: str(ref.key) } },
  };
}

function withSensitive(section: RunConfigTelemetry, sensitive: Dict[]): RunConfigTelemetry {
  const headersFromEnv = Object.fromEntries(sensitive.map((h, i) => [str(h.name), headerEnvName(i)]));
  return { ...section, headersFromEnv };
}
