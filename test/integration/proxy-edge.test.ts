// spec.trustProxyHeaders, endpointPrefix, proxyReadTimeout and proxyWriteTimeout end to end on the real
// control plane, through the production webhook configurations (webhook in process) and the controller
// (in process): admitted, written into the run config's edge section, which the proxy's own check
// accepts as the proxy will read it; bad values denied by field path, all at once.
import { expect } from 'chai';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { defaultControllerConfig } from '../../controller/config.ts';
import { Manager } from '../../controller/manager.ts';
import { silentLogger } from '../../lib/log.ts';
import { checkRunConfigFile } from '../../proxy/config.ts';
import { controlPlane, eventually, installCrd } from './harness.ts';
import { type LocalWebhook, startLocalWebhook } from './local-webhook.ts';

const NS = 'proxy-edge-test';
const kubectl = (args: string[], stdin?: string) => controlPlane().kubectl(args, stdin);

const server = (name: string, edge: Record<string, unknown>) =>
  JSON.stringify({
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'MCPServer',
    metadata: { name, namespace: NS },
    spec: { image: 'ghcr.io/example/server:1', transport: 'sse', mcpPort: 8080, ...edge },
  });

describe('the proxy behind an ingress: the four fields on a real API server', function () {
  this.timeout(120_000);
  let webhook: LocalWebhook;
  let manager: Manager;

  before(async () => {
    await installCrd();
    await kubectl(['create', 'namespace', NS]);
    webhook = await startLocalWebhook('proxy-edge');
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
    await manager?.stop();
    await webhook?.remove();
    await kubectl(['delete', 'namespace', NS, '--wait=false']);
  });

  it('admits them and writes the run config’s edge section, which the proxy accepts', async () => {
    const fields = {
      trustProxyHeaders: true,
      endpointPrefix: '/team-a',
      proxyReadTimeout: '45s',
      proxyWriteTimeout: '0s',
    };
    const r = await kubectl(['apply', '-f', '-'], server('behind-ingress', fields));
    expect(r.code, r.stderr).to.equal(0);
    const file = await eventually('the run config ConfigMap', async () => {
      const got = await kubectl(['get', 'configmap', 'behind-ingress-runconfig', '-n', NS, '-o', 'json']);
      if (got.code !== 0) return undefined;
      const data = (JSON.parse(got.stdout) as { data: Record<string, string> }).data;
      return JSON.parse(data['runconfig.json']!) as Record<string, unknown>;
    });
    expect(file.edge).to.deep.equal({
      trustProxyHeaders: true,
      endpointPrefix: '/team-a',
      readTimeout: '45s',
    });
    expect(checkRunConfigFile(file)).not.to.have.property('problem');
  });

  it('denies a climbing prefix and bad durations, naming each field', async () => {
    const fields = { endpointPrefix: '/team-a/../admin', proxyReadTimeout: '-1s', proxyWriteTimeout: '30' };
    const r = await kubectl(['apply', '-f', '-'], server('bad-edge', fields));
    expect(r.code).not.to.equal(0);
    expect(r.stderr).to.include(
      `spec.endpointPrefix: Invalid value: "/team-a/../admin": must not contain '.' or '..' segments`,
    );
    expect(r.stderr).to.include('spec.proxyReadTimeout: Invalid value: "-1s"');
    expect(r.stderr).to.include('spec.proxyWriteTimeout: Invalid value: "30"');
  });
});
