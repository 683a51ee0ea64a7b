import { expect } from 'chai';
import { binaryPaths, parseEnvFile, readVersions } from '../../../controlplane/versions.ts';

describe('control plane versions', () => {
  it('parses KEY=VALUE lines and skips comments and blanks', () => {
    expect(parseEnvFile('# c\n\nA=1\n  B_2 = x\nlower=no\nC=v1.2.3 \n')).to.deep.equal({
      A: '1',
      C: 'v1.2.3',
    });
  });

  it('pins every component in versions.env', () => {
    const v = readVersions();
    for (const value of Object.values(v)) expect(value).to.match(/^v\d+\.\d+\.\d+$/);
  });

  it('keys each binary folder by component and version', () => {
    const paths = binaryPaths({ kubernetes: 'v1.2.3', etcd: 'v3.0.0', kwok: 'v0.1.0', helm: 'v3.9.9' }, '/c');
    expect(paths).to.deep.equal({
      etcd: '/c/bin/etcd-v3.0.0/etcd',
      kubeApiserver: '/c/bin/kubernetes-v1.2.3/kube-apiserver',
      kubeControllerManager: '/c/bin/kubernetes-v1.2.3/kube-controller-manager',
      kubeScheduler: '/c/bin/kubernetes-v1.2.3/kube-scheduler',
      kubectl: '/c/bin/kubernetes-v1.2.3/kubectl',
      kwok: '/c/bin/kwok-v0.1.0/kwok',
      kwokStages: '/c/bin/kwok-v0.1.0/stages.yaml',
      helm: '/c/bin/helm-v3.9.9/helm',
    });
  });
});
