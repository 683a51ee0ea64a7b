import { expect } from 'chai';
import { parseControllerOptions } from '../../../cli/commands/controller.ts';
import { DEFAULT_PROXY_IMAGE } from '../../../controller/config.ts';

describe('parseControllerOptions', () => {
  it('defaults to every namespace, the default proxy image, no leader election', () => {
    expect(parseControllerOptions([], {})).to.deep.equal({
      kubeconfig: undefined,
      namespaces: undefined,
      ignoreNamespaces: [],
      proxyImage: DEFAULT_PROXY_IMAGE,
      clusterDomain: 'cluster.local',
      leaderElect: false,
      leaderElectNamespace: 'default',
      metricsPort: 8080,
      workers: 16,
    });
  });

  it('reads namespaces, image, leader election in $POD_NAMESPACE and the metrics port', () => {
    const o = parseControllerOptions(
      ['--namespaces', 'a, b', '--proxy-image', 'img:1', '--leader-elect', '--metrics-port', '0'],
      { POD_NAMESPACE: 'ops' },
    );
    expect(o).to.deep.include({
      namespaces: ['a', 'b'],
      proxyImage: 'img:1',
      leaderElect: true,
      leaderElectNamespace: 'ops',
      metricsPort: 0,
    });
  });

  it('says what is wrong with a bad port or an empty namespace list', () => {
    expect([
      parseControllerOptions(['--metrics-port', 'x'], {}),
      parseControllerOptions(['--namespaces', ','], {}),
    ]).to.deep.equal([
      { problem: '--metrics-port x is not a port' },
      { problem: '--namespaces needs at least one name' },
    ]);
  });
});
