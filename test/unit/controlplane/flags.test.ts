import { expect } from 'chai';
import * as flags from '../../../controlplane/flags.ts';

const ports: flags.Ports = {
  etcdClient: 20001,
  etcdPeer: 20002,
  apiserver: 20003,
  controllerManager: 20004,
  scheduler: 20005,
  kwok: 20006,
};
const files = Object.fromEntries(
  [
    'etcdData',
    'caCert',
    'caKey',
    'apiserverCert',
    'apiserverKey',
    'adminCert',
    'adminKey',
    'saKey',
    'saPub',
    'adminKubeconfig',
    'controllerManagerKubeconfig',
    'schedulerKubeconfig',
    'kwokConfig',
  ].map((k) => [k, `/state/${k}`]),
) as unknown as flags.Files;

const commandLines: Record<string, string[]> = {
  etcd: flags.etcdArgs(ports, files),
  'kube-apiserver': flags.apiserverArgs(ports, files),
  'kube-controller-manager': flags.controllerManagerArgs(ports, files),
  'kube-scheduler': flags.schedulerArgs(ports, files),
  kwok: flags.kwokArgs(ports, files),
};

/** Values of flags that carry a listening or advertised address. */
function addressValues(args: string[]): string[] {
  return args
    .filter((a) =>
      /^--(bind-address|advertise-address|listen-[a-z-]+|advertise-[a-z-]+|initial-[a-z-]+|node-ip|server-address)=/.test(
        a,
      ),
    )
    .map((a) => a.slice(a.indexOf('=') + 1));
}

describe('control plane flags', () => {
  for (const [name, args] of Object.entries(commandLines)) {
    it(`keeps every address of ${name} on 127.0.0.1`, () => {
      const values = addressValues(args);
      expect(values, 'has address flags').to.not.be.empty;
      for (const v of values) expect(v).to.match(/^(http:\/\/|node0=http:\/\/)?127\.0\.0\.1(:\d+)?$/);
    });
  }

  it('turns on RBAC and points the API server at its etcd', () => {
    const args = commandLines['kube-apiserver']!;
    expect(args).to.include('--authorization-mode=Node,RBAC');
    expect(args).to.include('--etcd-servers=http://127.0.0.1:20001');
    expect(args).to.include('--secure-port=20003');
    expect(args).to.include('--client-ca-file=/state/caCert');
  });

  it('does not disable the admission plugins that call webhooks', () => {
    const args = commandLines['kube-apiserver']!;
    expect(args.some((a) => a.startsWith('--disable-admission-plugins'))).to.equal(false);
  });

  it('gives the controller-manager the key that signs service-account tokens', () => {
    expect(commandLines['kube-controller-manager']).to.include(
      '--service-account-private-key-file=/state/saKey',
    );
    expect(commandLines['kube-apiserver']).to.include('--service-account-signing-key-file=/state/saKey');
  });

  it('lifts the client rate limits of kube-controller-manager and kube-scheduler above their defaults', () => {
    for (const name of ['kube-controller-manager', 'kube-scheduler']) {
      const qps = commandLines[name]!.find((a) => a.startsWith('--kube-api-qps='));
      const burst = commandLines[name]!.find((a) => a.startsWith('--kube-api-burst='));
      expect(Number(qps?.split('=')[1]), `${name} qps`).to.be.greaterThan(50);
      expect(Number(burst?.split('=')[1]), `${name} burst`).to.be.greaterThan(100);
    }
  });

  it('lets KWOK manage only nodes annotated as fake', () => {
    expect(commandLines.kwok).to.include('--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake');
    expect(commandLines.kwok).to.include('--manage-all-nodes=false');
  });
});
