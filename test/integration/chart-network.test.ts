// The chart's network and API-server-address objects: the operator pods' NetworkPolicy and the Role that
// lets the controller read where the API server is (for the stdio proxies' egress). Rendered by the
// Go-built helm; no cluster needed.
import { expect } from 'chai';
import { type Obj, render, find, NAMESPACE_SCOPE, deploymentSpec } from './chart-views.ts';

describe('the Helm chart: network', function () {
  this.timeout(60_000);

  describe('the NetworkPolicy of the operator pods', () => {
    type PolicyView = {
      podSelector: { matchLabels: Record<string, string> };
      policyTypes: string[];
      ingress: { ports: unknown[]; from?: unknown[] }[];
      egress?: unknown[];
    };
    const policyOf = (objs: Obj[]) =>
      (find(objs, 'NetworkPolicy', 'mcp-operator') as unknown as { spec: PolicyView }).spec;
    const tcp = (port: number) => [{ protocol: 'TCP', port }];

    it('admits the webhook port from anywhere and metrics from the release namespace; egress open', async () => {
      const objs = await render();
      const policy = policyOf(objs);
      const podLabels = (
        deploymentSpec(objs) as unknown as { template: { metadata: { labels: Record<string, string> } } }
      ).template.metadata.labels;
      for (const [key, value] of Object.entries(policy.podSelector.matchLabels))
        expect(podLabels[key], `pod label ${key}`).to.equal(value);
      expect(policy.podSelector.matchLabels['app.kubernetes.io/component']).to.equal('operator');
      expect(policy.policyTypes).to.deep.equal(['Ingress']);
      expect(policy.ingress).to.deep.equal([
        { ports: tcp(9443) },
        { ports: tcp(8080), from: [{ podSelector: {} }] },
      ]);
      expect(policy).not.to.have.property('egress');
    });

    it('takes the peers, the ports and the egress rules from the values, or renders nothing', async () => {
      const policy = policyOf(
        await render([
          'webhook.port=10250',
          'operator.metricsPort=9090',
          'networkPolicy.webhook.from[0].ipBlock.cidr=10.0.0.0/28',
          'networkPolicy.metrics.from[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name=monitoring',
          'networkPolicy.egress[0].to[0].ipBlock.cidr=10.96.0.1/32',
          'networkPolicy.egress[0].ports[0].port=443',
        ]),
      );
      expect(policy.policyTypes).to.deep.equal(['Ingress', 'Egress']);
      expect(policy.ingress).to.deep.equal([
        { ports: tcp(10250), from: [{ ipBlock: { cidr: '10.0.0.0/28' } }] },
        {
          ports: tcp(9090),
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
        },
      ]);
      expect(policy.egress).to.deep.equal([
        { to: [{ ipBlock: { cidr: '10.96.0.1/32' } }], ports: [{ port: 443 }] },
      ]);
      expect(policyOf(await render(['operator.metricsPort=0'])).ingress).to.deep.equal([
        { ports: tcp(9443) },
      ]);
      const off = await render(['networkPolicy.enabled=false']);
      expect(off.filter((o) => o.kind === 'NetworkPolicy')).to.deep.equal([]);
    });
  });

  it("lets the operator read the kubernetes Service and EndpointSlice in default, by name only (the stdio proxies' egress)", async () => {
    for (const [values, name] of [
      [[], 'mcp-operator-api-server'],
      [NAMESPACE_SCOPE, 'mcp-operator-team-a-api-server'],
    ] as const) {
      const objs = await render([...values], { namespace: 'team-a' });
      const role = objs.find((o) => o.kind === 'Role' && o.metadata.name === name) as Obj & {
        rules: unknown[];
      };
      expect(role.metadata.namespace).to.equal('default');
      expect(role.rules).to.deep.equal([
        { apiGroups: [''], resources: ['services'], resourceNames: ['kubernetes'], verbs: ['list', 'watch'] },
        {
          apiGroups: ['discovery.k8s.io'],
          resources: ['endpointslices'],
          resourceNames: ['kubernetes'],
          verbs: ['list', 'watch'],
        },
      ]);
      const binding = find(objs, 'RoleBinding', name) as Obj & {
        subjects: unknown[];
        roleRef: { name: string };
      };
      expect([binding.metadata.namespace, binding.roleRef.name, binding.subjects]).to.deep.equal([
        'default',
        name,
        [{ kind: 'ServiceAccount', name: 'mcp-operator', namespace: 'team-a' }],
      ]);
    }
  });
});
