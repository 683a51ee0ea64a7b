import { expect } from 'chai';
import { defaultControllerConfig } from '../../../controller/config.ts';
import { RUNCONFIG_KEY, desiredRunConfigMap } from '../../../controller/desired/configmap.ts';
import type { MCPServer } from '../../../schemas/generated/mcpserver.ts';
import { demoProxyConfig } from '../../../cli/local-demo-proxy.ts';

/** The run config the controller writes for a server, as the ConfigMap holds it. */
function runConfigJson(spec: MCPServer['spec']): string {
  const server = {
    apiVersion: 'toolhive.stacklok.dev/v1alpha1',
    kind: 'MCPServer',
    metadata: { name: 'everything', namespace: 'demo', uid: 'u-1', generation: 1 },
    spec,
  } as MCPServer;
  const configMap = desiredRunConfigMap(server, defaultControllerConfig()) as unknown as {
    data: Record<string, string>;
  };
  return configMap.data[RUNCONFIG_KEY]!;
}

describe("make run's demo proxy configuration", () => {
  it("keeps the controller's run config and execs the server in the pod it would attach to", () => {
    const config = demoProxyConfig(
      runConfigJson({ image: 'docker.io/mcp/everything:latest', transport: 'stdio' }),
      ['node', 'server.js', 'stdio'],
    );
    expect(config.target).to.deep.equal({
      kind: 'exec',
      namespace: 'demo',
      pod: 'everything-0',
      container: 'mcp',
      command: ['node', 'server.js', 'stdio'],
    });
    expect([config.host, config.port, config.transport]).to.deep.equal(['127.0.0.1', 0, 'stdio']);
    expect(config.allowed.hosts).to.include('mcp-everything-proxy.demo.svc.cluster.local');
  });

  it('refuses a server the proxy forwards to over HTTP (nothing to exec)', () => {
    const json = runConfigJson({
      image: 'ghcr.io/example/fetch:1',
      transport: 'streamable-http',
      mcpPort: 8080,
    });
    expect(() => demoProxyConfig(json, ['node'])).to.throw(
      /expects a stdio server reached by attach, not http/,
    );
  });

  it('reports a run config the proxy would refuse', () => {
    expect(() => demoProxyConfig('{"version":2}', ['node'])).to.throw(/run config is invalid/);
  });
});
