// Exposure at admission: the policy's `exposure` key parsed, and each MCPServer's annotations checked
// against it, every problem at its annotation's path.
import { expect } from 'chai';
import {
  FieldPath,
  forbidden,
  invalid,
  notSupported,
  required,
  type FieldError,
} from '../../../../webhook/field.ts';
import { parsePolicy } from '../../../../webhook/policy.ts';
import { checkExposure } from '../../../../webhook/rules/exposure.ts';
import type { Dict } from '../../../../webhook/rules/shape.ts';
import { validateMCPServer } from '../../../../webhook/validate.ts';
import { mcpServer, withNamespace, withSpec, type Modifier } from '../builders.ts';

const POLICY_YAML = `
exposure:
  gateways:
    - name: public
      parentRef: {name: edge, namespace: gateway-system, sectionName: https}
      hostnames: ["*.mcp.example.com"]
      namespaces: ["team-*"]
    - name: partners
      parentRef: {name: partners, namespace: gateway-system}
      hostnames: [partners.example.com]
      scheme: http
      port: 8080
`;
const parsed = parsePolicy({ 'policy.yaml': POLICY_YAML });
if (!('policy' in parsed)) throw new Error(parsed.errors.join('; '));
const { policy } = parsed;

const annotated =
  (annotations: Record<string, string>): Modifier =>
  (server) => {
    (server.metadata as Dict).annotations = annotations;
  };
const at = (key: string) => FieldPath.of('metadata').child('annotations').key(`toolhive.stacklok.dev/${key}`);

describe('the policy key exposure', () => {
  it('parses gateways with their defaults (https, every namespace, the Gateway namespace for its pods)', () => {
    expect(
      policy.exposure?.gateways.map((g) => [g.name, g.scheme, g.port, g.namespaces, g.gatewayNamespaces]),
    ).to.deep.equal([
      ['public', 'https', undefined, ['team-*'], ['gateway-system']],
      ['partners', 'http', 8080, ['*'], ['gateway-system']],
    ]);
  });

  it('reports every problem of a bad entry', () => {
    const bad = parsePolicy({
      'policy.yaml':
        'exposure:\n  gateways:\n    - name: Public\n    - name: ok\n      parentRef: {name: edge}\n      hostnames: ["*"]\n      scheme: ftp\n',
    });
    expect(bad).to.deep.equal({
      errors: [
        'exposure.gateways[0].name: required, a DNS label (what MCPServers name in toolhive.stacklok.dev/expose)',
        "exposure.gateways[1].parentRef: needs the Gateway's name and namespace",
        'exposure.gateways[1].hostnames: required, a list of host names or *.suffix patterns',
        'exposure.gateways[1].scheme: must be "https" or "http"',
      ],
    });
  });
});

describe('checkExposure', () => {
  const cases: Record<string, { server: Dict; want: FieldError[] }> = {
    'accepts a server that asks for nothing': { server: mcpServer('s'), want: [] },
    'accepts a hostname the entry allows, and a path': {
      server: mcpServer(
        's',
        annotated({
          'toolhive.stacklok.dev/expose': 'public',
          'toolhive.stacklok.dev/expose-hostname': 'a.b.mcp.example.com',
          'toolhive.stacklok.dev/expose-path': '/team-a/s',
        }),
      ),
      want: [],
    },
    'takes the only exact hostname of an entry when none is named': {
      server: mcpServer('s', annotated({ 'toolhive.stacklok.dev/expose': 'partners' })),
      want: [],
    },
    'refuses a Gateway the policy does not offer, naming those it does': {
      server: mcpServer('s', annotated({ 'toolhive.stacklok.dev/expose': 'internal' })),
      want: [notSupported(at('expose'), 'internal', ['public', 'partners'])],
    },
    'refuses "true" when the policy offers more than one': {
      server: mcpServer('s', annotated({ 'toolhive.stacklok.dev/expose': 'true' })),
      want: [notSupported(at('expose'), 'true', ['public', 'partners'])],
    },
    'refuses an entry not offered to the namespace, a foreign hostname and a bad path, all at once': {
      server: mcpServer(
        's',
        withNamespace('prod'),
        annotated({
          'toolhive.stacklok.dev/expose': 'public',
          'toolhive.stacklok.dev/expose-hostname': 'mcp.example.com',
          'toolhive.stacklok.dev/expose-path': '/a/../b',
        }),
      ),
      want: [
        forbidden(
          at('expose'),
          '"public": gateway public is not offered to namespace prod (the admission policy\'s exposure.gateways[].namespaces)',
        ),
        invalid(
          at('expose-path'),
          '/a/../b',
          'must be / or an absolute path of plain segments (no //, . or ..), at most 200 characters',
        ),
        forbidden(at('expose-hostname'), '"mcp.example.com": gateway public allows *.mcp.example.com'),
      ],
    },
    'asks for a hostname when the entry has only a pattern': {
      server: mcpServer('s', annotated({ 'toolhive.stacklok.dev/expose': 'public' })),
      want: [required(at('expose-hostname'), 'name the host: gateway public allows *.mcp.example.com')],
    },
    'asks an sse server under a prefix for the same endpointPrefix': {
      server: mcpServer(
        's',
        withSpec({ transport: 'sse' }),
        annotated({ 'toolhive.stacklok.dev/expose': 'partners', 'toolhive.stacklok.dev/expose-path': '/s' }),
      ),
      want: [
        invalid(
          FieldPath.of('spec').child('endpointPrefix'),
          '',
          'an sse server exposed under /s (toolhive.stacklok.dev/expose) needs endpointPrefix: /s, or its clients post their messages outside the route',
        ),
      ],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(checkExposure(c.server, policy.exposure)).to.deep.equal(c.want));
  }

  it('refuses every request when the policy offers no Gateway, through validateMCPServer', () => {
    const server = mcpServer('s', annotated({ 'toolhive.stacklok.dev/expose': 'true' }));
    const verdict = validateMCPServer(server, { lookupsSkipped: true } as never, { servedNamespaces: 'all' });
    expect(verdict.errors).to.deep.include(
      forbidden(
        at('expose'),
        '"true": the admission policy offers no Gateway (its exposure key is unset): ask the platform team',
      ),
    );
  });
});
