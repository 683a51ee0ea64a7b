import { expect } from 'chai';
import { gatherFacts, type ClusterLookup } from '../../../../webhook/facts.ts';
import {
  FieldPath,
  forbidden,
  invalid,
  notFound,
  required,
  type FieldError,
} from '../../../../webhook/field.ts';
import {
  checkExternalAuthSpec,
  REFUSED_TYPES,
  validateMCPExternalAuthConfig,
} from '../../../../webhook/rules/companions/mcpexternalauthconfig.ts';
import { checkExternalAuth } from '../../../../webhook/rules/external-auth.ts';
import { checkUnsupportedFields } from '../../../../webhook/rules/unsupported.ts';
import { mcpServer, withSpec } from '../builders.ts';

const spec = FieldPath.of('spec');
const TOKEN_EXCHANGE = {
  type: 'tokenExchange',
  tokenExchange: {
    tokenUrl: 'https://idp.example.com/token',
    clientId: 'proxy',
    clientSecretRef: { name: 'idp', key: 'secret' },
    audience: 'backend',
  },
};

describe('validateMCPExternalAuthConfig', () => {
  const IFF = (m: string) => `${m} configuration must be set if and only if type is '${m}'`;
  const cases: Record<string, { spec: Record<string, unknown>; want: FieldError[] }> = {
    'accepts tokenExchange with an https token endpoint': { spec: TOKEN_EXCHANGE, want: [] },
    'accepts headerInjection': {
      spec: {
        type: 'headerInjection',
        headerInjection: { headerName: 'X-API-Key', valueSecretRef: { name: 's', key: 'k' } },
      },
      want: [],
    },
    'accepts unauthenticated with no member': { spec: { type: 'unauthenticated' }, want: [] },
    "requires the member type names (ToolHive's message)": {
      spec: { type: 'bearerToken' },
      want: [required(spec.child('bearerToken'), IFF('bearerToken'))],
    },
    'forbids a member type does not name, and unauthenticated with one': {
      spec: { type: 'unauthenticated', bearerToken: { tokenSecretRef: { name: 's', key: 'k' } } },
      want: [forbidden(spec.child('bearerToken'), IFF('bearerToken'))],
    },
    'refuses an http token endpoint, a secret without a client id and an upstream provider, all at once': {
      spec: {
        type: 'tokenExchange',
        tokenExchange: {
          tokenUrl: 'http://idp/token',
          clientSecretRef: { name: 'idp', key: 'secret' },
          audience: 'a',
          subjectProviderName: 'google',
        },
      },
      want: [
        invalid(
          spec.child('tokenExchange', 'tokenUrl'),
          'http://idp/token',
          "must be an https URL: the client secret and the caller's token are sent there",
        ),
        required(
          spec.child('tokenExchange', 'clientId'),
          'clientSecretRef authenticates a client: name it in clientId',
        ),
        forbidden(
          spec.child('tokenExchange', 'subjectProviderName'),
          "an upstream provider's token needs the embedded authorization server, which this operator does not implement; leave it empty: the subject token is the caller's own validated token",
        ),
      ],
    },
    'refuses a header the proxy sets itself': {
      spec: {
        type: 'headerInjection',
        headerInjection: { headerName: 'Mcp-Session-Id', valueSecretRef: { name: 's', key: 'k' } },
      },
      want: [
        forbidden(
          spec.child('headerInjection', 'headerName'),
          'the proxy sets Mcp-Session-Id itself on every request to the MCP server; choose another header',
        ),
      ],
    },
    'refuses the embedded authorization server, naming the reason and the alternative': {
      spec: { type: 'embeddedAuthServer', embeddedAuthServer: { issuer: 'https://auth.example.com' } },
      want: [forbidden(spec.child('type'), REFUSED_TYPES.embeddedAuthServer!)],
    },
  };
  for (const [name, c] of Object.entries(cases))
    it(name, () => expect(checkExternalAuthSpec(c.spec)).to.deep.equal(c.want));

  it("refuses ToolHive's snake_case example fields by schema, as ToolHive's CRD does", () => {
    const errors = validateMCPExternalAuthConfig({
      apiVersion: 'toolhive.stacklok.dev/v1beta1',
      kind: 'MCPExternalAuthConfig',
      metadata: { name: 'x' },
      spec: { type: 'tokenExchange', tokenExchange: { token_url: 'https://o/token', audience: 'a' } },
    }).errors;
    expect(errors.map((e) => `${e.field} ${e.type}`)).to.include(
      'spec.tokenExchange.tokenUrl FieldValueRequired',
    );
  });

  it('names the reason for every refused type', () => {
    for (const type of ['embeddedAuthServer', 'awsSts', 'upstreamInject', 'obo', 'xaa'])
      expect(REFUSED_TYPES[type]).to.match(/(not implemented|does not implement).*use tokenExchange/);
  });
});

describe('checkExternalAuth (MCPServer spec.externalAuthConfigRef)', () => {
  const lookupOf = (configs: Record<string, object>, secrets: Record<string, string[]>): ClusterLookup => ({
    getSecretKeys: (_ns, name) => Promise.resolve(secrets[name]),
    getConfigMapData: () => Promise.resolve(undefined),
    getAuthConfig: (kind, _ns, name) =>
      Promise.resolve(configs[`${kind}/${name}`] as Record<string, unknown> | undefined),
  });
  const server = (extra: object) =>
    mcpServer(
      's',
      withSpec({
        transport: 'streamable-http',
        mcpPort: 8080,
        externalAuthConfigRef: { name: 'up' },
        ...extra,
      }),
    );

  it('requires incoming authentication for tokenExchange and denies a missing Secret key by field path', async () => {
    const s = server({});
    const facts = await gatherFacts(
      s,
      lookupOf({ 'MCPExternalAuthConfig/up': TOKEN_EXCHANGE }, { idp: ['other'] }),
      'ns',
    );
    expect(checkExternalAuth(s, facts)).to.deep.equal([
      required(
        spec.child('oidcConfigRef'),
        "MCPExternalAuthConfig up exchanges the caller's own token (RFC 8693): the proxy must authenticate callers (spec.oidcConfigRef or spec.oidcConfig)",
      ),
      invalid(
        spec.child('externalAuthConfigRef', 'name'),
        'up',
        'MCPExternalAuthConfig up: spec.tokenExchange.clientSecretRef.key: Not found: "secret": Secret idp has no such key',
      ),
    ]);
    void notFound;
  });

  it('refuses outgoing authentication for a stdio server', async () => {
    const s = server({ transport: 'stdio' });
    const facts = await gatherFacts(
      s,
      lookupOf({ 'MCPExternalAuthConfig/up': { type: 'unauthenticated' } }, {}),
      'ns',
    );
    expect(checkExternalAuth(s, facts).map((e) => `${e.field} ${e.type}`)).to.deep.equal([
      'spec.externalAuthConfigRef FieldValueForbidden',
    ]);
  });

  it('refuses authServerRef naming the reason and the alternative', () => {
    const [error] = checkUnsupportedFields(
      mcpServer('s', withSpec({ authServerRef: { kind: 'MCPExternalAuthConfig', name: 'x' } })),
    );
    expect(error?.detail).to.contain('embedded OAuth 2.0 authorization server is not implemented');
    expect(error?.detail).to.contain('spec.oidcConfigRef');
  });
});
