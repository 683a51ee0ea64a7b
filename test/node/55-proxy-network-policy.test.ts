// The proxies' and the operator's NetworkPolicies enforced on the real node (kube-router):
// - a proxy pod admits anyone on its proxy port and nothing else, even a port something listens on;
// - an HTTP proxy opens connections to its own server pods and cluster DNS only, a stdio proxy to the
//   API server only (its endpoint and the `kubernetes` ClusterIP), and still attaches after a restart;
// - tools/call through each proxy's Service from a pod works on every transport with the policies on;
// - the operator's webhook answers the API server with the chart's policy, its metrics port admits
//   only its own namespace, and with egress restricted to the API server it restarts and reconciles.
// Probes run in the pods' own Node (net-probes.ts). kube-router REJECTs, so a blocked connection is
// ERROR ECONNREFUSED, which is why the blocked ports here are ones something listens on.
import path from 'node:path';
import { expect } from 'chai';
import { CHART } from '../../cli/real-node-operator.ts';
import { repoRoot } from '../../controlplane/versions.ts';
import { IMAGES } from '../../realnode/node-images.ts';
import {
  cluster,
  eventually,
  helm,
  kubectl,
  OPERATOR_NS,
  podName,
  RELEASE,
  runningPods,
  waitReady,
} from './harness.ts';
import { connectFrom, listenIn, lookupFrom, startSleeper } from './net-probes.ts';

const BLOCKED = /^(TIMEOUT|ERROR)/;
const proxyOf = (name: string) => `app.kubernetes.io/instance=${name},app.kubernetes.io/component=proxy`;
const serverOf = (name: string) =>
  `app.kubernetes.io/instance=${name},app.kubernetes.io/component=mcp-server`;
const OPERATOR_PODS = 'app.kubernetes.io/name=mcp-operator,app.kubernetes.io/component=operator';

async function podIp(ns: string, selector: string): Promise<string> {
  const [pod] = await runningPods(ns, selector);
  if (!pod?.status.podIP) throw new Error(`no running pod ${selector} in ${ns}`);
  return pod.status.podIP;
}

interface ApiServer {
  endpointIp: string;
  endpointPort: number;
  clusterIp: string;
}

