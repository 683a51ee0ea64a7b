import { expect } from 'chai';
import {
  bearerToken,
  challenge,
  metadataPaths,
  metadataUrl,
  protectedResourceMetadata,
} from '../../../../proxy/auth/challenge.ts';
import { fail } from '../../../../proxy/auth/failure.ts';

describe('challenge and metadata', () => {
  it('puts the metadata path after the origin of the resource URL (path-aware)', () => {
    expect(metadataUrl('https://mcp.example:8443/mcp')).to.equal(
      'https://mcp.example:8443/.well-known/oauth-protected-resource/mcp',
    );
    expect(metadataUrl('https://mcp.example/')).to.equal(
      'https://mcp.example/.well-known/oauth-protected-resource',
    );
    expect(metadataUrl('https://mcp.example/tenant/mcp/')).to.equal(
      'https://mcp.example/.well-known/oauth-protected-resource/tenant/mcp',
    );
    expect(metadataPaths(['/mcp', '/sse'])).to.deep.equal([
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource/sse',
    ]);
  });

  it('builds the document', () => {
    const auth = { resourceUrl: 'https://r/mcp', issuer: 'https://i', scopesSupported: ['a'] };
    expect(protectedResourceMetadata(auth, 'fetch')).to.deep.equal({
      resource: 'https://r/mcp',
      authorization_servers: ['https://i'],
      scopes_supported: ['a'],
      bearer_methods_supported: ['header'],
      resource_name: 'fetch',
    });
    expect(protectedResourceMetadata({ ...auth, scopesSupported: [] })).not.to.have.property(
      'scopes_supported',
    );
  });

  it('challenges without an error code when no token came, with one when it did', () => {
    const url = 'https://r/.well-known/oauth-protected-resource/mcp';
    expect(challenge(url, fail('missing', 'x'))).to.equal(`Bearer resource_metadata="${url}"`);
    expect(challenge(url, fail('expired', 'the token has expired'))).to.equal(
      `Bearer resource_metadata="${url}", error="invalid_token", error_description="the token has expired"`,
    );
    expect(challenge(url, fail('scope', 'lacks'), ['a', 'b'])).to.equal(
      `Bearer resource_metadata="${url}", error="insufficient_scope", error_description="lacks", scope="a b"`,
    );
  });

  it('escapes quotes and drops control characters in the description', () => {
    expect(challenge('u', fail('claims', 'a "b"\\\r\nc'))).to.equal(
      'Bearer resource_metadata="u", error="invalid_token", error_description="a \\"b\\"\\\\c"',
    );
  });
});

describe('bearerToken', () => {
  const cases: Record<string, { header?: string; want: unknown }> = {
    'reads a bearer token': { header: 'Bearer abc.def-_~+/=', want: { token: 'abc.def-_~+/=' } },
    'takes the scheme in any case': { header: 'bearer abc', want: { token: 'abc' } },
    'no header is missing': { want: { problem: 'missing' } },
    'another scheme is missing (RFC 6750 §3.1: no error code)': {
      header: 'Basic YTpi',
      want: { problem: 'missing' },
    },
    'Bearer without a token is malformed': { header: 'Bearer ', want: { problem: 'malformed' } },
    'two tokens are malformed': { header: 'Bearer a b', want: { problem: 'malformed' } },
    'a token with a quote is malformed': { header: 'Bearer a"b', want: { problem: 'malformed' } },
  };
  for (const [name, c] of Object.entries(cases))
    it(name, () => expect(bearerToken(c.header)).to.deep.equal(c.want));
});
