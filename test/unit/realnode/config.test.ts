import { expect } from 'chai';
import { parse } from 'yaml';
import { coreDns, metricsServer, persistentVolumes, toYaml } from '../../../realnode/addons.ts';
import {
  cniConflist,
  containerdConfig,
  guardRuleset,
  kubeletConfig,
  kubeProxyConfig,
  kubeRouterArgs,
  streamIdleTimeout,
} from '../../../realnode/config.ts';
import { realNodeApiserverArgs, realNodeControllerManagerArgs } from '../../../realnode/flags.ts';
import { DNS_SERVICE_IP, NODE_IP, nodeDirs, SERVICE_CIDR, SUPERNET } from '../../../realnode/layout.ts';

const dirs = nodeDirs('/state/cluster');

/** A field of parsed YAML or JSON by its dotted path. */
function at(o: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);
}

describe('realnode/config', function () {
  it('containerd: runc on cgroupfs, oom_score_adj clamped, our CNI, the local pause image pinned', function () {
    const toml = containerdConfig(dirs, { runc: '/bin/runc', cniBinDir: '/cni' }, 'localhost/pause:v1');
    expect(toml).to.include('restrict_oom_score_adj = true');
    expect(toml).to.include('SystemdCgroup = false');
    expect(toml).to.include("BinaryName = '/bin/runc'");
    expect(toml).to.include("bin_dirs = ['/cni']");
    expect(toml).to.include("sandbox = 'localhost/pause:v1'");
    expect(toml).to.include(`address = '${dirs.containerdSocket}'`);
    expect(dirs.containerdSocket.length, 'a unix socket path fits in 107 bytes').to.be.below(100);
  });

  it('the pod network routes to the node block only, with no masquerade', function () {
    const bridge = (at(JSON.parse(cniConflist(dirs)), 'plugins') as unknown[])[0];
    expect(at(bridge, 'ipMasq')).to.equal(false);
    expect(at(bridge, 'isDefaultGateway')).to.equal(false);
    expect(at(bridge, 'ipam.routes')).to.deep.equal([{ dst: SUPERNET }]);
    expect(at(bridge, 'ipam.dataDir')).to.equal(dirs.cniIpamDir);
  });

  it('the guard drops anything from the bridge not bound for the node block', function () {
    const rules = guardRuleset('t');
    expect(rules).to.include('hook forward');
    expect(rules).to.include(`ip daddr != ${SUPERNET} counter drop`);
  });

  it('kubelet: cgroup v1 allowed, cgroupfs, the node IP, cluster DNS, no anonymous access, no image GC', function () {
    const c: unknown = parse(kubeletConfig(dirs, { caCert: 'ca', servingCert: 'crt', servingKey: 'key' }));
    expect(at(c, 'failCgroupV1')).to.equal(false);
    expect(at(c, 'cgroupDriver')).to.equal('cgroupfs');
    expect(at(c, 'address')).to.equal(NODE_IP);
    expect(at(c, 'clusterDNS')).to.deep.equal([DNS_SERVICE_IP]);
    expect(at(c, 'authentication.anonymous.enabled')).to.equal(false);
    expect(at(c, 'authorization.mode')).to.equal('Webhook');
    expect(at(c, 'readOnlyPort')).to.equal(0);
    expect(at(c, 'imageGCHighThresholdPercent')).to.equal(100);
    expect(at(c, 'streamingConnectionIdleTimeout')).to.equal(undefined);
  });

  it('an idle stream timeout, when set, reaches kubelet and containerd alike; a malformed one is refused', function () {
    const files = { caCert: 'ca', servingCert: 'crt', servingKey: 'key' };
    const timeout = streamIdleTimeout({ REALNODE_STREAM_IDLE_TIMEOUT: '90s' });
    expect(timeout).to.equal('90s');
    expect(at(parse(kubeletConfig(dirs, files, timeout)), 'streamingConnectionIdleTimeout')).to.equal('90s');
    const toml = containerdConfig(dirs, { runc: '/bin/runc', cniBinDir: '/cni' }, 'p', timeout);
    expect(toml).to.include("stream_idle_timeout = '90s'");
    expect(containerdConfig(dirs, { runc: '/bin/runc', cniBinDir: '/cni' }, 'p')).not.to.include(
      'stream_idle',
    );
    expect(streamIdleTimeout({})).to.equal(undefined);
    expect(() => streamIdleTimeout({ REALNODE_STREAM_IDLE_TIMEOUT: '90' })).to.throw(/Go duration/);
  });

  it('kube-proxy in nftables mode, and kube-router as a firewall only', function () {
    const p: unknown = parse(kubeProxyConfig(dirs));
    expect(at(p, 'mode')).to.equal('nftables');
    expect(at(p, 'conntrack.maxPerCore')).to.equal(0);
    const r = kubeRouterArgs(dirs);
    expect(r)
      .to.include('--run-firewall=true')
      .and.include('--run-router=false')
      .and.include('--run-service-proxy=false');
  });
});

