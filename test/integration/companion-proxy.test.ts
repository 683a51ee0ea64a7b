// The companions end to end: manifests admitted by the real API server (the production webhook
// configurations, webhook in process), the controller (in process) writing each proxy's run config and
// Deployment, and then the proxy run from exactly that: the ConfigMap's runconfig.json, with the
// Deployment's environment resolved from its Secrets as the kubelet would (the target swapped for a
// local MCP server, as no pod runs here). The MCP SDK client talks to that proxy:
// - spec.toolConfigRef: the MCPToolConfig's filter and rename; spec.tools: the inline filter;
// - spec.externalAuthConfigRef: bearerToken and headerInjection values from the Secret reach the server;
// - spec.webhookConfigRef: a real HTTP webhook (insecureSkipVerify) denies a call, HMAC-signed with the
//   Secret's key;
// - spec.trustProxyHeaders + endpointPrefix: the SSE endpoint event names the public URL under the prefix.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { expect } from 'chai';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { defaultControllerConfig } from '../../controller/config.ts';
import { Manager } from '../../controller/manager.ts';
import { silentLogger } from '../../lib/log.ts';
import { configFromFile, type RunConfigFile } from '../../proxy/config.ts';
import { runProxy, type StartedProxy } from '../../proxy/proxy.ts';
import {
  startRecordingServer,
  type RecordingServer,
} from '../unit/proxy/outgoing-auth/support/recording-server.ts';
import { EVERYTHING, firstText, nodeCommand } from '../unit/proxy/support/servers.ts';
import { controlPlane, eventually, installCrd } from './harness.ts';
import { type LocalWebhook, startLocalWebhook } from './local-webhook.ts';

const NS = `companion-proxy-${process.pid}`;
const GROUP = 'toolhive.stacklok.dev';
const HMAC_KEY = 'hmac-key-from-the-secret';

