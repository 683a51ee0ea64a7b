// Every troubleshooting command of the seed guide, on the servers 10-seed-guide made, gives the real
// answer: the MCP container's own logs and environment, the proxy's /health through a port-forward,
// figures from `kubectl top`, endpoints with pod IPs, the operator's logs by label, events.
import { expect } from 'chai';
import { httpGet } from '../../controlplane/wait.ts';
import {
  eventually,
  helm,
  kubectl,
  OPERATOR_NS,
  podName,
  portForward,
  RELEASE,
  runningPods,
} from './harness.ts';
import { GITHUB_TOKEN } from './seeds.ts';

const serverPod = (ns: string, name: string) =>
  podName(ns, `app.kubernetes.io/instance=${name},app.kubernetes.io/component=mcp-server`);

describe('the seed guide troubleshooting commands on a real node', function () {
  it('get pods, describe pod and logs -c mcp show the MCP server container and its own output', async function () {
    const pods = await kubectl(['-n', 'my-namespace', 'get', 'pods']);
    expect(pods).to.match(/osv-0\s+1\/1\s+Running/);
    const pod = await serverPod('my-namespace', 'osv');
    const described = await kubectl(['-n', 'my-namespace', 'describe', 'pod', pod]);
    expect(described).to.match(/Node:\s+mcp-node\/10\.250\.0\.1/);
    expect(described).to.match(/Normal\s+Started\s/);
    expect(described).to.match(/mcp:\s+Container ID:\s+containerd:\/\//);
    const logs = await eventually('the server to have logged', async () => {
      const out = await kubectl(['-n', 'my-namespace', 'logs', pod, '-c', 'mcp']);
      return out.trim() ? out : undefined;
    });
    expect(logs.toLowerCase()).to.match(/streamable http|listening|server/);
  });

  it('logs -l app.kubernetes.io/instance=<name> shows the proxy logs, get services lists its Services', async function () {
    const logs = await kubectl([
      '-n',
      'production',
      'logs',
      '-l',
      'app.kubernetes.io/instance=github',
      '--all-containers',
    ]);
    expect(logs).to.include('"level"');
    const services = await kubectl(['-n', 'my-namespace', 'get', 'services']);
    expect(services).to.match(/mcp-osv-proxy\s+ClusterIP\s+10\.250\.\d+\.\d+/);
    expect(services).to.match(/mcp-osv\s+ClusterIP\s+None/);
  });

  it('get secret, describe secret, and exec -c mcp -- env shows the secret variable inside the container', async function () {
    await kubectl(['-n', 'production', 'get', 'secret', 'github-token']);
    expect(await kubectl(['-n', 'production', 'describe', 'secret', 'github-token'])).to.match(
      /token:\s+\d+ bytes/,
    );
    const pod = await serverPod('production', 'github');
    const env = await kubectl(['-n', 'production', 'exec', pod, '-c', 'mcp', '--', 'env']);
    const line = env.split('\n').find((l) => l.startsWith('GITHUB_PERSONAL_ACCESS_TOKEN='));
    expect(line).to.equal(`GITHUB_PERSONAL_ACCESS_TOKEN=${GITHUB_TOKEN}`);
    // Not the host's environment: the container's own hostname is its pod's name.
    expect(env).to.include(`HOSTNAME=${pod}`);
  });

  it('get pvc and describe pvc show the claim Bound and used by the filesystem pod', async function () {
    expect(await kubectl(['-n', 'data-processing', 'get', 'pvc'])).to.match(/my-mcp-data-claim\s+Bound/);
    const described = await kubectl(['-n', 'data-processing', 'describe', 'pvc', 'my-mcp-data-claim']);
    expect(described).to.match(/Used By:\s+filesystem-0/);
  });

  it('port-forward service/mcp-<name>-proxy and curl /health answer 200', async function () {
    const forward = await portForward('my-namespace', 'service/mcp-osv-proxy', 8080);
    try {
      const health = await eventually('/health 200', async () => {
        const r = await httpGet(`${forward.url}/health`);
        return r.status === 200 ? r : undefined;
      });
      expect(JSON.parse(health.body)).to.deep.equal({ status: 'ok' });
    } finally {
      forward.stop();
    }
  });

  it('get endpoints lists the pod IPs', async function () {
    const pods = await runningPods('my-namespace', 'app.kubernetes.io/instance=osv');
    const endpoints = await kubectl(['-n', 'my-namespace', 'get', 'endpoints']);
    for (const pod of pods) expect(endpoints).to.include(pod.status.podIP!);
    expect(pods.map((p) => p.status.podIP)).to.satisfy((ips: string[]) =>
      ips.every((ip) => ip.startsWith('10.250.16.')),
    );
  });

  it('top pods shows CPU and memory figures', async function () {
    const top = await eventually(
      'kubectl top pods to have figures',
      async () => {
        const r = await kubectl(['-n', 'my-namespace', 'top', 'pods']);
        return /osv-0\s+\d+m\s+\d+Mi/.test(r) ? r : undefined;
      },
      90_000,
      2000,
    );
    expect(top).to.match(/NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
  });

  it('events by time and by field selector, get all -l, get -o yaml, helm get values', async function () {
    const events = await kubectl(['-n', 'my-namespace', 'get', 'events', '--sort-by=.lastTimestamp']);
    expect(events).to.include('Started');
    const byKind = await kubectl([
      '-n',
      'my-namespace',
      'get',
      'events',
      '--field-selector',
      'involvedObject.kind=MCPServer',
    ]);
    expect(byKind).to.include('mcpserver/osv');
    const all = await kubectl(['-n', 'my-namespace', 'get', 'all', '-l', 'app.kubernetes.io/instance=osv']);
    expect(all).to.include('statefulset.apps/osv').and.to.include('deployment.apps/osv');
    expect(await kubectl(['-n', 'my-namespace', 'get', 'mcpserver', 'osv', '-o', 'yaml'])).to.include(
      'phase: Ready',
    );
    expect(await helm(['get', 'values', RELEASE, '-n', OPERATOR_NS])).to.include('operator');
  });

  it("the operator's own pods and logs by label", async function () {
    const pods = await kubectl([
      '-n',
      OPERATOR_NS,
      'get',
      'pods',
      '-l',
      'app.kubernetes.io/name=mcp-operator',
    ]);
    expect(pods).to.match(/Running/);
    const logs = await kubectl([
      '-n',
      OPERATOR_NS,
      'logs',
      '-l',
      'app.kubernetes.io/name=mcp-operator',
      '--tail=-1',
    ]);
    expect(logs).to.include('"level"');
    expect(logs).to.match(/osv|reconcil/i);
  });
});