describe('realnode/flags', function () {
  it('the API server binds the node IP, keeps the kubernetes endpoints and trusts the front proxy', function () {
    const base = [
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      '--service-cluster-ip-range=10.96.0.0/16',
      '--endpoint-reconciler-type=none',
      '--v=1',
    ];
    const args = realNodeApiserverArgs(base, { caCert: 'fp-ca', clientCert: 'fp.crt', clientKey: 'fp.key' });
    expect(args).to.include(`--bind-address=${NODE_IP}`).and.include(`--advertise-address=${NODE_IP}`);
    expect(args).to.include(`--service-cluster-ip-range=${SERVICE_CIDR}`);
    expect(args.some((a) => a.startsWith('--endpoint-reconciler-type'))).to.equal(false);
    expect(args)
      .to.include('--requestheader-client-ca-file=fp-ca')
      .and.include('--proxy-client-cert-file=fp.crt');
    expect(args).to.include('--v=1');
  });

  it('kube-controller-manager hands the node its pod block', function () {
    expect(realNodeControllerManagerArgs(['--v=1'])).to.include('--allocate-node-cidrs=true');
  });
});

describe('realnode/addons', function () {
  it('CoreDNS answers for the cluster domain only, on the DNS Service IP, without a capability', function () {
    const objects = coreDns('img');
    const cm = objects.find((o) => o.kind === 'ConfigMap') as { data: { Corefile: string } };
    expect(cm.data.Corefile).to.include('kubernetes cluster.local');
    expect(cm.data.Corefile).to.not.include('forward');
    const svc = objects.find((o) => o.kind === 'Service') as { spec: { clusterIP: string } };
    expect(svc.spec.clusterIP).to.equal(DNS_SERVICE_IP);
    expect(JSON.stringify(objects)).to.include('"drop":["ALL"]').and.not.include('NET_BIND_SERVICE');
  });

  it('metrics-server verifies kubelet with the cluster CA and registers the Metrics API', function () {
    const objects = metricsServer('img');
    expect(JSON.stringify(objects)).to.include('--kubelet-certificate-authority=/ca/ca.crt');
    expect(JSON.stringify(objects)).to.not.include('kubelet-insecure-tls');
    expect(objects.some((o) => o.kind === 'APIService')).to.equal(true);
  });

  it('PersistentVolumes without a class, under the node folder, and YAML for kubectl', function () {
    const pvs = persistentVolumes('/v', 2) as {
      spec: { storageClassName: string; hostPath: { path: string } };
    }[];
    expect(pvs.map((p) => p.spec.hostPath.path)).to.deep.equal(['/v/pv-0', '/v/pv-1']);
    expect(pvs.every((p) => p.spec.storageClassName === '')).to.equal(true);
    expect(toYaml(pvs).split('---').length).to.equal(3);
  });
});
