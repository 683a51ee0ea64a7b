// stdio through the real `pods/attach` with stdin (no exec stand-in): an MCP client in a pod calls the
// github server by its status.url DNS name, one on this host through a port-forward; then the server
// pod is killed mid-call: the call fails at once, /health is false until the proxy has attached to the
// new pod, and a new session works.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'chai';
import { httpGet } from '../../controlplane/wait.ts';
import { IMAGES } from '../../realnode/node-images.ts';
import { connectClient, firstText } from '../unit/proxy/support/servers.ts';
import { eventually, kubectl, podName, portForward } from './harness.ts';

const NS = 'production';
const SERVER_SELECTOR = 'app.kubernetes.io/instance=github,app.kubernetes.io/component=mcp-server';

// Runs in the operator image, which carries the MCP SDK; no shell, so Node reads the script from -e.
const CLIENT_SCRIPT = `
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
const client = new Client({ name: 'in-cluster', version: '1.0.0' });
await client.connect(new StreamableHTTPClientTransport(new URL(process.env.MCP_URL)));
const result = await client.callTool({ name: 'echo', arguments: { message: 'from a pod' } });
console.log('RESULT ' + JSON.stringify(result));
await client.close();
`;

function clientPod(url: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'mcp-client', namespace: 'clients' },
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'client',
          image: IMAGES.operator,
          command: ['/nodejs/bin/node', '--input-type=module', '-e', CLIENT_SCRIPT],
          workingDir: '/app',
          env: [{ name: 'MCP_URL', value: url }],
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

describe('stdio through real pods/attach', function () {
  it('an MCP client in a pod calls tools by the status.url DNS name', async function () {
    const url = (
      await kubectl(['-n', NS, 'get', 'mcpserver', 'github', '-o', 'jsonpath={.status.url}'])
    ).trim();
    expect(url).to.equal('http://mcp-github-proxy.production.svc.cluster.local:8080/mcp');
    await kubectl(['create', 'namespace', 'clients']);
    await kubectl(['apply', '-f', '-'], clientPod(url));
    const phase = await eventually(
      'the client pod to finish',
      async () => {
        const p = (
          await kubectl(['-n', 'clients', 'get', 'pod', 'mcp-client', '-o', 'jsonpath={.status.phase}'])
        ).trim();
        return p === 'Succeeded' || p === 'Failed' ? p : undefined;
      },
      90_000,
    );
    const logs = await kubectl(['-n', 'clients', 'logs', 'mcp-client']);
    expect(phase, logs).to.equal('Succeeded');
    expect(logs).to.match(/RESULT .*Echo: from a pod/);
  });

  it('a server pod killed mid-call: the call errors at once, /health is false, the proxy re-attaches', async function () {
    const forward = await portForward(NS, 'service/mcp-github-proxy', 8080);
    let client: Client | undefined;
    let second: Client | undefined;
    try {
      client = await connectClient(forward.url, 'streamable-http');
      expect(firstText(await client.callTool({ name: 'echo', arguments: { message: 'before' } }))).to.include(
        'before',
      );
      const oldPod = await podName(NS, SERVER_SELECTOR);
      const uid = (await kubectl(['-n', NS, 'get', 'pod', oldPod, '-o', 'jsonpath={.metadata.uid}'])).trim();
      const started = Date.now();
      const inFlight = client
        .callTool(
          { name: 'trigger-long-running-operation', arguments: { duration: 60, steps: 60 } },
          undefined,
          {
            timeout: 120_000,
          },
        )
        .then(
          () => 'completed',
          (err: Error) => `failed: ${err.message}`,
        );
      await new Promise((r) => setTimeout(r, 1500));
      await kubectl(['-n', NS, 'delete', 'pod', oldPod, '--grace-period=1', '--wait=false']);
      const outcome = await inFlight;
      const failedAfterMs = Date.now() - started;
      expect(outcome).to.match(/^failed: /);
      expect(failedAfterMs, 'the in-flight call must fail well before its 60 s').to.be.below(30_000);
      await eventually(
        '/health false while no server is attached',
        async () => ((await httpGet(`${forward.url}/health`)).status !== 200 ? true : undefined),
        30_000,
        100,
      ).catch(() => {
        throw new Error('/health never reported the backend gone');
      });
      await eventually(
        'a new server pod',
        async () => {
          const now = (
            await kubectl([
              '-n',
              NS,
              'get',
              'pod',
              'github-0',
              '-o',
              'jsonpath={.metadata.uid} {.status.phase}',
            ])
          ).trim();
          return now.endsWith('Running') && !now.startsWith(uid) ? true : undefined;
        },
        90_000,
      );
      await eventually(
        '/health true again',
        async () => ((await httpGet(`${forward.url}/health`)).status === 200 ? true : undefined),
        60_000,
      );
      second = await connectClient(forward.url, 'streamable-http');
      expect(firstText(await second.callTool({ name: 'echo', arguments: { message: 'after' } }))).to.include(
        'after',
      );
      console.log(`      in-flight call failed after ${failedAfterMs} ms`);
    } finally {
      await client?.close().catch(() => {});
      await second?.close().catch(() => {});
      forward.stop();
    }
  });
});