async function apiServer(): Promise<ApiServer> {
  const slice = JSON.parse(
    await kubectl(['-n', 'default', 'get', 'endpointslice', 'kubernetes', '-o', 'json']),
  ) as { endpoints: { addresses: string[] }[]; ports: { port: number }[] };
  const clusterIp = (
    await kubectl(['-n', 'default', 'get', 'service', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}'])
  ).trim();
  return { endpointIp: slice.endpoints[0]!.addresses[0]!, endpointPort: slice.ports[0]!.port, clusterIp };
}

describe('the proxies’ and the operator’s NetworkPolicies on a real node', function () {
  let api: ApiServer;
  let otherProxyIp: string;

  before(async function () {
    api = await apiServer();
    // A pod whose proxy port admits anyone: reachable from a neighbour, so a refusal elsewhere is egress.
    otherProxyIp = await podIp('development', proxyOf('fetch'));
    await startSleeper('np-probe', 'my-namespace');
    expect(await connectFrom('my-namespace', 'np-probe', 'sleeper', otherProxyIp, 8080)).to.equal(
      'CONNECTED',
    );
  });

  after(async function () {
    await kubectl(['-n', 'my-namespace', 'delete', 'pod', 'np-probe', '--grace-period=0', '--wait=false']);
    await kubectl([
      '-n',
      OPERATOR_NS,
      'delete',
      'pod',
      'np-probe',
      '--grace-period=0',
      '--wait=false',
      '--ignore-not-found',
    ]);
  });

  it('a proxy pod admits anyone on its proxy port, and nobody on a port something else listens on', async function () {
    const pod = await podName('my-namespace', proxyOf('osv'));
    const proxyIp = await podIp('my-namespace', proxyOf('osv'));
    const listener = await listenIn('my-namespace', pod, 'proxy', 9999, 60_000);
    try {
      expect(await connectFrom('my-namespace', 'np-probe', 'sleeper', proxyIp, 8080)).to.equal('CONNECTED');
      expect(await connectFrom('my-namespace', 'np-probe', 'sleeper', proxyIp, 9999)).to.match(BLOCKED);
    } finally {
      listener.stop();
    }
  });

  it('an HTTP proxy opens connections to its own server pods and cluster DNS only', async function () {
    const pod = await podName('my-namespace', proxyOf('osv'));
    const from = (host: string, port: number) => connectFrom('my-namespace', pod, 'proxy', host, port);
    expect(await from(await podIp('my-namespace', serverOf('osv')), 8080)).to.equal('CONNECTED');
    expect(await lookupFrom('my-namespace', pod, 'proxy', 'mcp-osv.my-namespace.svc.cluster.local')).to.match(
      /^RESOLVED /,
    );
    expect(await from(otherProxyIp, 8080), 'another proxy').to.match(BLOCKED);
    expect(await from(await podIp('development', serverOf('fetch')), 8080), 'another server').to.match(
      BLOCKED,
    );
    expect(await from(api.endpointIp, api.endpointPort), 'the API server').to.match(BLOCKED);
    expect(await from(api.clusterIp, 443), 'the kubernetes Service').to.match(BLOCKED);
  });

  it('a stdio proxy opens connections to the API server only, and attaches again after a restart', async function () {
    const pod = await podName('production', proxyOf('github'));
    const from = (host: string, port: number) => connectFrom('production', pod, 'proxy', host, port);
    expect(await from(api.endpointIp, api.endpointPort), 'the API server endpoint').to.equal('CONNECTED');
    expect(await from(api.clusterIp, 443), 'the kubernetes Service').to.equal('CONNECTED');
    expect(await from(otherProxyIp, 8080), 'another proxy').to.match(BLOCKED);
    expect(await from('10.250.32.10', 53), 'cluster DNS').to.match(BLOCKED);
    // A new proxy pod, under the policy from its first packet, reaches Ready only once it has attached.
    await kubectl(['-n', 'production', 'delete', 'pod', pod, '--wait=false']);
    await eventually(
      'a new github proxy pod Ready',
      async () => {
        const pods = await runningPods('production', proxyOf('github'));
        if (pods.length !== 1 || pods[0]!.metadata.name === pod) return undefined;
        const ready = await kubectl([
          '-n',
          'production',
          'get',
          'pod',
          pods[0]!.metadata.name,
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        ]);
        return ready.trim() === 'True' ? true : undefined;
      },
      120_000,
      500,
    );
  });

  it('tools/call through each proxy Service from a pod works on every transport', async function () {
    await kubectl(
      ['-n', 'my-namespace', 'apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'toolhive.stacklok.dev/v1alpha1',
        kind: 'MCPServer',
        metadata: { name: 'sse-echo', namespace: 'my-namespace' },
        spec: { image: IMAGES.everything, transport: 'sse' },
      }),
    );
    await waitReady('my-namespace', 'sse-echo');
    const urls = await Promise.all(
      [
        ['my-namespace', 'osv'],
        ['my-namespace', 'sse-echo'],
        ['production', 'github'],
      ].map(async ([ns, name]) =>
        (await kubectl(['-n', ns!, 'get', 'mcpserver', name!, '-o', 'jsonpath={.status.url}'])).trim(),
      ),
    );
    await kubectl(['create', 'namespace', 'np-clients']);
    try {
      await kubectl(['apply', '-f', '-'], clientPod(urls));
      const phase = await eventually(
        'the client pod to finish',
        async () => {
          const p = (
            await kubectl(['-n', 'np-clients', 'get', 'pod', 'calls', '-o', 'jsonpath={.status.phase}'])
          ).trim();
          return p === 'Succeeded' || p === 'Failed' ? p : undefined;
        },
        120_000,
      );
      const logs = await kubectl(['-n', 'np-clients', 'logs', 'calls']);
      expect(phase, logs).to.equal('Succeeded');
      for (const url of urls) expect(logs, url).to.include(`OK ${url} Echo: through the policy`);
    } finally {
      await kubectl(['delete', 'namespace', 'np-clients', '--wait=false']);
      await kubectl(['-n', 'my-namespace', 'delete', 'mcpserver', 'sse-echo', '--wait=false']);
    }
  });

  it("the operator's webhook answers with the chart's policy; its metrics admit its own namespace only", async function () {
    const dry = await denialOfBadSample();
    expect(dry).to.include('spec.secrets[0].name: Not found');
    const operatorIp = await podIp(OPERATOR_NS, OPERATOR_PODS);
    expect(await connectFrom('my-namespace', 'np-probe', 'sleeper', operatorIp, 9443)).to.equal('CONNECTED');
    expect(await connectFrom('my-namespace', 'np-probe', 'sleeper', operatorIp, 8080)).to.match(BLOCKED);
    await startSleeper('np-probe', OPERATOR_NS);
    expect(await connectFrom(OPERATOR_NS, 'np-probe', 'sleeper', operatorIp, 8080)).to.equal('CONNECTED');
  });

  it('with egress restricted to the API server, the operator restarts, admits and reconciles, and reaches nothing else', async function () {
    const egress = [
      {
        to: [{ ipBlock: { cidr: `${api.endpointIp}/32` } }],
        ports: [{ protocol: 'TCP', port: api.endpointPort }],
      },
      { to: [{ ipBlock: { cidr: `${api.clusterIp}/32` } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ];
    const upgrade = (value: unknown) =>
      helm([
        'upgrade',
        RELEASE,
        CHART,
        '-n',
        OPERATOR_NS,
        '--reuse-values',
        '--set-json',
        `networkPolicy.egress=${JSON.stringify(value)}`,
        '--wait',
        '--timeout=180s',
      ]);
    await upgrade(egress);
    try {
      await kubectl(['-n', OPERATOR_NS, 'rollout', 'restart', 'deployment', 'mcp-operator']);
      await kubectl(['-n', OPERATOR_NS, 'rollout', 'status', 'deployment', 'mcp-operator', '--timeout=180s']);
      expect(await denialOfBadSample()).to.include('spec.secrets[0].name: Not found');
      const [pod] = await runningPods(OPERATOR_NS, OPERATOR_PODS);
      const from = (host: string, port: number) =>
        connectFrom(OPERATOR_NS, pod!.metadata.name, 'operator', host, port);
      expect(await from(api.clusterIp, 443)).to.equal('CONNECTED');
      expect(await from(api.endpointIp, api.endpointPort)).to.equal('CONNECTED');
      expect(await from(otherProxyIp, 8080), 'a proxy').to.match(BLOCKED);
      // A new MCPServer reaches Ready: the new leader lists, watches and applies through the policy.
      await kubectl(
        ['-n', 'my-namespace', 'apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'toolhive.stacklok.dev/v1alpha1',
          kind: 'MCPServer',
          metadata: { name: 'egress-check', namespace: 'my-namespace' },
          spec: { image: IMAGES.everything, transport: 'stdio' },
        }),
      );
      await waitReady('my-namespace', 'egress-check', 180_000);
    } finally {
      await kubectl([
        '-n',
        'my-namespace',
        'delete',
        'mcpserver',
        'egress-check',
        '--ignore-not-found',
        '--wait=false',
      ]);
      await upgrade([]);
    }
  });
});

const BAD_SAMPLE = path.join(repoRoot, 'manifests/samples/mcpserver-bad.yaml');

/** What the webhook answers to the bad sample (a dry run), once it answers. */
async function denialOfBadSample(): Promise<string> {
  return eventually('the webhook to deny the bad sample', async () => {
    const r = await cluster().kubectl(['apply', '--dry-run=server', '-f', BAD_SAMPLE]);
    return r.code !== 0 && r.stderr.includes('Not found') ? r.stderr : undefined;
  });
}

// Runs in the operator image, which carries the MCP SDK: one echo through each URL, by its transport.
const CALLS_SCRIPT = `
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
for (const url of JSON.parse(process.env.MCP_URLS)) {
  const client = new Client({ name: 'np-client', version: '1.0.0' });
  const u = new URL(url);
  await client.connect(u.pathname === '/sse' ? new SSEClientTransport(u) : new StreamableHTTPClientTransport(u));
  const result = await client.callTool({ name: 'echo', arguments: { message: 'through the policy' } });
  console.log('OK ' + url + ' ' + result.content[0].text);
  await client.close();
}
`;

function clientPod(urls: string[]): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'calls', namespace: 'np-clients' },
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'client',
          image: IMAGES.operator,
          command: ['/nodejs/bin/node', '--input-type=module', '-e', CALLS_SCRIPT],
          workingDir: '/app',
          env: [{ name: 'MCP_URLS', value: JSON.stringify(urls) }],
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            runAsNonRoot: true,
            seccompProfile: { type: 'RuntimeDefault' },
          },
        },
      ],
    },
  });
}
