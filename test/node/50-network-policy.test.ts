// Permission profiles and the proxy-only ingress, enforced on the real node by its NetworkPolicy
// enforcer: with `none` the MCP container cannot open a connection to another pod or a Service, with
// `network` it can, and another pod in the same namespace cannot reach an HTTP MCP server around its
// proxy (which it can reach).
import { expect } from 'chai';
import { eventually, kubectl, podName, runningPods } from './harness.ts';
import { connectFrom, sleeperPod } from './net-probes.ts';

const serverSelector = (name: string) =>
  `app.kubernetes.io/instance=${name},app.kubernetes.io/component=mcp-server`;

async function clusterIp(ns: string, service: string): Promise<string> {
  return (await kubectl(['-n', ns, 'get', 'service', service, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
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
    await kubectl(['apply', '-f', '-'], sleeperPod('neighbour', 'my-namespace'));
    await kubectl(['-n', 'my-namespace', 'wait', '--for=condition=Ready', 'pod/neighbour', '--timeout=60s']);
    expect(await connectFrom('my-namespace', 'neighbour', 'sleeper', osvProxyIp, 8080)).to.equal('CONNECTED');
    expect(await connectFrom('my-namespace', 'neighbour', 'sleeper', osvServerIp, 8080)).to.match(
      /^(TIMEOUT|ERROR)/,
    );
    // The policy's selector is what decides: a pod with the proxy's labels gets through. (Deleting the
    // policy proves nothing: the controller owns it and puts it back at once.)
    const proxyLike = sleeperPod('proxy-like', 'my-namespace', {
      'app.kubernetes.io/instance': 'osv',
      'app.kubernetes.io/component': 'proxy',
      toolhive: 'true',
    });
    await kubectl(['apply', '-f', '-'], proxyLike);
    try {
      await kubectl([
        '-n',
        'my-namespace',
        'wait',
        '--for=condition=Ready',
        'pod/proxy-like',
        '--timeout=60s',
      ]);
      const fromProxyLike = await eventually(
        'the proxy-labelled pod to reach the server',
        async () => {
          const r = await connectFrom('my-namespace', 'proxy-like', 'sleeper', osvServerIp, 8080);
          return r === 'CONNECTED' ? r : undefined;
        },
        20_000,
        500,
      );
      expect(fromProxyLike).to.equal('CONNECTED');
      expect(await connectFrom('my-namespace', 'neighbour', 'sleeper', osvServerIp, 8080)).to.match(
        /^(TIMEOUT|ERROR)/,
      );
    } finally {
      await kubectl([
        '-n',
        'my-namespace',
        'delete',
        'pod',
        'proxy-like',
        '--grace-period=0',
        '--wait=false',
      ]);
    }
  });
});
