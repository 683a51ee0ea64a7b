// Tenancy on the real node: namespace A's MCP server behind a proxy that takes the cluster's own
// ServiceAccount tokens (MCPOIDCConfig kubernetesServiceAccount), a Cedar policy permitting one tool
// (MCPAuthzConfig) and audit on. Clients are pods with projected ServiceAccount tokens, calling with the
// MCP SDK from the operator image (tenant-client.ts):
// - A's pod, with a token for A's audience: 200, tools/list shows the one permitted tool, it answers, and
//   another tool is denied; the proxy's log has an audit line for each request, with A's subject;
// - A's pod without a token: 401 with WWW-Authenticate naming the protected resource metadata;
// - B's pod with a token for A's audience (any pod can ask for any audience): 401, wrong namespace;
// - B's pod reaches A's server pod directly: refused by the server's NetworkPolicy;
// - with the policy's proxyClientNamespaces set, B's pod cannot even connect to A's proxy, A's still can.
import { expect } from 'chai';
import { CHART } from '../../cli/real-node-operator.ts';
import { IMAGES } from '../../realnode/node-images.ts';
import { eventually, helm, kubectl, OPERATOR_NS, RELEASE, runningPods, waitReady } from './harness.ts';
import { connectFrom, startSleeper } from './net-probes.ts';
import { runTenantClient, type TenantResult } from './tenant-client.ts';

const A = 'tenant-a';
const B = 'tenant-b';
const AUDIENCE = 'tenant-a-everything';
const BLOCKED = /^(TIMEOUT|ERROR)/;
const selector = (component: string) =>
  `app.kubernetes.io/instance=everything,app.kubernetes.io/component=${component}`;

const OBJECTS = [
  {
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'MCPOIDCConfig',
    metadata: { name: 'cluster-tokens', namespace: A },
    spec: { type: 'kubernetesServiceAccount', kubernetesServiceAccount: {} },
  },
  {
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'MCPAuthzConfig',
    metadata: { name: 'echo-only', namespace: A },
    spec: {
      type: 'cedarv1',
      config: {
        policies: ['permit(principal, action == Action::"call_tool", resource == Tool::"echo");'],
        entities_json: '[]',
      },
    },
  },
  {
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'MCPServer',
    metadata: { name: 'everything', namespace: A },
    spec: {
      image: IMAGES.everything,
      transport: 'streamable-http',
      mcpPort: 8080,
      oidcConfigRef: { name: 'cluster-tokens', audience: AUDIENCE },
      authzConfigRef: { name: 'echo-only' },
      audit: { enabled: true },
    },
  },
];

async function podIp(ns: string, sel: string): Promise<string> {
  const [pod] = await runningPods(ns, sel);
  if (!pod?.status.podIP) throw new Error(`no running pod ${sel} in ${ns}`);
  return pod.status.podIP;
}

describe('tenancy: who may call which tools, on a real node', function () {
  let url: string;

  before(async function () {
    for (const ns of [A, B]) await kubectl(['create', 'namespace', ns]);
    for (const object of OBJECTS) await kubectl(['apply', '-f', '-'], JSON.stringify(object));
    await waitReady(A, 'everything', 180_000);
    url = (await kubectl(['-n', A, 'get', 'mcpserver', 'everything', '-o', 'jsonpath={.status.url}'])).trim();
    expect(url).to.match(/^http:\/\/mcp-everything-proxy\.tenant-a\.svc\.cluster\.local:\d+\/mcp$/);
  });

  after(async function () {
    for (const ns of [A, B]) await kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  it("A's pod with a token for A's audience calls the permitted tool only, and each call is audited", async function () {
    const result: TenantResult = await runTenantClient(A, 'with-token', url, AUDIENCE);
    expect(result.status, JSON.stringify(result)).to.equal(200);
    expect(result.tools).to.deep.equal(['echo']);
    expect(result.echo).to.equal('Echo: tenant says hi');
    expect(result.sum).to.match(/^DENIED /);
    const logs = await eventually(
      'audit lines in the proxy log',
      async () => {
        const [pod] = await runningPods(A, selector('proxy'));
        const text = await kubectl(['-n', A, 'logs', pod!.metadata.name]);
        return text.includes('tools/call') ? text : undefined;
      },
      30_000,
    );
    const audit = logs
      .split('\n')
      .filter((line) => line.includes('system:serviceaccount:tenant-a:default'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const text = JSON.stringify(audit);
    expect(text, 'the echo call').to.match(/tools\/call/);
    expect(text, 'the tool names').to.include('echo').and.to.include('get-sum');
    expect(text, 'no arguments').not.to.include('tenant says hi');
    expect(logs, 'no token').not.to.match(/eyJ[\w-]{10,}\.[\w-]{10,}/);
  });

  it("A's pod without a token gets 401 and the protected resource metadata's address", async function () {
    const result = await runTenantClient(A, 'no-token', url);
    expect(result.status).to.equal(401);
    expect(result.wwwAuthenticate).to.match(/^Bearer .*resource_metadata="[^"]+"/);
  });

  it("B's pod with a token for A's audience is refused by A's proxy", async function () {
    const result = await runTenantClient(B, 'wrong-tenant', url, AUDIENCE);
    expect(result.status, JSON.stringify(result)).to.equal(401);
    expect(result.tools).to.equal(undefined);
  });

  it("B's pod cannot reach A's MCP server around the proxy", async function () {
    await startSleeper('probe', B);
    const serverIp = await podIp(A, selector('mcp-server'));
    expect(await connectFrom(B, 'probe', 'sleeper', serverIp, 8080)).to.match(BLOCKED);
  });

  it("with proxyClientNamespaces set, B's pods cannot connect to A's proxy, A's still call it", async function () {
    const proxyIp = await podIp(A, selector('proxy'));
    expect(await connectFrom(B, 'probe', 'sleeper', proxyIp, 8080), 'before').to.equal('CONNECTED');
    const upgrade = (value: unknown) =>
      helm([
        'upgrade',
        RELEASE,
        CHART,
        '-n',
        OPERATOR_NS,
        '--reuse-values',
        '--set-json',
        `policy.proxyClientNamespaces=${JSON.stringify(value)}`,
        '--wait',
        '--timeout=180s',
      ]);
    await upgrade([]);
    try {
      await eventually(
        "B's connection to A's proxy refused",
        async () =>
          BLOCKED.test(await connectFrom(B, 'probe', 'sleeper', proxyIp, 8080)) ? true : undefined,
        60_000,
        1000,
      );
      const result = await runTenantClient(A, 'after-policy', url, AUDIENCE);
      expect(result.status, JSON.stringify(result)).to.equal(200);
      expect(result.echo).to.equal('Echo: tenant says hi');
    } finally {
      await upgrade(null);
    }
  });
});
