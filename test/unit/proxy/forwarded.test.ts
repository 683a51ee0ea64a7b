import { expect } from 'chai';
import type { IncomingHttpHeaders } from 'node:http';
import { endpointPrefixProblem } from '../../../lib/endpoint-prefix.ts';
import { publicResource } from '../../../proxy/auth/challenge.ts';
import { edgeProblem, serverTimeouts, type RunConfigEdge } from '../../../proxy/edge-config.ts';
import { publicBase, publicUrl, type PublicBase } from '../../../proxy/forwarded.ts';

const INGRESS: IncomingHttpHeaders = {
  host: 'mcp-fetch-proxy.tools.svc:8080',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'mcp.example.com',
  'x-forwarded-prefix': '/team-a',
};

describe('publicBase', () => {
  const cases: Record<string, { headers: IncomingHttpHeaders; edge?: RunConfigEdge; want: PublicBase }> = {
    'without an edge section: the proxy’s own view, headers ignored': {
      headers: INGRESS,
      want: { prefix: '' },
    },
    'untrusted: a spoofed X-Forwarded-Host, -Proto and -Prefix are all ignored': {
      headers: { ...INGRESS, 'x-forwarded-host': 'evil.example' },
      edge: { trustProxyHeaders: false },
      want: { prefix: '' },
    },
    'untrusted with endpointPrefix: the prefix only': {
      headers: INGRESS,
      edge: { endpointPrefix: '/fixed/' },
      want: { prefix: '/fixed' },
    },
    'trusted: origin and prefix from the headers': {
      headers: INGRESS,
      edge: { trustProxyHeaders: true },
      want: { origin: 'https://mcp.example.com', prefix: '/team-a' },
    },
    'trusted: endpointPrefix wins over X-Forwarded-Prefix': {
      headers: INGRESS,
      edge: { trustProxyHeaders: true, endpointPrefix: '/fixed' },
      want: { origin: 'https://mcp.example.com', prefix: '/fixed' },
    },
    'trusted: X-Forwarded-Port replaces the port, the default port is dropped': {
      headers: { ...INGRESS, 'x-forwarded-host': 'mcp.example.com:9000', 'x-forwarded-port': '443' },
      edge: { trustProxyHeaders: true },
      want: { origin: 'https://mcp.example.com', prefix: '/team-a' },
    },
    'trusted: lists count by their first value; a prefix ending in /sse loses it': {
      headers: {
        host: 'x',
        'x-forwarded-proto': 'https, http',
        'x-forwarded-host': 'a.example, b.example',
        'x-forwarded-prefix': '/team-a/sse',
      },
      edge: { trustProxyHeaders: true },
      want: { origin: 'https://a.example', prefix: '/team-a' },
    },
    'trusted: only a prefix forwarded: URLs stay relative to the client’s host': {
      headers: { host: 'x', 'x-forwarded-prefix': '/p' },
      edge: { trustProxyHeaders: true },
      want: { prefix: '/p' },
    },
    'trusted: only X-Forwarded-Proto: the Host header fills in the host': {
      headers: { host: 'mcp.example.com:8443', 'x-forwarded-proto': 'https' },
      edge: { trustProxyHeaders: true },
      want: { origin: 'https://mcp.example.com:8443', prefix: '' },
    },
    'trusted: values that are no host or path are never copied': {
      headers: {
        host: 'x',
        'x-forwarded-host': 'evil.example/path?q',
        'x-forwarded-prefix': '/a/../b',
      },
      edge: { trustProxyHeaders: true },
      want: { prefix: '' },
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(publicBase(c.headers, c.edge)).to.deep.equal(c.want));
  }

  it('builds the URL a client posts to', () => {
    expect(publicUrl({ prefix: '' }, '/messages')).to.equal('/messages');
    expect(publicUrl({ prefix: '/p' }, '/messages')).to.equal('/p/messages');
    expect(publicUrl({ origin: 'https://h', prefix: '/p' }, '/messages')).to.equal('https://h/p/messages');
  });
});

