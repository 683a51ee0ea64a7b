// The authentication, authorization and tenancy-policy rules of an MCPServer: each denial with its exact
// field path and message, and the allowed shapes next to them.
import { expect } from 'chai';
import type { AdmissionFacts } from '../../../../webhook/facts.ts';
import { formatFieldError } from '../../../../webhook/field.ts';
import { defaultPolicy, type AdmissionPolicy } from '../../../../webhook/policy.ts';
import { checkAuthentication, OIDC_BOTH } from '../../../../webhook/rules/authentication.ts';
import { AUTHZ_BOTH, checkAuthorization } from '../../../../webhook/rules/authorization.ts';
import { authWarnings, OIDC_CONFIG_DEPRECATED } from '../../../../webhook/rules/auth-warnings.ts';
import { checkTenancyPolicy } from '../../../../webhook/rules/tenancy-policy.ts';
import { validateMCPServer } from '../../../../webhook/validate.ts';
import { factsWith, mcpServer, withSpec } from '../builders.ts';

const messages = (errors: ReturnType<typeof checkAuthentication>) => errors.map(formatFieldError);

/** Facts with these MCPOIDCConfig/MCPAuthzConfig names looked up: present (true) or absent (false). */
function withConfigs(facts: AdmissionFacts, configs: Record<string, boolean>): AdmissionFacts {
  const entries = Object.entries(configs).map(([key, present]) => [key, present ? {} : undefined] as const);
  return { ...facts, authConfigs: new Map(entries) };
}

const REF = { name: 'oidc', audience: 'srv-a' };

