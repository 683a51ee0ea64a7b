import { expect } from 'chai';
import { desiredChildren } from '../../../../controller/desired/children.ts';
import { desiredNetworkPolicy, outboundEgress } from '../../../../controller/desired/networkpolicy.ts';
import type { Finding } from '../../../../controller/desired/types.ts';
import type { OutboundPermissions } from '../../../../schemas/permission-profile.ts';
import { config, facts, mcpServer, withSpec } from '../builders.ts';

describe('outboundEgress', () => {
  const cases: Record<string, { outbound: OutboundPermissions; want: ReturnType<typeof outboundEgress> }> = {
    'allows everything for insecure_allow_all': {
      outbound: { insecure_allow_all: true, allow_host: ['x.example'] },
      want: { egress: [{}], unenforceable: [] },
    },
    'allows nothing for an empty profile': { outbound: {}, want: { egress: [], unenforceable: [] } },
    'allows listed ports to any destination when no host is listed': {
      outbound: { allow_port: [443] },
      want: {
        egress: [
          {
            ports: [
              { protocol: 'TCP', port: 443 },
              { protocol: 'UDP', port: 443 },
            ],
          },
        ],
        unenforceable: [],
      },
    },
    'turns IP and CIDR hosts into ipBlocks with the ports': {
      outbound: { allow_host: ['10.0.0.1', '192.168.0.0/16', '::1'], allow_port: [53] },
      want: {
        egress: [
          {
            to: [
              { ipBlock: { cidr: '10.0.0.1/32' } },
              { ipBlock: { cidr: '192.168.0.0/16' } },
              { ipBlock: { cidr: '::1/128' } },
            ],
            ports: [
              { protocol: 'TCP', port: 53 },
              { protocol: 'UDP', port: 53 },
            ],
          },
        ],
        unenforceable: [],
      },
    },
    'denies and reports host names, which a NetworkPolicy cannot express': {
      outbound: { allow_host: ['api.github.com'], allow_port: [443] },
      want: { egress: [], unenforceable: ['api.github.com'] },
    },
    'keeps the IP hosts and reports the names when both are listed': {
      outbound: { allow_host: ['api.github.com', '10.1.2.3'] },
      want: { egress: [{ to: [{ ipBlock: { cidr: '10.1.2.3/32' } }] }], unenforceable: ['api.github.com'] },
    },
  };
  for (const [name, c] of Object.entries(cases))
    it(name, () => expect(outboundEgress(c.outbound)).to.deep.equal(c.want));
});

describe('desiredNetworkPolicy', () => {
  const profileCm = (json: string) => ({ 'profile.json': json });
  const cm = withSpec({ permissionProfile: { type: 'configmap', name: 'profiles', key: 'profile.json' } });
  const cases: Record<
    string,
    {
      server: ReturnType<typeof mcpServer>;
      facts: ReturnType<typeof facts>;
      egress: unknown;
      finding: Finding;
    }
  > = {
    'denies all egress when no profile is set (builtin none, as admission reads it)': {
      server: mcpServer('a'),
      facts: facts(),
      egress: [],
      finding: {
        status: 'True',
        reason: 'NoProfile',
        message: 'no permission profile set, so builtin none: no egress allowed',
      },
    },
    'denies all egress for builtin none': {
      server: mcpServer('a', withSpec({ permissionProfile: { type: 'builtin', name: 'none' } })),
      facts: facts(),
      egress: [],
      finding: { status: 'True', reason: 'Enforced', message: 'builtin profile none: no egress allowed' },
    },
    'allows all egress for builtin network': {
      server: mcpServer('a', withSpec({ permissionProfile: { type: 'builtin', name: 'network' } })),
      facts: facts(),
      egress: [{}],
      finding: { status: 'True', reason: 'Enforced', message: 'builtin profile network: all egress allowed' },
    },
    'fails closed when the profile ConfigMap is missing': {
      server: mcpServer('a', cm),
      facts: facts(),
      egress: [],
      finding: {
        status: 'False',
        reason: 'ProfileNotFound',
        message: 'ConfigMap profiles key profile.json not found; all egress denied',
      },
    },
    'fails closed when the profile does not parse': {
      server: mcpServer('a', cm),
      facts: facts({}, profileCm('{')),
      egress: [],
      finding: {
        status: 'False',
        reason: 'ProfileInvalid',
        message: 'ConfigMap profiles key profile.json: invalid JSON at line 1 column 2; all egress denied',
      },
    },
    'reports host names it could not enforce': {
      server: mcpServer('a', cm),
      facts: facts(
        {},
        profileCm('{"network":{"outbound":{"allow_host":["api.github.com"],"allow_port":[443]}}}'),
      ),
      egress: [],
      finding: {
        status: 'False',
        reason: 'HostNamesNotEnforceable',
        message: 'a NetworkPolicy cannot allow host names, so egress to api.github.com is denied',
      },
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const got = desiredNetworkPolicy(c.server, c.facts);
      expect({
        egress: (got.object.spec as { egress?: unknown }).egress,
        finding: got.finding,
      }).to.deep.equal({ egress: c.egress, finding: c.finding });
    });
  }
});

