import { expect } from 'chai';
import { desiredNetworkPolicy, outboundEgress } from '../../../../controller/desired/networkpolicy.ts';
import type { Finding } from '../../../../controller/desired/types.ts';
import type { OutboundPermissions } from '../../../../schemas/permission-profile.ts';
import { facts, mcpServer, withSpec } from '../builders.ts';

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
    'makes no policy when no profile is set': {
      server: mcpServer('a'),
      facts: facts(),
      egress: undefined,
      finding: {
        status: 'True',
        reason: 'NoProfile',
        message: 'no permission profile set; egress unrestricted',
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
        message: `ConfigMap profiles key profile.json: invalid JSON: ${jsonError('{')}; all egress denied`,
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
        egress: (got.object?.spec as { egress?: unknown } | undefined)?.egress,
        finding: got.finding,
      }).to.deep.equal({ egress: c.egress, finding: c.finding });
    });
  }
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}