describe('checkAuthentication', () => {
  it('accepts an oidcConfigRef to an MCPOIDCConfig that exists', () => {
    const server = mcpServer('s', withSpec({ oidcConfigRef: REF }));
    expect(
      checkAuthentication(server, withConfigs(factsWith(), { 'MCPOIDCConfig/oidc': true })),
    ).to.deep.equal([]);
  });
  it('denies an oidcConfigRef to a missing MCPOIDCConfig, naming the namespace', () => {
    const server = mcpServer('s', withSpec({ oidcConfigRef: REF }));
    expect(
      messages(checkAuthentication(server, withConfigs(factsWith(), { 'MCPOIDCConfig/oidc': false }))),
    ).to.deep.equal([
      'spec.oidcConfigRef.name: Not found: "oidc": no MCPOIDCConfig of that name in namespace team-a',
    ]);
  });
  it('denies oidcConfig with oidcConfigRef, and a relative resourceUrl', () => {
    const server = mcpServer(
      's',
      withSpec({ oidcConfigRef: { ...REF, resourceUrl: '/mcp' }, oidcConfig: { type: 'kubernetes' } }),
    );
    expect(messages(checkAuthentication(server, factsWith()))).to.deep.equal([
      `spec.oidcConfig: Forbidden: ${OIDC_BOTH}`,
      'spec.oidcConfigRef.resourceUrl: Invalid value: "/mcp": must be an absolute http or https URL',
    ]);
  });
  it('legacy inline: http issuer only with insecureAllowHTTP; its Secret and CA ConfigMap with their keys', () => {
    const inline = {
      issuer: 'http://idp.example',
      jwksUrl: 'https://idp.example/jwks',
      clientSecretRef: { name: 'oidc-secret', key: 'secret' },
      caBundleRef: { configMapRef: { name: 'ca' } },
    };
    const server = mcpServer('s', withSpec({ oidcConfig: { type: 'inline', inline } }));
    const facts = factsWith({ 'oidc-secret': ['other'] }, {}, { configMaps: ['ca'] });
    expect(messages(checkAuthentication(server, facts))).to.deep.equal([
      'spec.oidcConfig.inline.issuer: Invalid value: "http://idp.example": must be an absolute https URL (insecureAllowHTTP allows http, for development only)',
      'spec.oidcConfig.inline.clientSecretRef.key: Not found: "secret": Secret oidc-secret has no such key',
      'spec.oidcConfig.inline.caBundleRef.configMapRef.name: Not found: "ca": no ConfigMap of that name in namespace team-a',
    ]);
    const allowed = mcpServer(
      's',
      withSpec({ oidcConfig: { type: 'inline', inline: { ...inline, insecureAllowHTTP: true } } }),
    );
    const good = factsWith({ 'oidc-secret': ['secret'] }, { ca: { 'ca.crt': 'PEM' } });
    expect(checkAuthentication(allowed, good)).to.deep.equal([]);
  });
  it("an inline MCPOIDCConfig's Secret and CA ConfigMap must exist with their keys, denied at oidcConfigRef.name", () => {
    const server = mcpServer('s', withSpec({ oidcConfigRef: { name: 'corp-idp', audience: 'a' } }));
    const inline = {
      issuer: 'https://idp.example',
      clientSecretRef: { name: 'idp-client', key: 'client-secret' },
      caBundleRef: { configMapRef: { name: 'idp-ca' } },
    };
    const config = { type: 'inline', inline };
    const withConfig = (facts: AdmissionFacts): AdmissionFacts => ({
      ...facts,
      authConfigs: new Map([['MCPOIDCConfig/corp-idp', config]]),
    });
    const missing = withConfig(factsWith({}, {}, { secrets: ['idp-client'], configMaps: ['idp-ca'] }));
    expect(messages(checkAuthentication(server, missing))).to.deep.equal([
      'spec.oidcConfigRef.name: Invalid value: "corp-idp": MCPOIDCConfig corp-idp: spec.inline.clientSecretRef.name: Not found: "idp-client": no Secret of that name in namespace team-a',
      'spec.oidcConfigRef.name: Invalid value: "corp-idp": MCPOIDCConfig corp-idp: spec.inline.caBundleRef.configMapRef.name: Not found: "idp-ca": no ConfigMap of that name in namespace team-a',
    ]);
    const noKeys = withConfig(factsWith({ 'idp-client': ['other'] }, { 'idp-ca': { 'tls.crt': 'PEM' } }));
    expect(messages(checkAuthentication(server, noKeys))).to.deep.equal([
      'spec.oidcConfigRef.name: Invalid value: "corp-idp": MCPOIDCConfig corp-idp: spec.inline.clientSecretRef.key: Not found: "client-secret": Secret idp-client has no such key',
      'spec.oidcConfigRef.name: Invalid value: "corp-idp": MCPOIDCConfig corp-idp: spec.inline.caBundleRef.configMapRef.key: Not found: "ca.crt": ConfigMap idp-ca has no such key',
    ]);
    const good = withConfig(
      factsWith({ 'idp-client': ['client-secret'] }, { 'idp-ca': { 'ca.crt': 'PEM' } }),
    );
    expect(checkAuthentication(server, good)).to.deep.equal([]);
    // A kubernetesServiceAccount config names no files; offline nothing is checked.
    const sa = {
      ...missing,
      authConfigs: new Map([['MCPOIDCConfig/corp-idp', { type: 'kubernetesServiceAccount' }]]),
    };
    expect(checkAuthentication(server, sa)).to.deep.equal([]);
    expect(checkAuthentication(server, { ...missing, lookupsSkipped: true })).to.deep.equal([]);
  });
  it('legacy type and member must agree (kubernetes may be left out: its defaults apply)', () => {
    const server = mcpServer('s', withSpec({ oidcConfig: { type: 'inline', kubernetes: {} } }));
    expect(messages(checkAuthentication(server, factsWith()))).to.deep.equal([
      'spec.oidcConfig.kubernetes: Forbidden: must not be set when type is "inline"',
      'spec.oidcConfig.inline: Required value: must be set when type is "inline"',
    ]);
    expect(checkAuthentication(mcpServer('s', withSpec({ oidcConfig: {} })), factsWith())).to.deep.equal([]);
  });
  it('legacy kubernetes may name another namespace (whose tokens are accepted), but its issuer must be https', () => {
    const kubernetes = { namespace: 'clients', issuer: 'http://kubernetes.default.svc' };
    const server = mcpServer('s', withSpec({ oidcConfig: { kubernetes } }));
    expect(messages(checkAuthentication(server, factsWith()))).to.deep.equal([
      'spec.oidcConfig.kubernetes.issuer: Invalid value: "http://kubernetes.default.svc": must be an absolute https URL (insecureAllowHTTP allows http, for development only)',
    ]);
  });
  it('legacy configMap: the ConfigMap must hold issuer, which must be https unless insecureAllowHTTP is "true"', () => {
    const server = mcpServer(
      's',
      withSpec({ oidcConfig: { type: 'configMap', configMap: { name: 'oidc' } } }),
    );
    expect(messages(checkAuthentication(server, factsWith({}, { oidc: { audience: 'a' } })))).to.deep.equal([
      'spec.oidcConfig.configMap.name: Not found: "issuer": ConfigMap oidc has no such key',
    ]);
    expect(
      messages(checkAuthentication(server, factsWith({}, { oidc: { issuer: 'http://idp' } }))),
    ).to.deep.equal([
      'spec.oidcConfig.configMap.name.issuer: Invalid value: "http://idp": ConfigMap oidc: must be an absolute https URL (insecureAllowHTTP allows http, for development only)',
    ]);
    const insecure = factsWith({}, { oidc: { issuer: 'http://idp', insecureAllowHTTP: 'true' } });
    expect(checkAuthentication(server, insecure)).to.deep.equal([]);
  });
  it('skips existence checks offline', () => {
    const server = mcpServer('s', withSpec({ oidcConfigRef: REF }));
    const facts = { ...withConfigs(factsWith(), { 'MCPOIDCConfig/oidc': false }), lookupsSkipped: true };
    expect(checkAuthentication(server, facts)).to.deep.equal([]);
  });
});

