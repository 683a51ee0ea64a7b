// For `make run`: the sample MCPServer's proxy, run on this machine from the run config the controller
// wrote (ConfigMap `<name>-runconfig`), in front of a real MCP server, and one MCP call through it.
// KWOK runs no containers, and its attach ignores stdin, so the proxy's pod target is switched from
// pods/attach to pods/exec of the server's command: KWOK's ClusterExec (controlplane/kwok-exec.ts) runs it
// here, so the call goes client -> proxy -> kube-apiserver (pods/exec) -> KWOK -> the server's stdin.
// The exec is made with the admin identity: the proxy's own Role grants attach, not exec.
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ControlPlane } from '../controlplane/cluster.ts';
import type { Logger } from '../lib/log.ts';
import { kubernetesPodStream } from '../proxy/backends/pod-io.ts';
import { checkRunConfigFile, configFromFile, type ProxyConfig } from '../proxy/config.ts';
import { runProxy } from '../proxy/proxy.ts';
import { RUNCONFIG_KEY } from '../controller/desired/configmap.ts';

/** The registry's reference server, run over stdio in the sample's pod (by KWOK's ClusterExec). */
const EVERYTHING = fileURLToPath(
  import.meta.resolve('@modelcontextprotocol/server-everything/dist/index.js'),
);

export interface DemoProxy {
  url: string;
  /** The text of `echo`'s answer to the message, through the proxy. */
  echo(message: string): Promise<string>;
  stop(): Promise<void>;
}

/** The proxy configuration as the controller wrote it, with the pod target switched to exec (pure). */
export function demoProxyConfig(runConfigJson: string, serverCommand: string[]): ProxyConfig {
  const file = checkRunConfigFile(JSON.parse(runConfigJson) as unknown);
  if ('problem' in file) throw new Error(`the controller's run config is invalid: ${file.problem}`);
  const config = configFromFile(file);
  if (config.target.kind !== 'attach') {
    throw new Error(`the demo expects a stdio server reached by attach, not ${config.target.kind}`);
  }
  return {
    ...config,
    host: '127.0.0.1',
    port: 0,
    target: { ...config.target, kind: 'exec', command: serverCommand },
  };
}

export async function startDemoProxy(
  cp: ControlPlane,
  log: Logger,
  server: { namespace: string; name: string },
): Promise<DemoProxy> {
  const r = await cp.kubectl([
    '-n',
    server.namespace,
    'get',
    'configmap',
    `${server.name}-runconfig`,
    '-o',
    `jsonpath={.data.${RUNCONFIG_KEY.replace('.', '\\.')}}`,
  ]);
  if (r.code !== 0) throw new Error(`reading the run config: ${r.stderr.trim()}`);
  const config = demoProxyConfig(r.stdout, [process.execPath, EVERYTHING, 'stdio']);
  const proxy = await runProxy(config, {
    log,
    processMetrics: false,
    attachStream: (target) => kubernetesPodStream(target, { kubeconfig: cp.kubeconfig, log }),
  });
  const url = proxy.url;
  return {
    url,
    async echo(message) {
      const client = new Client({ name: 'make-run', version: '0.1.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', url)));
      try {
        const result = await client.callTool({ name: 'echo', arguments: { message } });
        const [first] = result.content as { type: string; text?: string }[];
        return first?.text ?? JSON.stringify(result.content);
      } finally {
        await client.close();
      }
    },
    stop: () => proxy.close(),
  };
}
