// Permission profiles and the proxy-only ingress, enforced on the real node by its NetworkPolicy
// enforcer: with `none` the MCP container cannot open a connection to another pod or a Service, with
// `network` it can, and another pod in the same namespace cannot reach an HTTP MCP server around its
// proxy (which it can reach).
import { expect } from 'chai';
import { IMAGES } from '../../realnode/node-images.ts';
import { cluster, eventually, kubectl, podName, runningPods } from './harness.ts';
import { CONNECT_SCRIPT } from './shared.ts';

const serverSelector = (name: string) =>
  `app.kubernetes.io/instance=${name},app.kubernetes.io/component=mcp-server`;

async function clusterIp(ns: string, service: string): Promise<string> {
  return (await kubectl(['-n', ns, 'get', 'service', service, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
}

/** Connects from a container with its own Node: CONNECTED, TIMEOUT or ERROR <code>. */
async function connectFrom(
  ns: string,
  pod: string,
  container: string,
  host: string,
  port: number,
): Promise<string> {
  const r = await cluster().kubectl([
    '-n',
    ns,
    'exec',
    pod,
    '-c',
    container,
    '--',
    '/nodejs/bin/node',
    '-e',
    CONNECT_SCRIPT,
    host,
    String(port),
  ]);
  return r.stdout.trim() || r.stderr.trim();
}

describe('NetworkPolicies enforced on a real node', function () {
  let osvProxyIp: string;
  let osvServerIp: string;

  before(async function () {
    osvProxyIp = await clusterIp('my-namespace', 'mcp-osv-proxy');
    const [server] = await runningPods('my-namespace', serverSelector('osv'));
    osvServerIp = server!.status.podIP!;
  });

  it('profile none: the MCP container cannot open a connection to a Service or a pod', async function () {
    const pod = await podName('data-processing', serverSelector('filesystem'));
    expect(await connectFrom('data-processing', pod, 'mcp', osvProxyIp, 8080)).to.match(/^(TIMEOUT|ERROR)/);
    const toPod = await connectFrom('data-processing', pod, 'mcp', osvServerIp, 8080);
    expect(toPod).to.match(/^(TIMEOUT|ERROR)/);
  });

  it('profile network: the MCP container reaches a Service', async function () {
    const pod = await podName('production', serverSelector('github'));
    expect(await connectFrom('production', pod, 'mcp', osvProxyIp, 8080)).to.equal('CONNECTED');
  });

  it('an HTTP MCP server admits its own proxy only: a neighbour pod reaches the proxy, not the server', async function () {
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'neighbour', namespace: 'my-namespace' },
        spec: {
          containers: [
            {
              name: 'sleeper',
              image: IMAGES.operator,
              command: ['/nodejs/bin/node', '-e', 'setInterval(() => {}, 1 << 30)'],
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
                runAsNonRoot: true,
                seccompProfile: { type: 'RuntimeDefault' },
              },
            },
          ],
        },
      }),
    );
    await kubectl(['-n', 'my-namespace', 'wait', '--for=condition=Ready', 'pod/neighbour', '--timeout=60s']);
    expect(await connectFrom('my-namespace', 'neighbour', 'sleeper', osvProxyIp, 8080)).to.equal('CONNECTED');
    expect(await connectFrom('my-namespace', 'neighbour', 'sleeper', osvServerIp, 8080)).to.match(
      /^(TIMEOUT|ERROR)/,
    );
    // The policy is what stops it: without it the same connection goes through.
    const policy = await kubectl([
      '-n',
      'my-namespace',
      'get',
      'networkpolicy',
      'osv-permission-profile',
      '-o',
      'json',
    ]);
    await kubectl(['-n', 'my-namespace', 'delete', 'networkpolicy', 'osv-permission-profile']);
    try {
      await eventually(
        'the server reachable once its policy is gone',
        async () =>
          (await connectFrom('my-namespace', 'neighbour', 'sleeper', osvServerIp, 8080)) === 'CONNECTED'
            ? true
            : undefined,
        20_000,
        500,
      );
    } finally {
      // The controller puts the policy back on its own (it owns it); wait for that, not for our copy.
      await eventually('the controller to restore the policy', async () =>
        (
          await kubectl([
            '-n',
            'my-namespace',
            'get',
            'networkpolicy',
            'osv-permission-profile',
            '-o',
            'name',
          ])
        ).trim()
          ? true
          : undefined,
      ).catch(async () => kubectl(['apply', '-f', '-'], policy));
    }
    await eventually(
      'the server unreachable again',
      async () =>
        /^(TIMEOUT|ERROR)/.test(await connectFrom('my-namespace', 'neighbour', 'sleeper', osvServerIp, 8080))
          ? true
          : undefined,
      30_000,
      500,
    );
  });
});