const INLINE = (policies: string[]) => ({ type: 'inline', inline: { policies } });

describe('checkAuthorization', () => {
  it('accepts inline Cedar the proxy can enforce', () => {
    const server = mcpServer(
      's',
      withSpec({
        authzConfig: INLINE(['permit(principal, action == Action::"call_tool", resource == Tool::"echo");']),
      }),
    );
    expect(checkAuthorization(server, factsWith())).to.deep.equal([]);
  });
  it('denies a Cedar syntax error at the policy, with line and column', () => {
    const bad = 'permit(principal,\n  action resource);';
    const server = mcpServer(
      's',
      withSpec({ authzConfig: INLINE(['permit(principal, action, resource);', bad]) }),
    );
    expect(messages(checkAuthorization(server, factsWith()))).to.deep.equal([
      'spec.authzConfig.inline.policies[1]: Invalid value: "permit(principal,\\n  action resource);": line 2, column 10: failed to parse policies from string: unexpected token `resource`',
    ]);
  });
  it("denies authzConfig with authzConfigRef (ToolHive's message) and a missing MCPAuthzConfig", () => {
    const server = mcpServer(
      's',
      withSpec({
        authzConfig: INLINE(['permit(principal, action, resource);']),
        authzConfigRef: { name: 'z' },
      }),
    );
    expect(
      messages(checkAuthorization(server, withConfigs(factsWith(), { 'MCPAuthzConfig/z': false }))),
    ).to.deep.equal([
      `spec.authzConfig: Forbidden: ${AUTHZ_BOTH}`,
      'spec.authzConfigRef.name: Not found: "z": no MCPAuthzConfig of that name in namespace team-a',
    ]);
  });
  it("type defaults to configMap, and must match its member (ToolHive's CEL messages)", () => {
    const server = mcpServer(
      's',
      withSpec({ authzConfig: { inline: { policies: ['permit(principal, action, resource);'] } } }),
    );
    expect(messages(checkAuthorization(server, factsWith()))).to.deep.equal([
      "spec.authzConfig.configMap: Required value: configMap must be set when type is 'configMap', and must not be set otherwise",
      "spec.authzConfig.inline: Forbidden: inline must be set when type is 'inline', and must not be set otherwise",
    ]);
  });
  it('reads a ConfigMap-held config (key default authz.json) and reports its Cedar at the key', () => {
    const server = mcpServer(
      's',
      withSpec({ authzConfig: { type: 'configMap', configMap: { name: 'authz' } } }),
    );
    const file = (policy: string) => ({
      'authz.json': JSON.stringify({ version: '1.0', type: 'cedarv1', cedar: { policies: [policy] } }),
    });
    expect(
      checkAuthorization(server, factsWith({}, { authz: file('permit(principal, action, resource);') })),
    ).to.deep.equal([]);
    expect(
      messages(
        checkAuthorization(server, factsWith({}, { authz: file('permit(principal, action, resource') })),
      ),
    ).to.have.length(1);
    expect(
      messages(
        checkAuthorization(server, factsWith({}, { authz: file('permit(principal, action, resource') })),
      )[0],
    ).to.match(
      /^spec\.authzConfig\.configMap\.key: Invalid value: "authz\.json": ConfigMap authz at policies\.0, line 1, column \d+: /,
    );
    expect(
      messages(checkAuthorization(server, factsWith({}, { authz: { 'other.json': '{}' } }))),
    ).to.deep.equal([
      'spec.authzConfig.configMap.key: Not found: "authz.json": ConfigMap authz has no such key',
    ]);
  });
});

