// Each companion kind's own admission and printer columns on the real API server, through the production
// webhook configurations (the webhook in process, local-webhook.ts). The companions' CRDs carry no CEL
// rules, so every denial below but MCPGroup's is the webhook's (the CRD would store them all):
// - MCPToolConfig, MCPTelemetryConfig, MCPWebhookConfig, MCPExternalAuthConfig: a bad object denied with
//   every error at once, by field path; a warning reaches kubectl;
// - MCPGroup: its spec has one string field, so the CRD refuses a bad one (by field path) before the
//   webhook is asked; that the webhook is on the path anyway is shown by its failing closed when stopped;
// - an MCPServer naming four missing companions: four Not found errors at once;
// - `kubectl get` of each kind prints its columns with the values the spec and status hold.
import { expect } from 'chai';
import { controlPlane, installCrd } from './harness.ts';
import { type LocalWebhook, startLocalWebhook } from './local-webhook.ts';

const NS = `companion-admission-${process.pid}`;
const GROUP = 'toolhive.stacklok.dev';

type Json = Record<string, unknown>;
const kubectl = (args: string[], stdin?: string) => controlPlane().kubectl(args, stdin);
const object = (kind: string, name: string, spec: Json): Json => ({
  apiVersion: `${GROUP}/v1beta1`,
  kind,
  metadata: { name, namespace: NS },
  spec,
});
const apply = (o: Json) => kubectl(['apply', '-f', '-'], JSON.stringify(o));

/** `kubectl get` as rows of {header: cell}, cut at the header's column starts (cells may be empty). */
async function table(kind: string): Promise<Record<string, string>[]> {
  const r = await kubectl(['get', kind, '-n', NS]);
  expect(r.code, r.stderr).to.equal(0);
  const [header, ...lines] = r.stdout.split('\n').filter((l) => l.trim() !== '');
  const starts = [...header!.matchAll(/\S+/g)].map((m) => ({ name: m[0], at: m.index }));
  return lines.map((line) =>
    Object.fromEntries(
      starts.map(({ name, at }, i) => [name, line.slice(at, starts[i + 1]?.at ?? line.length).trim()]),
    ),
  );
}

