import { expect } from 'chai';
import {
  apiServerEgress,
  DNS_PEER,
  DNS_PORTS,
  desiredProxyNetworkPolicy,
} from '../../../../controller/desired/proxy-networkpolicy.ts';
import type { ApiServerAddresses, ChildObject, Dict } from '../../../../controller/desired/types.ts';
import { facts, mcpServer, withSpec } from '../builders.ts';

const API: ApiServerAddresses = {
  serviceIPs: ['10.96.0.1', 'fd00::1'],
  servicePorts: [443],
  endpointIPs: ['192.0.2.10', '192.0.2.11'],
  endpointPorts: [6443],
};
const specOf = (o: ChildObject) =>
  o.spec as { podSelector: Dict; policyTypes: string[]; ingress: Dict[]; egress: Dict[] };
const proxyPods = (name: string) => ({
  matchLabels: {
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/component': 'proxy',
    toolhive: 'true',
  },
});

describe('desiredProxyNetworkPolicy: the proxy is the door, and goes only where it must', () => {
  it('is named <name>-proxy, selects the proxy pods and restricts both directions', () => {
    const policy = desiredProxyNetworkPolicy(mcpServer('a'), facts());
    expect([policy.kind, policy.metadata.name, policy.metadata.namespace]).to.deep.equal([
      'NetworkPolicy',
      'a-proxy',
      'team-a',
    ]);
    expect(specOf(policy).podSelector).to.deep.equal(proxyPods('a'));
    expect(specOf(policy).policyTypes).to.deep.equal(['Ingress', 'Egress']);
  });

  it('admits anyone, on the proxy port only (spec.proxyPort, the legacy spec.port, or 8080)', () => {
    for (const [spec, port] of [
      [{}, 8080],
      [{ proxyPort: 9090 }, 9090],
      [{ port: 7070 }, 7070],
    ] as const) {
      const policy = desiredProxyNetworkPolicy(mcpServer('a', withSpec(spec)), facts());
      expect(specOf(policy).ingress, JSON.stringify(spec)).to.deep.equal([
        { ports: [{ protocol: 'TCP', port }] },
      ]);
    }
  });

  it('lets an HTTP proxy reach its own server pods on the MCP port and cluster DNS, nothing else', () => {
    for (const [transport, mcpPort] of [
      ['streamable-http', 8080],
      ['sse', 3000],
    ] as const) {
      const server = mcpServer('web', withSpec({ transport, mcpPort }));
      expect(specOf(desiredProxyNetworkPolicy(server, { ...facts(), apiServer: API })).egress).to.deep.equal([
        {
          to: [
            {
              podSelector: {
                matchLabels: {
                  'app.kubernetes.io/instance': 'web',
                  'app.kubernetes.io/component': 'mcp-server',
                  toolhive: 'true',
                },
              },
            },
          ],
          ports: [{ protocol: 'TCP', port: mcpPort }],
        },
        { to: [DNS_PEER], ports: DNS_PORTS },
      ]);
    }
  });

  it('asks DNS in kube-system by the kube-dns label, on 53 and on CoreDNS named ports (translated port)', () => {
    expect(DNS_PEER).to.deep.equal({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    });
    expect(DNS_PORTS.map((p) => `${String(p.port)}/${String(p.protocol)}`)).to.deep.equal([
      '53/UDP',
      '53/TCP',
      'dns/UDP',
      'dns-tcp/TCP',
    ]);
  });

  it('lets a stdio proxy reach the API server only: its endpoints and its ClusterIPs, each on its own ports', () => {
    const server = mcpServer('s', withSpec({ transport: 'stdio' }));
    expect(specOf(desiredProxyNetworkPolicy(server, { ...facts(), apiServer: API })).egress).to.deep.equal([
      {
        to: [{ ipBlock: { cidr: '192.0.2.10/32' } }, { ipBlock: { cidr: '192.0.2.11/32' } }],
        ports: [{ protocol: 'TCP', port: 6443 }],
      },
      {
        to: [{ ipBlock: { cidr: '10.96.0.1/32' } }, { ipBlock: { cidr: 'fd00::1/128' } }],
        ports: [{ protocol: 'TCP', port: 443 }],
      },
    ]);
  });

  it('allows a stdio proxy no egress at all while the API server addresses are unknown (fail closed)', () => {
    const server = mcpServer('s', withSpec({ transport: 'stdio' }));
    const policy = desiredProxyNetworkPolicy(server, facts());
    expect([specOf(policy).policyTypes, specOf(policy).egress]).to.deep.equal([['Ingress', 'Egress'], []]);
  });

  it('leaves out a half without addresses or ports rather than allowing every address or port', () => {
    expect(
      apiServerEgress({ serviceIPs: [], servicePorts: [443], endpointIPs: ['192.0.2.1'], endpointPorts: [] }),
    ).to.deep.equal([]);
    expect(
      apiServerEgress({
        serviceIPs: ['10.96.0.1'],
        servicePorts: [443],
        endpointIPs: [],
        endpointPorts: [6443],
      }),
    ).to.deep.equal([
      { to: [{ ipBlock: { cidr: '10.96.0.1/32' } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ]);
  });
});