describe('checkTenancyPolicy', () => {
  const policy: AdmissionPolicy = {
    ...defaultPolicy(),
    authenticationRequiredNamespaces: ['team-*'],
    separateSessionsRequiredNamespaces: ['team-a'],
  };
  it('requires an OIDC config where the policy says so, naming the key', () => {
    expect(
      messages(checkTenancyPolicy(mcpServer('s', withSpec({ transport: 'sse' })), policy)),
    ).to.deep.equal([
      'spec.oidcConfigRef: Required value: the admission policy (authenticationRequiredNamespaces) requires authentication in namespace team-a: name an MCPOIDCConfig',
    ]);
    expect(
      checkTenancyPolicy(mcpServer('s', withSpec({ transport: 'sse', oidcConfigRef: REF })), policy),
    ).to.deep.equal([]);
    expect(
      checkTenancyPolicy(mcpServer('s', withSpec({ transport: 'sse', oidcConfig: {} })), policy),
    ).to.deep.equal([]);
  });
  it('denies stdio (also when transport is unset) where separate sessions are required', () => {
    const want = [
      'spec.transport: Forbidden: the admission policy (separateSessionsRequiredNamespaces) requires streamable-http or sse in namespace team-a: one stdio process is shared by every session',
    ];
    expect(
      messages(checkTenancyPolicy(mcpServer('s', withSpec({ oidcConfigRef: REF })), policy)),
    ).to.deep.equal(want);
    expect(
      messages(
        checkTenancyPolicy(mcpServer('s', withSpec({ oidcConfigRef: REF, transport: 'stdio' })), policy),
      ),
    ).to.deep.equal(want);
    expect(
      checkTenancyPolicy(
        mcpServer('s', withSpec({ oidcConfigRef: REF, transport: 'streamable-http' })),
        policy,
      ),
    ).to.deep.equal([]);
  });
  it('applies nothing without the keys', () => {
    expect(checkTenancyPolicy(mcpServer('s'), defaultPolicy())).to.deep.equal([]);
  });
});

describe('authentication in validateMCPServer', () => {
  it('accepts the legacy oidcConfig with the deprecation warning; no longer Forbidden', () => {
    const server = mcpServer(
      's',
      withSpec({
        oidcConfig: { type: 'kubernetes', kubernetes: { audience: 'a' } },
        audit: { enabled: true },
      }),
    );
    const verdict = validateMCPServer(server, factsWith(), defaultPolicy());
    expect(verdict.errors).to.deep.equal([]);
    expect(verdict.warnings).to.include(OIDC_CONFIG_DEPRECATED);
  });
  it('warns about fields accepted without effect', () => {
    const server = mcpServer(
      's',
      withSpec({ oidcConfig: { type: 'inline', inline: { issuer: 'https://i', jwksAllowPrivateIP: true } } }),
    );
    expect(authWarnings(server)).to.deep.equal([
      OIDC_CONFIG_DEPRECATED,
      'spec.oidcConfig.inline.jwksAllowPrivateIP has no effect: the proxy does not refuse private addresses',
    ]);
  });
  it('reports schema errors of the new fields by path (oidcConfigRef.audience required)', () => {
    const server = mcpServer('s', withSpec({ oidcConfigRef: { name: 'oidc' } }));
    expect(messages(validateMCPServer(server, factsWith(), defaultPolicy()).errors)).to.deep.equal([
      'spec.oidcConfigRef.audience: Required value',
    ]);
  });
});
