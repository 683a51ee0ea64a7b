// MCPOIDCConfig and MCPAuthzConfig admission: ToolHive's CEL rules, URLs, Cedar at spec.config.policies[i],
// types this operator does not implement; the review envelope on their own paths; the policy's tenancy keys.
import { expect } from 'chai';
import { reviewConfigValidate } from '../../../../webhook/config-review.ts';
import { formatFieldError } from '../../../../webhook/field.ts';
import { parsePolicy } from '../../../../webhook/policy.ts';
import { validateMCPAuthzConfig, validateMCPOIDCConfig } from '../../../../webhook/rules/auth-configs.ts';

const oidc = (spec: unknown) => ({
  apiVersion: 'toolhive.stacklok.dev/v1beta1',
  kind: 'MCPOIDCConfig',
  metadata: { name: 'o', namespace: 'team-a' },
  spec,
});
const authz = (spec: unknown) => ({ ...oidc(spec), kind: 'MCPAuthzConfig' });
const messages = (v: { errors: Parameters<typeof formatFieldError>[0][] }) => v.errors.map(formatFieldError);

describe('validateMCPOIDCConfig', () => {
  it('accepts kubernetesServiceAccount and inline', () => {
    expect(
      validateMCPOIDCConfig(oidc({ type: 'kubernetesServiceAccount', kubernetesServiceAccount: {} })).errors,
    ).to.deep.equal([]);
    expect(
      validateMCPOIDCConfig(oidc({ type: 'inline', inline: { issuer: 'https://idp.example' } })).errors,
    ).to.deep.equal([]);
  });
  it("denies a member the type does not name, and a missing one (ToolHive's CEL messages)", () => {
    const v = validateMCPOIDCConfig(oidc({ type: 'inline', kubernetesServiceAccount: {} }));
    expect(messages(v)).to.deep.equal([
      "spec.kubernetesServiceAccount: Forbidden: kubernetesServiceAccount must be set when type is 'kubernetesServiceAccount', and must not be set otherwise",
      "spec.inline: Required value: inline must be set when type is 'inline', and must not be set otherwise",
    ]);
  });
  it('denies http URLs unless insecureAllowHTTP, and schema errors by path', () => {
    expect(
      messages(
        validateMCPOIDCConfig(
          oidc({ type: 'inline', inline: { issuer: 'http://idp', jwksUrl: 'idp/jwks' } }),
        ),
      ),
    ).to.deep.equal([
      'spec.inline.issuer: Invalid value: "http://idp": must be an absolute https URL (insecureAllowHTTP allows http, for development only)',
      'spec.inline.jwksUrl: Invalid value: "idp/jwks": must be an absolute https URL (insecureAllowHTTP allows http, for development only)',
    ]);
    const insecure = { type: 'inline', inline: { issuer: 'http://idp', insecureAllowHTTP: true } };
    expect(validateMCPOIDCConfig(oidc(insecure)).errors).to.deep.equal([]);
    expect(messages(validateMCPOIDCConfig(oidc({ type: 'github' })))).to.deep.equal([
      'spec.type: Unsupported value: "github": supported values: "kubernetesServiceAccount", "inline"',
    ]);
  });
});

describe('validateMCPAuthzConfig', () => {
  const cedar = (policies: unknown) => authz({ type: 'cedarv1', config: { policies, entities_json: '[]' } });
  it('accepts cedarv1 with policies the proxy can enforce', () => {
    expect(
      validateMCPAuthzConfig(cedar(['permit(principal, action == Action::"call_tool", resource);'])).errors,
    ).to.deep.equal([]);
  });
  it('denies a syntax error at spec.config.policies[i] with line and column', () => {
    expect(
      messages(
        validateMCPAuthzConfig(
          cedar(['permit(principal, action, resource);', 'forbid(principal action, resource);']),
        ),
      ),
    ).to.deep.equal([
      'spec.config.policies[1]: Invalid value: "forbid(principal action, resource);": line 1, column 18: failed to parse policies from string: unexpected token `action`',
    ]);
  });
  it('denies a config without policies, and httpv1 as not supported here', () => {
    expect(messages(validateMCPAuthzConfig(authz({ type: 'cedarv1', config: {} })))).to.deep.equal([
      'spec.config.policies: Invalid value: "": must be a non-empty list of Cedar policies',
    ]);
    expect(messages(validateMCPAuthzConfig(authz({ type: 'httpv1', config: { http: {} } })))).to.deep.equal([
      'spec.type: Unsupported value: "httpv1": supported values: "cedarv1"',
    ]);
  });
});

