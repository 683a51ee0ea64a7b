import { expect } from 'chai';
import { authProblem } from '../../../../proxy/auth/config-check.ts';
import { checkRunConfigFile } from '../../../../proxy/config.ts';

const good = {
  issuer: 'https://issuer.example',
  audiences: ['mcp-a'],
  resourceUrl: 'http://mcp-a-proxy.ns.svc:8080/mcp',
  scopesSupported: [],
  requiredScopes: [],
};

describe('authProblem', () => {
  const cases: Record<string, { auth: unknown; want?: string }> = {
    'accepts a good section': { auth: good },
    'refuses a non-object': { auth: [], want: 'auth must be an object' },
    'refuses an http issuer': {
      auth: { ...good, issuer: 'http://issuer' },
      want: 'auth.issuer must be an https URL (or set insecureAllowHTTP for http)',
    },
    'accepts an http issuer with insecureAllowHTTP': {
      auth: { ...good, issuer: 'http://i', insecureAllowHTTP: true },
    },
    'refuses a bad JWKS URL': {
      auth: { ...good, jwksUrl: 'not a url' },
      want: 'auth.jwksUrl "not a url" is not a URL',
    },
    'refuses an http introspection URL': {
      auth: { ...good, introspectionUrl: 'http://i/introspect' },
      want: 'auth.introspectionUrl must be an https URL (or set insecureAllowHTTP for http)',
    },
    'refuses no audience': {
      auth: { ...good, audiences: [] },
      want: 'auth.audiences must be a non-empty list of strings',
    },
    'refuses HS256': {
      auth: { ...good, algorithms: ['RS256', 'HS256'] },
      want: 'auth.algorithms: HS256 not accepted (only RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519)',
    },
    'refuses none': { auth: { ...good, algorithms: ['none'] }, want: 'auth.algorithms: none not accepted' },
    'refuses a negative skew': {
      auth: { ...good, clockSkewSeconds: -1 },
      want: 'auth.clockSkewSeconds must be a number of seconds from 0 to 600',
    },
    'refuses a secret without a client': {
      auth: { ...good, clientSecretFile: '/s' },
      want: 'auth.clientSecretFile needs auth.clientId',
    },
    'refuses kubernetes without a namespace': {
      auth: { ...good, kubernetes: {} },
      want: 'auth.kubernetes must be {namespace, serviceAccount?}',
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const problem = authProblem(c.auth);
      if (c.want === undefined) expect(problem).to.equal(undefined);
      else expect(problem).to.satisfy((p: string) => p.startsWith(c.want!));
    });
  }

  it('makes checkRunConfigFile refuse the run config', () => {
    const file = {
      version: 1,
      server: { name: 'a', namespace: 'ns' },
      transport: 'stdio',
      proxyPort: 8080,
      target: { kind: 'command', command: ['x'] },
    };
    expect(checkRunConfigFile({ ...file, auth: good })).not.to.have.property('problem');
    expect(checkRunConfigFile({ ...file, auth: { ...good, audiences: 'mcp-a' } })).to.deep.equal({
      problem: 'auth.audiences must be a non-empty list of strings',
    });
  });
});
