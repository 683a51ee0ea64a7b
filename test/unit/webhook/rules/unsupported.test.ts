import { expect } from 'chai';
import { FieldPath, forbidden, type FieldError } from '../../../../webhook/field.ts';
import { checkUnsupportedFields, UNSUPPORTED_FIELDS } from '../../../../webhook/rules/unsupported.ts';
import { mcpServer, withSpec } from '../builders.ts';

describe('checkUnsupportedFields', () => {
  const spec = FieldPath.of('spec');
  const notSupported = (field: string) => forbidden(spec.child(field), 'not supported by this operator');
  const cases: Record<string, { server: unknown; want: FieldError[] }> = {
    'accepts a spec without ToolHive-only fields': { server: mcpServer('s'), want: [] },
    'denies authServerRef, naming it': {
      server: mcpServer('s', withSpec({ authServerRef: { kind: 'MCPExternalAuthConfig', name: 'a' } })),
      want: [notSupported('authServerRef')],
    },
    'no longer denies the authentication, authorization, audit and scale-out fields': {
      server: mcpServer(
        's',
        withSpec({
          oidcConfig: { type: 'kubernetes' },
          oidcConfigRef: { name: 'o', audience: 'a' },
          authzConfig: { type: 'inline' },
          authzConfigRef: { name: 'z' },
          audit: { enabled: true },
          sessionAffinity: 'None',
          backendReplicas: 2,
          sessionStorage: { provider: 'redis', address: 'redis:6379' },
          rateLimiting: { shared: { maxTokens: 5, refillPeriod: '1m0s' } },
        }),
      ),
      want: [],
    },
    'denies every unsupported field at once': {
      server: mcpServer(
        's',
        withSpec({ authServerRef: { kind: 'MCPExternalAuthConfig', name: 'a' }, ingress: { host: 'h' } }),
      ),
      want: [notSupported('authServerRef'), notSupported('ingress')],
    },
    'accepts zero values ToolHive itself treats as unset': {
      server: mcpServer(
        's',
        withSpec({ trustProxyHeaders: false, tools: [], endpointPrefix: '', audit: {} }),
      ),
      want: [],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(checkUnsupportedFields(c.server)).to.deep.equal(c.want));
  }
  it('takes the list from the schema, including ToolHive v1beta1 fields', () => {
    expect(UNSUPPORTED_FIELDS).to.include.members(['authServerRef', 'ingress']);
    expect(UNSUPPORTED_FIELDS).to.not.include('image');
    const supported = ['oidcConfig', 'oidcConfigRef', 'authzConfig', 'authzConfigRef', 'audit'];
    supported.push('sessionAffinity', 'backendReplicas', 'sessionStorage', 'rateLimiting');
    for (const field of supported) expect(UNSUPPORTED_FIELDS).to.not.include(field);
  });
});
