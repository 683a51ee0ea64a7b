// Properties every desired state must have, over many random MCPServers (cert-manager's apply_test.go
// habit): no apply body carries status, managedFields or resourceVersion; every child is labelled and
// owned by its server; the MCP server pods admit their own proxy alone; and building twice gives the same bodies (no hidden clock or randomness).
import { expect } from 'chai';
import { applyBody } from '../../../../controller/applied.ts';
import { desiredChildren } from '../../../../controller/desired/children.ts';
import { selectorLabels } from '../../../../controller/desired/labels.ts';
import { nameOf } from '../../../../controller/desired/names.ts';
import type { Dict } from '../../../../controller/desired/types.ts';
import type { MCPServer, MCPServerSpec } from '../../../../schemas/generated/mcpserver.ts';
import { config, facts, mcpServer } from '../builders.ts';

/** A small deterministic PRNG, so a failure can be reproduced from its seed. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function randomSpec(next: () => number): Partial<MCPServerSpec> {
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
  return {
    transport: pick([undefined, 'stdio', 'sse', 'streamable-http']),
    proxyMode: pick([undefined, 'sse', 'streamable-http']),
    proxyPort: pick([undefined, 8080, 9090]),
    mcpPort: pick([undefined, 3000]),
    replicas: pick([undefined, 0, 1, 3]),
    secrets: pick([undefined, [{ name: 's', key: 'k' }]]),
    env: pick([undefined, [{ name: 'A', value: '1' }]]),
    serviceAccount: pick([undefined, 'mine']),
    permissionProfile: pick([
      undefined,
      { type: 'builtin', name: 'none' },
      { type: 'configmap', name: 'p', key: 'k' },
    ]),
    // A user template that tries to smuggle server-owned fields in.
    podTemplateSpec: pick([
      undefined,
      {
        metadata: { labels: { team: 'x' } },
        status: { phase: 'Running' },
        spec: { containers: [{ name: 'mcp' }] },
      },
    ]),
    backendReplicas: pick([undefined, 0, 1, 4]),
    // Named by a host name: an IP's ipBlock would be one more address rule for the proxy policy check.
    sessionStorage: pick([
      undefined,
      { provider: 'memory' },
      { provider: 'redis', address: 'redis.cache:6380', passwordRef: { name: 'r', key: 'p' } },
    ]),
    rateLimiting: pick([undefined, { shared: { maxTokens: 5, refillPeriod: '1m0s' } }]),
  };
}

describe('desired state invariants (500 random MCPServers)', () => {
  const next = random(42);
  const servers: MCPServer[] = Array.from({ length: 500 }, (_, i) =>
    mcpServer(`s${i}`, (s) => Object.assign(s.spec, randomSpec(next))),
  );

  it('never puts status, managedFields or resourceVersion in an apply body', () => {
    for (const server of servers) {
      for (const object of desiredChildren(server, facts({ s: { k: 'eA==' } }), config()).objects) {
        const body = applyBody(object);
        const text = JSON.stringify(body);
        expect(
          [body.status, text.includes('managedFields'), text.includes('resourceVersion')],
          `${server.metadata?.name} ${object.kind}`,
        ).to.deep.equal([undefined, false, false]);
      }
    }
  });

  it('labels every child and makes its server its controller', () => {
    for (const server of servers) {
      for (const o of desiredChildren(server, facts(), config()).objects) {
        expect([
          o.metadata.labels['toolhive-name'],
          o.metadata.ownerReferences.map((r) => [r.uid, r.controller]),
        ]).to.deep.equal([server.metadata?.name, [[server.metadata?.uid, true]]]);
      }
    }
  });

  it('gives every server one NetworkPolicy: ingress from its own proxy, to the port its Service targets', () => {
    for (const server of servers) {
      const objects = desiredChildren(server, facts(), config()).objects;
      const policies = objects.filter(
        (o) => o.kind === 'NetworkPolicy' && o.metadata.name === `${nameOf(server)}-permission-profile`,
      );
      const spec = policies[0]?.spec as { policyTypes: string[]; ingress: Dict[] } | undefined;
      const service = objects.find(
        (o) => o.kind === 'Service' && o.metadata.name === `mcp-${nameOf(server)}`,
      );
      const port = (service?.spec as { ports: Array<{ targetPort: number }> } | undefined)?.ports[0]
        ?.targetPort;
      const proxy = { podSelector: { matchLabels: selectorLabels(server, 'proxy') } };
      expect([policies.length, spec?.policyTypes.includes('Ingress'), spec?.ingress]).to.deep.equal([
        1,
        true,
        port === undefined ? [] : [{ from: [proxy], ports: [{ protocol: 'TCP', port }] }],
      ]);
    }
  });

  it("gives every proxy a policy: ingress on its Service's port only, egress to just what its server admits", () => {
    const apiServer = {
      serviceIPs: ['10.0.0.1'],
      servicePorts: [443],
      endpointIPs: ['192.0.2.1'],
      endpointPorts: [6443],
    };
    for (const server of servers) {
      const objects = desiredChildren(server, { ...facts(), apiServer }, config()).objects;
      const spec = (name: string) =>
        objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name)?.spec as
          { podSelector: Dict; policyTypes: string[]; ingress: Dict[]; egress: Dict[] } | undefined;
      const proxyPolicy = spec(`${nameOf(server)}-proxy`)!;
      const serverIngress = spec(`${nameOf(server)}-permission-profile`)!.ingress;
      const proxyService = objects.find((o) => o.metadata.name === `mcp-${nameOf(server)}-proxy`)?.spec as {
        ports: Array<{ targetPort: number }>;
      };
      const toServer = proxyPolicy.egress.filter((r) => JSON.stringify(r).includes('"mcp-server"'));
      const toAddresses = proxyPolicy.egress.filter((r) => JSON.stringify(r).includes('ipBlock'));
      expect([
        proxyPolicy.podSelector,
        proxyPolicy.policyTypes,
        proxyPolicy.ingress,
        toServer.map((r) => r.ports),
        toAddresses.length,
      ]).to.deep.equal([
        { matchLabels: selectorLabels(server, 'proxy') },
        ['Ingress', 'Egress'],
        [{ ports: [{ protocol: 'TCP', port: proxyService.ports[0]!.targetPort }] }],
        serverIngress.map((r) => r.ports),
        serverIngress.length === 0 ? 2 : 0,
      ]);
    }
  });

  it("lists one pod URL per MCP server pod (at least one), each through the StatefulSet's serviceName", () => {
    for (const server of servers) {
      const objects = desiredChildren(server, facts(), config()).objects;
      const sts = objects.find((o) => o.kind === 'StatefulSet')!.spec as {
        replicas: number;
        serviceName: string;
      };
      const cm = objects.find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>;
      const target = (JSON.parse(cm['runconfig.json']!) as { target: { kind: string; podUrls?: string[] } })
        .target;
      if (target.kind !== 'http') {
        expect(sts.replicas, nameOf(server)).to.be.at.most(1);
        continue;
      }
      expect(target.podUrls!.length, nameOf(server)).to.equal(Math.max(sts.replicas, 1));
      target.podUrls!.forEach((url, i) =>
        expect(url).to.match(
          new RegExp(`^http://${nameOf(server)}-${i}\\.${sts.serviceName}\\.team-a\\.svc\\.`),
        ),
      );
    }
  });

  it('builds the same bodies twice', () => {
    for (const server of servers.slice(0, 50)) {
      const once = JSON.stringify(desiredChildren(server, facts(), config()));
      expect(JSON.stringify(desiredChildren(structuredClone(server), facts(), config()))).to.equal(once);
    }
  });
});