describe('desiredNetworkPolicy ingress: the MCP server admits its own proxy alone', () => {
  const spec = (server: ReturnType<typeof mcpServer>) =>
    desiredNetworkPolicy(server, facts()).object.spec as Record<string, unknown>;
  const fromProxy = (port: number) => [
    {
      from: [
        {
          podSelector: {
            matchLabels: {
              'app.kubernetes.io/instance': 'a',
              'app.kubernetes.io/component': 'proxy',
              toolhive: 'true',
            },
          },
        },
      ],
      ports: [{ protocol: 'TCP', port }],
    },
  ];

  it('exists without a profile, denying all egress as builtin none, named and selecting as before', () => {
    const { object } = desiredNetworkPolicy(mcpServer('a'), facts());
    expect([object.kind, object.metadata.name]).to.deep.equal(['NetworkPolicy', 'a-permission-profile']);
    expect(object.spec).to.deep.equal({
      podSelector: {
        matchLabels: {
          'app.kubernetes.io/instance': 'a',
          'app.kubernetes.io/component': 'mcp-server',
          toolhive: 'true',
        },
      },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [],
    });
  });

  it('restricts both ingress and egress with a profile', () => {
    const server = mcpServer('a', withSpec({ permissionProfile: { type: 'builtin', name: 'none' } }));
    expect(spec(server).policyTypes).to.deep.equal(['Ingress', 'Egress']);
    expect(spec(server).ingress).to.deep.equal([]);
    expect(spec(server).egress).to.deep.equal([]);
  });

  it('admits nothing to a stdio server (the proxy attaches through the API server)', () => {
    expect(spec(mcpServer('a', withSpec({ transport: 'stdio' }))).ingress).to.deep.equal([]);
  });

  const http: Record<string, [Parameters<typeof withSpec>[0], number]> = {
    'streamable-http on the default port': [{ transport: 'streamable-http' }, 8080],
    'sse on spec.mcpPort': [{ transport: 'sse', mcpPort: 9000 }, 9000],
    'streamable-http on the legacy spec.targetPort': [
      { transport: 'streamable-http', targetPort: 7000 },
      7000,
    ],
    'sse with a profile': [
      { transport: 'sse', mcpPort: 9001, permissionProfile: { type: 'builtin', name: 'network' } },
      9001,
    ],
  };
  for (const [name, [fields, port]] of Object.entries(http)) {
    it(`admits only the proxy, on TCP to the MCP port: ${name}`, () => {
      expect(spec(mcpServer('a', withSpec(fields))).ingress).to.deep.equal(fromProxy(port));
    });
  }

  it('allows the port the server Service targets and the container listens on', () => {
    const server = mcpServer('a', withSpec({ transport: 'streamable-http', mcpPort: 9100 }));
    const children = desiredChildren(server, facts(), config());
    const service = children.objects.find((o) => o.kind === 'Service' && o.metadata.name === 'mcp-a');
    const targetPort = (service?.spec as { ports: Array<{ targetPort: number }> }).ports[0]?.targetPort;
    const rule = (spec(server).ingress as Array<{ ports: Array<{ port: number }> }>)[0];
    expect(rule?.ports[0]?.port).to.equal(targetPort).and.to.equal(9100);
  });
});
