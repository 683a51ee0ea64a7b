// A real OpenTelemetry Collector (built by `controlplane/build-binaries.sh otelcol` from
// controlplane/go/otelcol) on a loopback port, for the telemetry tests: its OTLP/HTTP receiver takes what
// the proxy and the operator export, and its file exporter writes every request it got as one OTLP JSON
// line, which spans() and metrics() read back and flatten. The collector's own metrics server is off, so
// several collectors (and other tests) never fight over :8888.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cacheDir, parseEnvFile, repoRoot } from '../../controlplane/versions.ts';

/** One attribute value as OTLP JSON carries it, unwrapped. */
export type AttributeValue = string | number | boolean | null | AttributeValue[];

export interface ReceivedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, AttributeValue>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
  resource: Record<string, AttributeValue>;
  scope: string;
}

/** One data point of a sum, gauge or histogram. */
export interface ReceivedPoint {
  attributes: Record<string, AttributeValue>;
  /** Sums and gauges. */
  value?: number;
  /** Histograms. */
  count?: number;
  sum?: number;
}

export interface ReceivedMetric {
  name: string;
  kind: 'sum' | 'gauge' | 'histogram' | 'other';
  resource: Record<string, AttributeValue>;
  points: ReceivedPoint[];
}

export interface RunningCollector {
  /** The OTLP/HTTP base URL, http://127.0.0.1:PORT (exporters post to /v1/traces and /v1/metrics). */
  url: string;
  /** 127.0.0.1:PORT, as ToolHive's endpoint field names it. */
  hostPort: string;
  spans(): Promise<ReceivedSpan[]>;
  metrics(): Promise<ReceivedMetric[]>;
  /** Polls until pick returns something (not undefined, not an empty array), or throws after timeoutMs. */
  waitFor<T>(pick: () => Promise<T | undefined>, what: string, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/** The collector the build put in the cache; throws with the command that makes it. */
export function otelcolPath(): string {
  const env = parseEnvFile(readFileSync(path.join(repoRoot, 'controlplane', 'versions.env'), 'utf8'));
  const file = path.join(cacheDir(), 'bin', `otelcol-${env.OTELCOL_VERSION}`, 'otelcol');
  if (!existsSync(file))
    throw new Error(`${file} is missing: run bash controlplane/build-binaries.sh otelcol`);
  return file;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const configYaml = (port: number, dir: string): string => `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${port}
exporters:
  file/traces:
    path: ${dir}/traces.jsonl
    flush_interval: 50ms
  file/metrics:
    path: ${dir}/metrics.jsonl
    flush_interval: 50ms
service:
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
  pipelines:
    traces: { receivers: [otlp], exporters: [file/traces] }
    metrics: { receivers: [otlp], exporters: [file/metrics] }
`;

export async function startCollector(): Promise<RunningCollector> {
  const binary = otelcolPath();
  const dir = await mkdtemp(path.join(tmpdir(), 'mcp-otelcol-'));
  const port = await freePort();
  await writeFile(path.join(dir, 'config.yaml'), configYaml(port, dir));
  const output: string[] = [];
  const child = spawn(binary, ['--config', `file:${path.join(dir, 'config.yaml')}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await untilReceiving(url, child, output);
  } catch (err) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const lines = async (file: string): Promise<unknown[]> => {
    const text = await readFile(path.join(dir, file), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as unknown);
  };
  return {
    url,
    hostPort: `127.0.0.1:${port}`,
    spans: async () => (await lines('traces.jsonl')).flatMap(flattenSpans),
    metrics: async () => (await lines('metrics.jsonl')).flatMap(flattenMetrics),
    waitFor: (pick, what, timeoutMs = 15_000) => waitFor(pick, what, timeoutMs),
    stop: async () => {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once the receiver answers an empty export with 200. */
async function untilReceiving(url: string, child: ChildProcess, output: string[]): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (child.exitCode !== null)
      throw new Error(`otelcol exited with ${child.exitCode}: ${output.join('').slice(-2000)}`);
    const ok = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`otelcol on ${url} did not start receiving: ${output.join('').slice(-2000)}`);
}

async function waitFor<T>(pick: () => Promise<T | undefined>, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await pick();
    if (found !== undefined && !(Array.isArray(found) && found.length === 0)) return found;
    if (Date.now() > deadline) throw new Error(`the collector did not receive ${what} in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

interface OtlpKeyValue {
  key: string;
  value: Record<string, unknown>;
}

function unwrap(value: Record<string, unknown> | undefined): AttributeValue {
  if (!value) return null;
  if ('stringValue' in value) return value.stringValue as string;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('boolValue' in value) return value.boolValue as boolean;
  if ('arrayValue' in value) {
    const values = ((value.arrayValue as { values?: Record<string, unknown>[] }).values ?? []).map(unwrap);
    return values;
  }
  return null;
}

export const attributesOf = (list: OtlpKeyValue[] | undefined): Record<string, AttributeValue> =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, unwrap(kv.value)]));

interface OtlpResource {
  resource?: { attributes?: OtlpKeyValue[] };
}

function flattenSpans(request: unknown): ReceivedSpan[] {
  type Scoped = { scope?: { name?: string }; spans?: Record<string, unknown>[] };
  const resourceSpans = (request as { resourceSpans?: (OtlpResource & { scopeSpans?: Scoped[] })[] })
    .resourceSpans;
  return (resourceSpans ?? []).flatMap((rs) =>
    (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s) => ({
        name: s.name as string,
        traceId: s.traceId as string,
        spanId: s.spanId as string,
        parentSpanId: (s.parentSpanId as string | undefined) ?? '',
        kind: (s.kind as number | undefined) ?? 0,
        attributes: attributesOf(s.attributes as OtlpKeyValue[]),
        status: { code: 0, ...(s.status as object) },
        resource: attributesOf(rs.resource?.attributes),
        scope: ss.scope?.name ?? '',
      })),
    ),
  );
}

type OtlpPoint = {
  attributes?: OtlpKeyValue[];
  asInt?: string;
  asDouble?: number;
  count?: string;
  sum?: number;
};

function flattenMetrics(request: unknown): ReceivedMetric[] {
  type Scoped = { metrics?: Record<string, { dataPoints?: OtlpPoint[] } | string>[] };
  const resourceMetrics = (request as { resourceMetrics?: (OtlpResource & { scopeMetrics?: Scoped[] })[] })
    .resourceMetrics;
  return (resourceMetrics ?? []).flatMap((rm) =>
    (rm.scopeMetrics ?? []).flatMap((sm) =>
      (sm.metrics ?? []).map((m) => {
        const kind = (['sum', 'gauge', 'histogram'] as const).find((k) => k in m) ?? 'other';
        const data = kind === 'other' ? undefined : (m[kind] as { dataPoints?: OtlpPoint[] });
        return {
          name: m.name as string,
          kind,
          resource: attributesOf(rm.resource?.attributes),
          points: (data?.dataPoints ?? []).map(pointOf),
        };
      }),
    ),
  );
}

function pointOf(p: OtlpPoint): ReceivedPoint {
  const point: ReceivedPoint = { attributes: attributesOf(p.attributes) };
  if (p.asInt !== undefined) point.value = Number(p.asInt);
  if (p.asDouble !== undefined) point.value = p.asDouble;
  if (p.count !== undefined) point.count = Number(p.count);
  if (p.sum !== undefined) point.sum = p.sum;
  return point;
}