type Json = Record<string, unknown>;
const kubectl = (args: string[], stdin?: string) => controlPlane().kubectl(args, stdin);
const object = (kind: string, name: string, spec: Json): Json => ({
  apiVersion: `${GROUP}/v1beta1`,
  kind,
  metadata: { name, namespace: NS },
  spec,
});
async function apply(o: Json): Promise<void> {
  const r = await kubectl(['apply', '-f', '-'], JSON.stringify(o));
  expect(r.code, r.stderr).to.equal(0);
}
const getJson = async (args: string[]): Promise<Json> => {
  const r = await kubectl([...args, '-n', NS, '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Json;
};

/** The proxy container's environment as the kubelet gives it: values and secretKeyRefs resolved. */
async function podEnv(name: string): Promise<NodeJS.ProcessEnv> {
  const d = (await getJson(['get', 'deployment', name])) as {
    spec: { template: { spec: { containers: { env?: Json[] }[] } } };
  };
  const env: NodeJS.ProcessEnv = {};
  for (const v of d.spec.template.spec.containers[0]!.env ?? []) {
    const ref = (v.valueFrom as { secretKeyRef?: { name: string; key: string } } | undefined)?.secretKeyRef;
    if (typeof v.value === 'string') env[v.name as string] = v.value;
    else if (ref) {
      const secret = (await getJson(['get', 'secret', ref.name])) as { data: Record<string, string> };
      env[v.name as string] = Buffer.from(secret.data[ref.key]!, 'base64').toString();
    }
  }
  return env;
}

/** The proxy as the controller configured it, in front of `target`. */
async function proxyFor(name: string, target: RunConfigFile['target']): Promise<StartedProxy> {
  const cm = await eventually(`${name}'s run config`, async () => {
    const r = await kubectl(['get', 'configmap', `${name}-runconfig`, '-n', NS, '-o', 'json']);
    return r.code === 0 ? (JSON.parse(r.stdout) as { data: Record<string, string> }) : undefined;
  });
  const file = JSON.parse(cm.data['runconfig.json']!) as RunConfigFile;
  const config = configFromFile({ ...file, target });
  const env = await podEnv(name);
  // runProxy's env is for outgoingAuth; the webhooks' HMAC keys are read from process.env, as in the pod.
  for (const [k, v] of Object.entries(env)) if (k.startsWith('MCP_WEBHOOK_HMAC_')) process.env[k] = v;
  try {
    return await runProxy(
      { ...config, host: '127.0.0.1', port: 0 },
      { log: silentLogger(), processMetrics: false, env },
    );
  } finally {
    for (const k of Object.keys(env)) if (k.startsWith('MCP_WEBHOOK_HMAC_')) delete process.env[k];
  }
}

async function connect(proxy: StartedProxy): Promise<Client> {
  const client = new Client({ name: 'companion-proxy', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${proxy.url}/mcp`)));
  return client;
}

const everything = { kind: 'command' as const, command: nodeCommand(EVERYTHING, 'stdio') };
const stdioServer = (name: string, extra: Json) =>
  object('MCPServer', name, { image: 'ghcr.io/example/server:1', transport: 'stdio', ...extra });
const httpServer = (name: string, extra: Json) =>
  object('MCPServer', name, {
    image: 'ghcr.io/example/server:1',
    transport: 'streamable-http',
    mcpPort: 8080,
    ...extra,
  });

interface Hook {
  body: { mcp_request?: { method?: string; params?: { name?: string } } };
  headers: IncomingHttpHeaders;
  text: string;
}

/** A validating webhook over plain HTTP that denies calls to `echo`, recording what it got. */
async function startHook(seen: Hook[]): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const hook = { body: JSON.parse(text) as Hook['body'], headers: req.headers, text };
      seen.push(hook);
      const denied = hook.body.mcp_request?.params?.name === 'echo';
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(denied ? { allowed: false, message: 'no echo here' } : { allowed: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/validate` };
}

describe('companions end to end: API server, controller, the proxy from its run config, the SDK client', function () {
  this.timeout(120_000);
  let webhook: LocalWebhook;
  let manager: Manager;
  let upstream: RecordingServer;
  let hook: { server: Server; url: string };
  const hooks: Hook[] = [];
  const open: { close(): Promise<void> }[] = [];

  before(async () => {
    await installCrd();
    await kubectl(['create', 'namespace', NS]);
    webhook = await startLocalWebhook('companion-proxy');
    upstream = await startRecordingServer();
    hook = await startHook(hooks);
    const secret = await kubectl([
      ...['-n', NS, 'create', 'secret', 'generic', 'upstream'],
      ...[
        '--from-literal=token=t0k-from-secret',
        '--from-literal=api=key-from-secret',
        `--from-literal=hmac=${HMAC_KEY}`,
      ],
    ]);
    expect(secret.code, secret.stderr).to.equal(0);
    manager = new Manager({
      access: await loadApiAccess(controlPlane().kubeconfig),
      config: { ...defaultControllerConfig(), proxyImage: 'example.invalid/mcp-operator:test' },
      log: silentLogger(),
      namespaces: [NS],
      workers: 2,
    });
    await manager.start();
  });
  after(async () => {
    for (const o of open.reverse()) await o.close().catch(() => undefined);
    await manager?.stop();
    await webhook?.remove();
    await upstream?.close();
    hook?.server.close();
    await kubectl(['delete', 'namespace', NS, '--wait=false']);
  });

  it('spec.toolConfigRef: the client sees and calls the renamed tool only; spec.tools: the inline filter', async () => {
    await apply(
      object('MCPToolConfig', 'say-only', {
        toolsFilter: ['say'],
        toolsOverride: { echo: { name: 'say', description: 'Says it back' } },
      }),
    );
    await apply(stdioServer('filtered', { toolConfigRef: { name: 'say-only' } }));
    await apply(stdioServer('inline', { tools: ['get-sum'] }));
    const proxy = await proxyFor('filtered', everything);
    open.push(proxy);
    const client = await connect(proxy);
    open.push(client);
    const { tools } = await client.listTools();
    expect(tools.map((t) => [t.name, t.description])).to.deep.equal([['say', 'Says it back']]);
    expect(firstText(await client.callTool({ name: 'say', arguments: { message: 'hi' } }))).to.contain('hi');
    const refused = await client
      .callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } })
      .catch((e: Error) => e);
    expect(refused, 'a call to a filtered-out tool is refused').to.be.instanceOf(Error);
    expect((refused as Error).message).to.contain('get-sum');

    const inline = await proxyFor('inline', everything);
    open.push(inline);
    const other = await connect(inline);
    open.push(other);
    expect((await other.listTools()).tools.map((t) => t.name)).to.deep.equal(['get-sum']);
  });

  it('spec.externalAuthConfigRef: bearerToken and headerInjection values from the Secret reach the server', async () => {
    await apply(
      object('MCPExternalAuthConfig', 'bearer', {
        type: 'bearerToken',
        bearerToken: { tokenSecretRef: { name: 'upstream', key: 'token' } },
      }),
    );
    await apply(
      object('MCPExternalAuthConfig', 'api-key', {
        type: 'headerInjection',
        headerInjection: { headerName: 'X-API-Key', valueSecretRef: { name: 'upstream', key: 'api' } },
      }),
    );
    await apply(httpServer('with-bearer', { externalAuthConfigRef: { name: 'bearer' } }));
    await apply(httpServer('with-key', { externalAuthConfigRef: { name: 'api-key' } }));
    const target = { kind: 'http' as const, url: upstream.url };
    for (const [name, header, value] of [
      ['with-bearer', 'authorization', 'Bearer t0k-from-secret'],
      ['with-key', 'x-api-key', 'key-from-secret'],
    ] as const) {
      const proxy = await proxyFor(name, target);
      open.push(proxy);
      const before = upstream.headers.length;
      const client = await connect(proxy);
      open.push(client);
      await client.callTool({ name: 'whoami', arguments: {} });
      const seen = upstream.headers.slice(before);
      expect(seen.length, name).to.be.at.least(3);
      for (const headers of seen) expect(headers[header], name).to.equal(value);
    }
  });

  it('spec.webhookConfigRef: the webhook denies a call, every body signed with the Secret’s key', async () => {
    await apply(
      object('MCPWebhookConfig', 'policy', {
        validating: [
          {
            name: 'policy',
            url: hook.url,
            tlsConfig: { insecureSkipVerify: true },
            hmacSecretRef: { name: 'upstream', key: 'hmac' },
          },
        ],
      }),
    );
    await apply(stdioServer('hooked', { webhookConfigRef: { name: 'policy' } }));
    const proxy = await proxyFor('hooked', everything);
    open.push(proxy);
    const client = await connect(proxy);
    open.push(client);
    const allowed = await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
    expect(firstText(allowed)).to.contain('5');
    const denied = await client
      .callTool({ name: 'echo', arguments: { message: 'x' } })
      .catch((e: Error) => e);
    expect(denied).to.be.instanceOf(Error);
    expect((denied as Error).message).to.contain('Request denied by policy');
    expect(hooks.map((h) => h.body.mcp_request?.params?.name)).to.include.members(['get-sum', 'echo']);
    for (const h of hooks) {
      const signature = String(h.headers['x-toolhive-signature']);
      const ts = String(h.headers['x-toolhive-timestamp']);
      const want = `sha256=${createHmac('sha256', HMAC_KEY).update(`${ts}.${h.text}`).digest('hex')}`;
      expect(signature).to.equal(want);
    }
  });

  it('spec.trustProxyHeaders and endpointPrefix: the SSE endpoint event names the public URL under the prefix', async () => {
    await apply(stdioServer('behind-ingress', { trustProxyHeaders: true, endpointPrefix: '/team-a' }));
    const proxy = await proxyFor('behind-ingress', everything);
    open.push(proxy);
    const controller = new AbortController();
    const res = await fetch(`${proxy.url}/sse`, {
      headers: {
        accept: 'text/event-stream',
        'x-forwarded-host': '127.0.0.1:9443',
        'x-forwarded-proto': 'https',
      },
      signal: controller.signal,
    });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    try {
      while (!/event: endpoint\ndata: .*\n/.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
    } finally {
      controller.abort();
    }
    expect(/event: endpoint\ndata: (.*)\n/.exec(text)?.[1]).to.match(
      /^https:\/\/127\.0\.0\.1:9443\/team-a\/messages\?sessionId=[\w-]+$/,
    );
  });
});
