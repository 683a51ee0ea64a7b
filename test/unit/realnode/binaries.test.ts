import { expect } from 'chai';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CNI_PLUGINS,
  missingNodeBinaries,
  nodeBinaryPaths,
  readNodeVersions,
  type NodeBinaryPaths,
} from '../../../realnode/binaries.ts';

const ENV = [
  '# the real node',
  'KUBERNETES_VERSION=v1.2.3',
  'ETCD_VERSION=v3.0.0',
  'CONTAINERD_VERSION=v2.0.1',
  'RUNC_VERSION=v1.0.2',
  '',
  'CNI_PLUGINS_VERSION=v1.1.0',
  'COREDNS_VERSION=v1.9.9',
  'METRICS_SERVER_VERSION=v0.7.0',
  'KUBE_ROUTER_VERSION=v2.0.0',
].join('\n');

describe('realnode/binaries', function () {
  let dir: string;
  beforeEach(function () {
    dir = mkdtempSync(path.join(tmpdir(), 'realnode-binaries-'));
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads every node version from versions.env', function () {
    const file = path.join(dir, 'versions.env');
    writeFileSync(file, ENV);
    expect(readNodeVersions(file)).to.deep.equal({
      kubernetes: 'v1.2.3',
      containerd: 'v2.0.1',
      runc: 'v1.0.2',
      cniPlugins: 'v1.1.0',
      coredns: 'v1.9.9',
      metricsServer: 'v0.7.0',
      kubeRouter: 'v2.0.0',
    });
  });

  it('names the key that is missing', function () {
    const file = path.join(dir, 'versions.env');
    writeFileSync(file, ENV.replace('RUNC_VERSION=v1.0.2', ''));
    expect(() => readNodeVersions(file)).to.throw(/RUNC_VERSION is not set/);
  });

  it('pins every node component in the repository versions.env', function () {
    for (const value of Object.values(readNodeVersions())) expect(value).to.match(/^v\d+\.\d+\.\d+$/);
  });

  it('keys each binary folder by component and version; kubelet, kube-proxy and pause by Kubernetes', function () {
    const file = path.join(dir, 'versions.env');
    writeFileSync(file, ENV);
    expect(nodeBinaryPaths(readNodeVersions(file), '/c')).to.deep.equal({
      kubelet: '/c/bin/kubernetes-v1.2.3/kubelet',
      kubeProxy: '/c/bin/kubernetes-v1.2.3/kube-proxy',
      containerd: '/c/bin/containerd-v2.0.1/containerd',
      ctr: '/c/bin/containerd-v2.0.1/ctr',
      containerdShim: '/c/bin/containerd-v2.0.1/containerd-shim-runc-v2',
      runc: '/c/bin/runc-v1.0.2/runc',
      cniBinDir: '/c/bin/cni-plugins-v1.1.0',
      coredns: '/c/bin/coredns-v1.9.9/coredns',
      metricsServer: '/c/bin/metrics-server-v0.7.0/metrics-server',
      kubeRouter: '/c/bin/kube-router-v2.0.0/kube-router',
      pause: '/c/bin/pause-v1.2.3/pause',
    } satisfies NodeBinaryPaths);
  });

  it('reports the missing binaries, and a CNI folder by its missing plugins', function () {
    const file = path.join(dir, 'versions.env');
    writeFileSync(file, ENV);
    const paths = nodeBinaryPaths(readNodeVersions(file), path.join(dir, 'cache'));
    const touch = (f: string): void => {
      mkdirSync(path.dirname(f), { recursive: true });
      writeFileSync(f, '');
      chmodSync(f, 0o755);
    };
    expect(missingNodeBinaries(paths)).to.have.length(10 + CNI_PLUGINS.length);

    for (const key of Object.keys(paths) as (keyof NodeBinaryPaths)[])
      if (key !== 'cniBinDir') touch(paths[key]);
    mkdirSync(paths.cniBinDir, { recursive: true });
    expect(missingNodeBinaries(paths)).to.deep.equal(CNI_PLUGINS.map((p) => path.join(paths.cniBinDir, p)));

    for (const p of CNI_PLUGINS.filter((p) => p !== 'portmap')) touch(path.join(paths.cniBinDir, p));
    expect(missingNodeBinaries(paths)).to.deep.equal([path.join(paths.cniBinDir, 'portmap')]);

    touch(path.join(paths.cniBinDir, 'portmap'));
    expect(missingNodeBinaries(paths)).to.deep.equal([]);
  });
});