describe('reviewConfigValidate', () => {
  const review = (object: unknown, operation = 'CREATE', kind = 'MCPAuthzConfig') => ({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'u1',
      kind: { group: 'toolhive.stacklok.dev', version: 'v1beta1', kind },
      operation,
      name: 'o',
      namespace: 'team-a',
      object,
    },
  });
  type Answer = {
    body: { response: { allowed: boolean; status?: { message: string; details: { kind: string } } } };
  };
  it('denies an invalid MCPAuthzConfig as Invalid of its own kind', () => {
    const answer = reviewConfigValidate(review(authz({ type: 'httpv1', config: {} }))) as unknown as Answer;
    expect(answer.body.response.allowed).to.equal(false);
    expect(answer.body.response.status!.message).to.equal(
      'MCPAuthzConfig.toolhive.stacklok.dev "o" is invalid: spec.type: Unsupported value: "httpv1": supported values: "cedarv1"',
    );
    expect(answer.body.response.status!.details.kind).to.equal('MCPAuthzConfig');
  });
  it('allows a valid one and any DELETE (the controller reports servers whose config is gone)', () => {
    const ok = oidc({ type: 'kubernetesServiceAccount', kubernetesServiceAccount: {} });
    expect(
      (reviewConfigValidate(review(ok, 'CREATE', 'MCPOIDCConfig')) as unknown as Answer).body.response
        .allowed,
    ).to.equal(true);
    expect(
      (reviewConfigValidate(review(undefined, 'DELETE')) as unknown as Answer).body.response.allowed,
    ).to.equal(true);
  });
  it('refuses a review of another kind as a bad request', () => {
    expect(reviewConfigValidate(review({}, 'CREATE', 'MCPServer')).httpStatus).to.equal(400);
  });
});

describe('the policy tenancy keys', () => {
  it('parses the three keys', () => {
    const text =
      'authenticationRequiredNamespaces: [team-*]\nseparateSessionsRequiredNamespaces: [prod]\nproxyClientNamespaces: [clients, clients]\n';
    expect(parsePolicy({ 'policy.yaml': text })).to.deep.equal({
      policy: {
        servedNamespaces: 'all',
        authenticationRequiredNamespaces: ['team-*'],
        separateSessionsRequiredNamespaces: ['prod'],
        proxyClientNamespaces: ['clients'],
      },
    });
    expect(parsePolicy({ 'policy.yaml': 'proxyClientNamespaces: []' })).to.deep.equal({
      policy: { servedNamespaces: 'all', proxyClientNamespaces: [] },
    });
  });
  it('refuses malformed values, naming the key', () => {
    const text =
      'authenticationRequiredNamespaces: team-a\nseparateSessionsRequiredNamespaces: [""]\nproxyClientNamespaces: [Team_B]\n';
    expect(parsePolicy({ 'policy.yaml': text })).to.deep.equal({
      errors: [
        'authenticationRequiredNamespaces: must be a list of namespace names or patterns ending in *',
        'separateSessionsRequiredNamespaces: must be a list of namespace names or patterns ending in *',
        'proxyClientNamespaces: "Team_B" not a namespace name (DNS-1123 label)',
      ],
    });
  });
});
