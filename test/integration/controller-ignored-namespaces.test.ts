// MCPServers in a namespace the controller ignores (the chart passes the namespaces its admission
// webhooks leave out: an MCPServer there was never validated) get nothing: no children, no status.
// Two namespaces are watched, one ignored; the server in the watched one, created after the ignored
// one, shows that the controller has been through both.
import { expect } from 'chai';
import { stringify } from 'yaml';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { defaultControllerConfig } from '../../controller/config.ts';
import { Manager } from '../../controller/manager.ts';
import { silentLogger } from '../../lib/log.ts';
import { childrenOf, ensureNamespace, getServer, kubectl, serverInPhase } from './controller-fixtures.ts';
import { controlPlane, installCrd } from './harness.ts';

const ignored = `ignored-test-${process.pid}`;
const watched = `watched-test-${process.pid}`;

describe('MCPServer controller with --ignore-namespaces', function () {
  this.timeout(120_000);
  let manager: Manager;

  const applyServer = (namespace: string, name: string) =>
    kubectl(
      ['-n', namespace, 'apply', '-f', '-'],
      stringify({
        apiVersion: 'toolhive.stacklok.dev/v1alpha1',
        kind: 'MCPServer',
        metadata: { name },
        spec: { image: 'ghcr.io/example/ignored:1' },
      }),
    );

  before(async () => {
    await installCrd();
    await Promise.all([ensureNamespace(ignored), ensureNamespace(watched)]);
    manager = new Manager({
      access: await loadApiAccess(controlPlane().kubeconfig),
      config: {
        ...defaultControllerConfig(),
        proxyImage: 'example.invalid/mcp-operator:test',
        ignoreNamespaces: [ignored],
      },
      log: silentLogger(),
      namespaces: [ignored, watched],
      workers: 1,
    });
    await manager.start();
  });

  after(async () => {
    await manager?.stop();
    for (const namespace of [ignored, watched])
      await controlPlane().kubectl(['delete', 'namespace', namespace, '--wait=false']);
  });

  it('gives an MCPServer in an ignored namespace no children and no status', async () => {
    await applyServer(ignored, 'left');
    await applyServer(watched, 'served');
    await serverInPhase(watched, 'served', 'Ready');
    expect((await childrenOf(watched, 'served')).length).to.be.greaterThan(0);
    expect(await childrenOf(ignored, 'left')).to.deep.equal([]);
    expect((await getServer(ignored, 'left')).status).to.equal(undefined);
  });
});