describe('publicResource', () => {
  const internal = 'http://mcp-fetch-proxy.tools.svc.cluster.local:8080/mcp';
  const cases: Record<
    string,
    { url: string; base: PublicBase; want: { resource: string; metadata: string } }
  > = {
    'no edge: resourceUrl and its path-aware metadata URL, unchanged': {
      url: internal,
      base: { prefix: '' },
      want: {
        resource: internal,
        metadata:
          'http://mcp-fetch-proxy.tools.svc.cluster.local:8080/.well-known/oauth-protected-resource/mcp',
      },
    },
    'behind a path-stripping ingress: public origin, the prefix before the well-known path': {
      url: internal,
      base: { origin: 'https://mcp.example.com', prefix: '/team-a' },
      want: {
        resource: 'https://mcp.example.com/team-a/mcp',
        metadata: 'https://mcp.example.com/team-a/.well-known/oauth-protected-resource/mcp',
      },
    },
    'a resourceUrl already carrying the prefix is not prefixed twice': {
      url: 'https://mcp.example.com/team-a/mcp',
      base: { prefix: '/team-a' },
      want: {
        resource: 'https://mcp.example.com/team-a/mcp',
        metadata: 'https://mcp.example.com/team-a/.well-known/oauth-protected-resource/mcp',
      },
    },
    'a root resource behind a host-only ingress': {
      url: 'http://internal:8080/',
      base: { origin: 'https://mcp.example.com', prefix: '' },
      want: {
        resource: 'https://mcp.example.com/',
        metadata: 'https://mcp.example.com/.well-known/oauth-protected-resource',
      },
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(publicResource(c.url, c.base)).to.deep.equal(c.want));
  }
});

describe('edge section', () => {
  it('refuses what the proxy cannot run with, naming the field', () => {
    expect(edgeProblem({})).to.equal(undefined);
    expect(
      edgeProblem({ trustProxyHeaders: true, endpointPrefix: '/a', readTimeout: '1m', writeTimeout: '0' }),
    ).to.equal(undefined);
    expect(edgeProblem([])).to.equal('edge must be an object');
    expect(edgeProblem({ trustProxyHeaders: 'yes' })).to.equal(
      'edge.trustProxyHeaders must be true or false',
    );
    expect(edgeProblem({ endpointPrefix: 'a' })).to.equal(
      `edge.endpointPrefix "a" must be a path starting with '/'`,
    );
    expect(edgeProblem({ readTimeout: '-1s' })).to.match(/^edge.readTimeout "-1s" must be a Go duration/);
    expect(edgeProblem({ writeTimeout: '10' })).to.match(/^edge.writeTimeout "10" must be a Go duration/);
  });

  it('turns durations into the server’s timeouts: 30 s to read by default, never unlimited', () => {
    expect(serverTimeouts(undefined)).to.deep.equal({ readMs: 30_000, headersMs: 10_000, writeMs: 0 });
    expect(serverTimeouts({ readTimeout: '0s' })).to.deep.equal({
      readMs: 30_000,
      headersMs: 10_000,
      writeMs: 0,
    });
    expect(serverTimeouts({ readTimeout: '2s', writeTimeout: '1m30s' })).to.deep.equal({
      readMs: 2000,
      headersMs: 2000,
      writeMs: 90_000,
    });
    expect(serverTimeouts({ readTimeout: '500us' }).readMs).to.equal(1);
    expect(serverTimeouts({ writeTimeout: '100000h' }).writeMs).to.equal(2 ** 31 - 1);
  });
});

describe('endpointPrefixProblem', () => {
  const cases: Record<string, [string, string | undefined]> = {
    'a plain path': ['/team-a', undefined],
    'nested, with a trailing slash': ['/a/b/', undefined],
    'the root': ['/', undefined],
    'escapes that are no dot': ['/a%20b', undefined],
    relative: ['team-a', "must be a path starting with '/'"],
    'a parent segment': ['/a/../b', "must not contain '.' or '..' segments"],
    'an escaped parent segment': ['/a/%2e%2E', "must not contain '.' or '..' segments"],
    'a current segment': ['/./a', "must not contain '.' or '..' segments"],
    'an empty segment': ['/a//b', "must not contain '//'"],
    'a query': [
      '/a?b',
      "must be a URL path: letters, digits and -._~!$&'()*+,;=:@ or %XX escapes between slashes",
    ],
    'a broken escape': [
      '/a%zz',
      "must be a URL path: letters, digits and -._~!$&'()*+,;=:@ or %XX escapes between slashes",
    ],
  };
  for (const [name, [prefix, want]] of Object.entries(cases)) {
    it(name, () => expect(endpointPrefixProblem(prefix)).to.equal(want));
  }
});
