import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  certManagerCainjectorArgs,
  certManagerControllerArgs,
} from '../../../controlplane/cert-manager-flags.ts';
import { certManagerBinaries, certManagerVersion } from '../../../controlplane/cert-manager.ts';

const input = { kubeconfig: '/state/kubeconfig', namespace: 'cm-ns', metricsPort: 31234 };

/** The value of `--name=value`, or undefined when the flag is absent. */
const flag = (args: string[], name: string): string | undefined =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

describe('cert-manager flags', () => {
  const controller = certManagerControllerArgs(input);
  const cainjector = certManagerCainjectorArgs(input);

  for (const [name, args] of [
    ['controller', controller],
    ['cainjector', cainjector],
  ] as const) {
    it(`runs the ${name} out of cluster, leader-elected in the given namespace`, () => {
      expect(flag(args, 'kubeconfig')).to.equal('/state/kubeconfig');
      expect(flag(args, 'leader-elect')).to.equal('true');
      expect(flag(args, 'leader-election-namespace')).to.equal('cm-ns');
    });

    it(`gives the ${name} a lease short enough for a quick takeover, and consistent`, () => {
      const seconds = (f: string) => Number(/^(\d+)s$/.exec(flag(args, f) ?? '')?.[1]);
      const lease = seconds('leader-election-lease-duration');
      const renew = seconds('leader-election-renew-deadline');
      const retry = seconds('leader-election-retry-period');
      expect(lease).to.be.at.most(15);
      // client-go's leader election refuses lease <= renew deadline, or renew deadline <= 1.2 x retry period.
      expect(lease).to.be.greaterThan(renew);
      expect(renew).to.be.greaterThan(1.2 * retry);
    });

    it(`passes each flag to the ${name} once`, () => {
      const names = args.map((a) => a.slice(0, a.indexOf('=')));
      expect(new Set(names).size).to.equal(names.length);
    });
  }

  it('keeps the controller on loopback and its ClusterIssuer Secrets in the given namespace', () => {
    expect(flag(controller, 'metrics-listen-address')).to.equal('127.0.0.1:31234');
    expect(flag(controller, 'cluster-resource-namespace')).to.equal('cm-ns');
  });

  it('gives cainjector no metrics flag, which v1.11 does not have', () => {
    expect(flag(cainjector, 'metrics-listen-address')).to.equal(undefined);
  });
});

describe('cert-manager binaries', () => {
  it('reads CERT_MANAGER_VERSION from versions.env and finds the build under the cache', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cm-versions-'));
    const file = path.join(dir, 'versions.env');
    writeFileSync(file, '# pinned\nKWOK_VERSION=v0.8.0\nCERT_MANAGER_VERSION=v1.11.5\n');
    const version = certManagerVersion(file);
    expect(version).to.equal('v1.11.5');
    expect(certManagerBinaries(version, '/cache')).to.deep.equal({
      version: 'v1.11.5',
      controller: '/cache/bin/cert-manager-v1.11.5/controller',
      cainjector: '/cache/bin/cert-manager-v1.11.5/cainjector',
      crds: '/cache/bin/cert-manager-v1.11.5/crds.yaml',
    });
  });

  it('pins a v1.11 release, the last whose binaries the Go module proxy serves', () => {
    expect(certManagerVersion()).to.match(/^v1\.11\.\d+$/);
  });
});
