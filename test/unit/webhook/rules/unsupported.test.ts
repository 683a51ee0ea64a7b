import { expect } from 'chai';
import { FieldPath, forbidden, type FieldError } from '../../../../webhook/field.ts';
import {
  checkUnsupportedFields,
  REFUSAL_REASONS,
  UNSUPPORTED_FIELDS,
} from '../../../../webhook/rules/unsupported.ts';
import { mcpServer, withSpec } from '../builders.ts';

describe('checkUnsupportedFields', () => {
  const spec = FieldPath.of('spec');
  const cases: Record<string, { server: unknown; want: FieldError[] }> = {
    'accepts a spec without ToolHive-only fields': { server: mcpServer('s'), want: [] },
    'denies authServerRef, naming why and what to use instead': {
      server: mcpServer('s', withSpec({ authServerRef: { kind: 'MCPExternalAuthConfig', name: 'a' } })),
      want: [forbidden(spec.child('authServerRef'), REFUSAL_REASONS.authServerRef!)],
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
      want: [
        forbidden(spec.child('authServerRef'), REFUSAL_REASONS.authServerRef!),
        forbidden(spec.child('ingress'), REFUSAL_REASONS.ingress!),
      ],
    },
    'refuses ingress naming the reason and the Gateway API annotations instead': {
      server: mcpServer('s', withSpec({ ingress: { enabled: true } })),
      want: [
        forbidden(
          spec.child('ingress'),
          'no ToolHive release defines spec.ingress (proposed and declined in stacklok/toolhive#315); expose the server through the Gateway API instead: the annotations toolhive.stacklok.dev/expose, expose-hostname and expose-path (README "Exposing a server")',
        ),
      ],
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
