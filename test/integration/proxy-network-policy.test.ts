// The proxies' NetworkPolicies against a real API server: a stdio proxy may reach the API server at
// exactly the addresses the cluster publishes for it (the `kubernetes` Service's ClusterIP and port, and
// its EndpointSlice's addresses and port, which differ: 443 in front, the secure port behind), and the
// controller follows the EndpointSlice when it changes; an HTTP proxy reaches its server pods and DNS
// only. The manager runs in-process, watching only this file's namespace.
// This control plane publishes no endpoints for the `kubernetes` Service (its API server binds loopback:
// controlplane/flags.ts), so the test writes the EndpointSlice a control plane would, and removes it after.
import { expect } from 'chai';
import { stringify } from 'yaml';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { defaultControllerConfig } from '../../controller/config.ts';
import { Manager } from '../../controller/manager.ts';
import { silentLogger } from '../../lib/log.ts';
import { controlPlane, eventually, installCrd } from './harness.ts';

const ns = `proxy-netpol-${process.pid}`;
type Rule = { to?: { ipBlock?: { cidr: string }; podSelector?: unknown }[]; ports?: { port: unknown }[] };
type Policy = { spec: { policyTypes: string[]; ingress: unknown[]; egress: Rule[] } };

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await controlPlane().kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const getJson = async <T>(args: string[]): Promise<T> =>
  JSON.parse(await kubectl([...args, '-o', 'json'])) as T;
const policy = (name: string) => getJson<Policy>(['-n', ns, 'get', 'networkpolicy', `${name}-proxy`]);
const cidrs = (rule: Rule | undefined) => (rule?.to ?? []).map((t) => t.ipBlock?.cidr);
const ports = (rule: Rule | undefined) => (rule?.ports ?? []).map((p) => p.port);

const SLICE = {
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name: 'kubernetes',
    namespace: 'default',
    labels: { 'kubernetes.io/service-name': 'kubernetes' },
  },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['192.0.2.10'] }],
  ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
};

describe('the proxies’ NetworkPolicies on a real API server', function () {
  this.timeout(120_000);
  let manager: Manager;
  let ownSlice = false;

  before(async () => {
    await installCrd();
    await kubectl(['create', 'namespace', ns]);
    const found = await controlPlane().kubectl(['-n', 'default', 'get', 'endpointslice', 'kubernetes']);
    if (found.code === 0) throw new Error('this control plane publishes its endpoints: adapt the test');
    await kubectl(['create', '-f', '-'], JSON.stringify(SLICE));
    ownSlice = true;
    manager = new Manager({
      access: await loadApiAccess(controlPlane().kubeconfig),
      config: { ...defaultControllerConfig(), proxyImage: 'example.invalid/mcp-operator:test' },
      log: silentLogger(),
      namespaces: [ns],
      workers: 2,
    });
    await manager.start();
    for (const [name, transport] of [
      ['attach', 'stdio'],
      ['web', 'streamable-http'],
    ])
      await kubectl(
        ['-n', ns, 'apply', '-f', '-'],
        stringify({
          apiVersion: 'toolhive.stacklok.dev/v1alpha1',
          kind: 'MCPServer',
          metadata: { name },
          spec: { image: 'ghcr.io/example/server:1', transport },
        }),
      );
    await eventually('both proxy policies', async () =>
      (await controlPlane().kubectl(['-n', ns, 'get', 'networkpolicy', 'attach-proxy', 'web-proxy'])).code ===
      0
        ? true
        : undefined,
    );
  });

  after(async () => {
    if (ownSlice) await kubectl(['-n', 'default', 'delete', 'endpointslice', 'kubernetes']);
    await manager?.stop();
    await controlPlane().kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  it('lets a stdio proxy reach the API server at its published endpoints and at its ClusterIP, each on its port', async () => {
    const service = await getJson<{ spec: { clusterIP: string; ports: { port: number }[] } }>([
      '-n',
      'default',
      'get',
      'service',
      'kubernetes',
    ]);
    const { spec } = await policy('attach');
    expect(spec.policyTypes).to.deep.equal(['Ingress', 'Egress']);
    expect(spec.ingress).to.deep.equal([{ ports: [{ protocol: 'TCP', port: 8080 }] }]);
    expect(spec.egress.map((r) => [cidrs(r), ports(r)])).to.deep.equal([
      [['192.0.2.10/32'], [6443]],
      [[`${service.spec.clusterIP}/32`], [443]],
    ]);
  });

  it('follows the EndpointSlice when the API server moves', async () => {
    await kubectl([
      '-n',
      'default',
      'patch',
      'endpointslice',
      'kubernetes',
      '--type=merge',
      '-p',
      JSON.stringify({ endpoints: [{ addresses: ['192.0.2.20'] }, { addresses: ['192.0.2.21'] }] }),
    ]);
    const moved = await eventually(
      'the stdio proxy policy to follow the endpoints',
      async () => {
        const first = (await policy('attach')).spec.egress[0];
        return cidrs(first).includes('192.0.2.20/32') ? cidrs(first) : undefined;
      },
      30_000,
      200,
    );
    expect(moved, 'the old address is no longer allowed').to.deep.equal(['192.0.2.20/32', '192.0.2.21/32']);
  });

  it('lets an HTTP proxy reach its own server pods on the MCP port and kube-dns, and not the API server', async () => {
    const { spec } = await policy('web');
    expect(spec.egress.map((r) => ports(r))).to.deep.equal([[8080], [53, 53, 'dns', 'dns-tcp']]);
    expect(JSON.stringify(spec.egress)).to.not.include('ipBlock');
  });
});
