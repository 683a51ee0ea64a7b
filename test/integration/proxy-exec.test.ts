// The proxy's pod backend end to end through the real API server, by pods/exec: KWOK's ClusterExec
// (controlplane/kwok-exec.ts) runs the exec'd server-everything as a local process, so the SDK client's
// messages go client -> proxy /mcp -> client-node Exec WebSocket -> kube-apiserver -> KWOK's kubelet
// endpoint (TLS, the API server's kubelet client certificate) -> the process's stdin, and back.
// Covered: the stream code attach and exec share (attach.ts), pod-io.ts's exec, waiting for the pod
// to run, the multiplexer over a WebSocket stream, re-opening after the exec'd process is gone.
// Not covered: pods/attach (KWOK's attach only follows a log file and ignores stdin), a real kubelet
// and container runtime, TTYs.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { LOCAL_EXEC_NAMESPACE } from '../../controlplane/kwok-exec.ts';
import { readPids } from '../../controlplane/processes.ts';
import { silentLogger } from '../../lib/log.ts';
import { kubernetesPodStream } from '../../proxy/backends/pod-io.ts';
import { DEFAULT_LIMITS, allowedNames, type ProxyConfig } from '../../proxy/config.ts';
import { runProxy, type StartedProxy } from '../../proxy/proxy.ts';
import { connectClient, firstText, untilHealthy } from '../unit/proxy/support/servers.ts';
import { adminKubeConfig, controlPlane, eventually } from './harness.ts';

const EVERYTHING = fileURLToPath(
  import.meta.resolve('@modelcontextprotocol/server-everything/dist/index.js'),
);
const namespace = LOCAL_EXEC_NAMESPACE;
const pod = 'everything-0';

function execProxyConfig(): ProxyConfig {
  return {
    name: 'everything',
    namespace,
    transport: 'stdio',
    host: '127.0.0.1',
    port: 0,
    target: {
      kind: 'exec',
      namespace,
      pod,
      container: 'mcp',
      command: [process.execPath, EVERYTHING, 'stdio'],
    },
    allowed: allowedNames(undefined, undefined, [], []),
    limits: { ...DEFAULT_LIMITS, pingIntervalMs: 500 },
  };
}

/** Pids of the server-everything processes this control plane's KWOK started for an exec. */
function execdServers(): number[] {
  const kwok = readPids(controlPlane().stateDir).find((p) => p.name === 'kwok')!.pid;
  const found: number[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[1] !== EVERYTHING || argv[2] !== 'stdio') continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === kwok) found.push(Number(entry));
    } catch {
      // the process ended while we read
    }
  }
  return found;
}

describe('proxy exec backend through the API server and KWOK', function () {
  let core: k8s.CoreV1Api;
  let proxy: StartedProxy | undefined;

  before(async () => {
    core = adminKubeConfig().makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await eventually('default ServiceAccount', async () => {
      const sa = await core.readNamespacedServiceAccount({ name: 'default', namespace });
      return sa.metadata?.name;
    });
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: pod },
        spec: { containers: [{ name: 'mcp', image: 'example.invalid/everything:1', stdin: true }] },
      },
    });
    const log = silentLogger();
    const kubeconfig = controlPlane().kubeconfig;
    proxy = await runProxy(execProxyConfig(), {
      log,
      processMetrics: false,
      attachStream: (target) => kubernetesPodStream(target, { kubeconfig, log }),
    });
    await untilHealthy(proxy.url);
  });

  after(async () => {
    await proxy?.close();
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('lists tools and calls echo through pods/exec', async () => {
    const client = await connectClient(proxy!.url, 'streamable-http');
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).to.include('echo');
      const result = await client.callTool({ name: 'echo', arguments: { message: 'through exec' } });
      expect(firstText(result)).to.equal('Echo: through exec');
      // The server runs under KWOK, which started it for the API server's exec: not under the proxy.
      expect(execdServers()).to.have.length(1);
    } finally {
      await client.close();
    }
  });

  it('serves several sessions on the one exec stream', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => connectClient(proxy!.url, 'streamable-http')));
    try {
      const texts = await Promise.all(
        clients.map(async (c, i) =>
          firstText(await c.callTool({ name: 'echo', arguments: { message: `s${i}` } })),
        ),
      );
      expect(texts).to.deep.equal(['Echo: s0', 'Echo: s1', 'Echo: s2']);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('execs the server again when its process exits, and sessions carry on', async () => {
    const client = await connectClient(proxy!.url, 'streamable-http');
    try {
      const [first] = execdServers();
      process.kill(first!, 'SIGKILL');
      const text = await eventually("an echo from the re-exec'd server", async () => {
        const result = await client.callTool({ name: 'echo', arguments: { message: 'again' } });
        return firstText(result) || undefined;
      });
      expect(text).to.equal('Echo: again');
      expect(execdServers()).to.have.length(1).and.not.include(first);
    } finally {
      await client.close();
    }
  });
});
