import { expect } from 'chai';
import {
  callerOf,
  claimsProblem,
  scopesOf,
  serviceAccountOf,
  type ClaimRules,
} from '../../../../proxy/auth/claims.ts';

const NOW = 1_800_000_000;
const rules: ClaimRules = {
  issuer: 'https://issuer.example',
  audiences: ['mcp-a'],
  requiredScopes: [],
  skewSeconds: 60,
};
const good = { iss: 'https://issuer.example', aud: 'mcp-a', exp: NOW + 600, sub: 'alice' };

describe('claimsProblem', () => {
  const cases: Record<
    string,
    { claims: Record<string, unknown>; rules?: Partial<ClaimRules>; want?: string }
  > = {
    'accepts a good token': { claims: good },
    'accepts aud as a list holding the audience': { claims: { ...good, aud: ['other', 'mcp-a'] } },
    'refuses another issuer': { claims: { ...good, iss: 'https://evil.example' }, want: 'issuer' },
    'refuses a missing issuer': { claims: { ...good, iss: undefined }, want: 'issuer' },
    'refuses another audience': { claims: { ...good, aud: ['mcp-b'] }, want: 'audience' },
    'refuses an audience that is not a string': {
      claims: { ...good, aud: [{ mcp: 'a' }] },
      want: 'audience',
    },
    'refuses a missing exp': { claims: { ...good, exp: undefined }, want: 'claims' },
    'refuses exp as a string': { claims: { ...good, exp: String(NOW + 600) }, want: 'claims' },
    'refuses a token expired beyond the skew': { claims: { ...good, exp: NOW - 61 }, want: 'expired' },
    'accepts a token expired within the skew': { claims: { ...good, exp: NOW - 59 } },
    'refuses nbf beyond the skew': { claims: { ...good, nbf: NOW + 61 }, want: 'not-yet-valid' },
    'accepts nbf within the skew': { claims: { ...good, nbf: NOW + 59 } },
    'refuses no subject': { claims: { ...good, sub: '' }, want: 'claims' },
    'accepts a kube token of the namespace': {
      claims: {
        ...good,
        sub: 'system:serviceaccount:a:client',
        'kubernetes.io': { namespace: 'a', serviceaccount: { name: 'client' } },
      },
      rules: { kubernetes: { namespace: 'a' } },
    },
    'refuses a kube token of another namespace': {
      claims: {
        ...good,
        sub: 'system:serviceaccount:b:client',
        'kubernetes.io': { namespace: 'b', serviceaccount: { name: 'client' } },
      },
      rules: { kubernetes: { namespace: 'a' } },
      want: 'namespace',
    },
    'refuses a claim and a sub that disagree': {
      claims: {
        ...good,
        sub: 'system:serviceaccount:b:client',
        'kubernetes.io': { namespace: 'a', serviceaccount: { name: 'client' } },
      },
      rules: { kubernetes: { namespace: 'a' } },
      want: 'namespace',
    },
    'refuses a token of no ServiceAccount when kubernetes is set': {
      claims: good,
      rules: { kubernetes: { namespace: 'a' } },
      want: 'namespace',
    },
    'refuses another ServiceAccount when one is named': {
      claims: { ...good, sub: 'system:serviceaccount:a:client' },
      rules: { kubernetes: { namespace: 'a', serviceAccount: 'proxy' } },
      want: 'service-account',
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const problem = claimsProblem(c.claims, { ...rules, ...c.rules }, 'jwt', NOW);
      expect(problem?.reason).to.equal(c.want);
    });
  }

  it('checks an introspection answer only for the claims it has', () => {
    expect(claimsProblem({ active: true, client_id: 'svc' }, rules, 'introspection', NOW)).to.equal(
      undefined,
    );
    expect(
      claimsProblem({ active: true, sub: 's', aud: 'mcp-b' }, rules, 'introspection', NOW)?.reason,
    ).to.equal('audience');
    expect(
      claimsProblem({ active: true, sub: 's', exp: NOW - 100 }, rules, 'introspection', NOW)?.reason,
    ).to.equal('expired');
    expect(claimsProblem({ active: true }, rules, 'introspection', NOW)?.reason).to.equal('claims');
  });
});

describe('scopesOf, serviceAccountOf, callerOf', () => {
  it('reads scope (space-separated) and scp (a list or a string)', () => {
    expect(scopesOf({ scope: 'a  b c' })).to.deep.equal(['a', 'b', 'c']);
    expect(scopesOf({ scp: ['a', 3, 'b'] })).to.deep.equal(['a', 'b']);
    expect(scopesOf({ scp: 'x y' })).to.deep.equal(['x', 'y']);
    expect(scopesOf({ scope: 7 })).to.deep.equal([]);
  });

  it('reads the ServiceAccount from sub alone, and refuses a sub with extra parts', () => {
    expect(serviceAccountOf({ sub: 'system:serviceaccount:ns:sa' })).to.deep.equal({
      namespace: 'ns',
      name: 'sa',
    });
    expect(serviceAccountOf({ sub: 'system:serviceaccount:ns:sa:x' })).to.equal(undefined);
  });

  it('keys a caller by issuer and subject, and keeps the claims and scopes', () => {
    const caller = callerOf({ ...good, scope: 'mcp:tools' }, 'fallback');
    expect(caller.key).to.equal('https://issuer.example\nalice');
    expect(caller.scopes).to.deep.equal(['mcp:tools']);
    expect(caller.claims.aud).to.equal('mcp-a');
    expect(callerOf({ client_id: 'svc' }, 'https://introspected').key).to.equal('https://introspected\nsvc');
  });
});