describe('the companion kinds’ own admission and columns on a real API server', function () {
  this.timeout(120_000);
  let webhook: LocalWebhook;

  before(async () => {
    await installCrd();
    await kubectl(['create', 'namespace', NS]);
    webhook = await startLocalWebhook('companion-admission');
  });
  after(async () => {
    await webhook?.remove();
    await kubectl(['delete', 'namespace', NS, '--wait=false']);
  });

  it('MCPWebhookConfig: an http URL and a 45s timeout denied at once; an empty spec denied; insecureSkipVerify warned', async () => {
    const bad = await apply(
      object('MCPWebhookConfig', 'bad', {
        validating: [{ name: 'v', url: 'http://hook.example.com/v', timeout: '45s' }],
      }),
    );
    expect(bad.code).not.to.equal(0);
    expect(bad.stderr).to.include('spec.validating[0].url: Invalid value: "http://hook.example.com/v"');
    expect(bad.stderr).to.include('webhook URL must use HTTPS');
    expect(bad.stderr).to.include('spec.validating[0].timeout: Invalid value: "45s"');
    const empty = await apply(object('MCPWebhookConfig', 'empty', {}));
    expect(empty.code).not.to.equal(0);
    expect(empty.stderr).to.include('at least one validating or mutating webhook must be defined');
    const dev = await apply(
      object('MCPWebhookConfig', 'dev', {
        mutating: [{ name: 'm', url: 'http://hook.dev:8080/m', tlsConfig: { insecureSkipVerify: true } }],
      }),
    );
    expect(dev.code, dev.stderr).to.equal(0);
    expect(dev.stderr).to.match(/Warning: spec\.mutating\[0\]\.tlsConfig\.insecureSkipVerify/);
  });

  it('MCPToolConfig: an empty override and two tools given one name denied at once, by field path', async () => {
    const r = await apply(
      object('MCPToolConfig', 'bad', {
        toolsFilter: ['fetch'],
        toolsOverride: { fetch: {}, read: { name: 'get' }, write: { name: 'get' } },
      }),
    );
    expect(r.code).not.to.equal(0);
    expect(r.stderr).to.include('spec.toolsOverride[fetch]: Required value');
    expect(r.stderr).to.include('spec.toolsOverride[write].name: Duplicate value: "get"');
    const renamed = await apply(
      object('MCPToolConfig', 'renamed', {
        toolsFilter: ['fetch'],
        toolsOverride: { fetch: { name: 'get' } },
      }),
    );
    expect(renamed.code, renamed.stderr).to.equal(0);
    expect(renamed.stderr).to.include('Warning: spec.toolsFilter[0]: "fetch" is renamed to "get"');
  });

  it('MCPTelemetryConfig: an endpoint with nothing enabled and a header both plain and sensitive denied at once', async () => {
    const r = await apply(
      object('MCPTelemetryConfig', 'bad', {
        openTelemetry: {
          endpoint: 'otel-collector:4318',
          headers: { 'x-api-key': 'plain' },
          sensitiveHeaders: [{ name: 'x-api-key', secretKeyRef: { name: 'otel', key: 'key' } }],
        },
      }),
    );
    expect(r.code).not.to.equal(0);
    expect(r.stderr).to.include(
      'spec.openTelemetry.endpoint: Invalid value: "otel-collector:4318": endpoint requires at least one of tracing or metrics to be enabled',
    );
    expect(r.stderr).to.include(
      'spec.openTelemetry.sensitiveHeaders[0].name: Invalid value: "x-api-key": a header name cannot appear in both headers and sensitiveHeaders',
    );
  });

  it('MCPExternalAuthConfig: a header the proxy sets itself, and a member of another type, denied at once', async () => {
    const r = await apply(
      object('MCPExternalAuthConfig', 'bad', {
        type: 'headerInjection',
        headerInjection: { headerName: 'Mcp-Session-Id', valueSecretRef: { name: 's', key: 'k' } },
        bearerToken: { tokenSecretRef: { name: 's', key: 'k' } },
      }),
    );
    expect(r.code).not.to.equal(0);
    expect(r.stderr).to.include('spec.headerInjection.headerName: Forbidden: the proxy sets Mcp-Session-Id');
    expect(r.stderr).to.include(
      "spec.bearerToken: Forbidden: bearerToken configuration must be set if and only if type is 'bearerToken'",
    );
  });

  it('MCPGroup: the CRD refuses a bad spec by field path; with the webhook down, creation fails closed', async () => {
    const bad = await apply(object('MCPGroup', 'bad', { description: 7 }));
    expect(bad.code).not.to.equal(0);
    expect(bad.stderr).to.match(/spec\.description: Invalid value: "integer": .*must be of type string/);
    await webhook.stop();
    try {
      const down = await apply(object('MCPGroup', 'while-down', { description: 'fine' }));
      expect(down.code).not.to.equal(0);
      expect(down.stderr).to.include('failed calling webhook "validate.mcpgroup.toolhive.stacklok.dev"');
    } finally {
      await webhook.start();
    }
    const ok = await apply(object('MCPGroup', 'team', { description: 'fine' }));
    expect(ok.code, ok.stderr).to.equal(0);
  });

  it('an MCPServer naming four missing companions is denied with all four, by field path', async () => {
    const r = await apply(
      object('MCPServer', 'lonely', {
        image: 'ghcr.io/example/server:1',
        transport: 'streamable-http',
        mcpPort: 8080,
        toolConfigRef: { name: 'no-tools' },
        telemetryConfigRef: { name: 'no-otel' },
        externalAuthConfigRef: { name: 'no-auth' },
        webhookConfigRef: { name: 'no-hooks' },
      }),
    );
    expect(r.code).not.to.equal(0);
    for (const [field, name] of [
      ['toolConfigRef', 'no-tools'],
      ['telemetryConfigRef', 'no-otel'],
      ['externalAuthConfigRef', 'no-auth'],
      ['webhookConfigRef', 'no-hooks'],
    ])
      expect(r.stderr).to.include(`spec.${field}.name: Not found: "${name}"`);
  });

  it('kubectl get prints each kind’s columns with their values', async () => {
    const telemetry = object('MCPTelemetryConfig', 'otel', {
      openTelemetry: {
        endpoint: 'otel-collector:4318',
        tracing: { enabled: true },
        metrics: { enabled: false },
      },
    });
    const auth = object('MCPExternalAuthConfig', 'bearer', {
      type: 'bearerToken',
      bearerToken: { tokenSecretRef: { name: 's', key: 'k' } },
    });
    for (const o of [telemetry, auth]) {
      const r = await apply(o);
      expect(r.code, r.stderr).to.equal(0);
    }
    const [otel] = await table('mcptelemetryconfigs');
    expect(Object.keys(otel!)).to.deep.equal(['NAME', 'ENDPOINT', 'VALID', 'TRACING', 'METRICS', 'AGE']);
    expect(otel).to.include({
      NAME: 'otel',
      ENDPOINT: 'otel-collector:4318',
      TRACING: 'true',
      METRICS: 'false',
    });
    const [bearer] = await table('mcpexternalauthconfigs');
    expect(Object.keys(bearer!)).to.deep.equal(['NAME', 'TYPE', 'VALID', 'AGE']);
    expect(bearer).to.include({ NAME: 'bearer', TYPE: 'bearerToken' });
    const tools = await table('mcptoolconfigs');
    expect(Object.keys(tools[0]!)).to.deep.equal(['NAME', 'VALID', 'AGE']);
    expect(tools.map((row) => row.NAME)).to.deep.equal(['renamed']);
    const hooks = await table('mcpwebhookconfigs');
    expect(Object.keys(hooks[0]!)).to.deep.equal(['NAME', 'VALID', 'AGE']);
    expect(hooks.map((row) => row.NAME)).to.deep.equal(['dev']);
    const [group] = await table('mcpgroups');
    expect(Object.keys(group!)).to.deep.equal(['NAME', 'SERVERS', 'PHASE', 'AGE']);
    // No controller runs in this file: the status columns are empty (groups.test shows them filled).
    expect(group).to.include({ NAME: 'team', SERVERS: '', PHASE: '' });
    // No controller writes a Valid condition on a companion (see docs/issue-17-coverage.md): the column
    // ToolHive prints stays empty here.
    expect([otel!.VALID, bearer!.VALID, tools[0]!.VALID, hooks[0]!.VALID]).to.deep.equal(['', '', '', '']);
  });
});
