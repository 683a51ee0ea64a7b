// Authentication, authorization and tenancy admission on the real control plane, through the webhook
// running in-process (local-webhook.ts) behind the configurations webhook/configuration.ts builds:
// ToolHive-shaped MCPOIDCConfig, MCPAuthzConfig and MCPServer manifests (test/fixtures/auth/) apply; a
// v1alpha1 MCPServer with the legacy inline oidcConfig is accepted with the warning kubectl prints; and
// the denials name the field: a missing MCPOIDCConfig, an inline one's missing client Secret or key,
// Cedar syntax with line and column (inline and in an MCPAuthzConfig), authzConfig with authzConfigRef,
// the policy's required authentication and stdio where separate sessions are required.
import { expect } from 'chai';
import path from 'node:path';
import { repoRoot } from '../../controlplane/versions.ts';
import { defaultPolicy, type AdmissionPolicy } from '../../webhook/policy.ts';
import { controlPlane, installCrd } from './harness.ts';
import { type LocalWebhook, startLocalWebhook } from './local-webhook.ts';

const NS = 'admission-auth';
const STRICT_NS = 'admission-auth-strict';
const FIXTURES = path.join(repoRoot, 'test/fixtures/auth');

const policy: AdmissionPolicy = {
  ...defaultPolicy(),
  authenticationRequiredNamespaces: [STRICT_NS],
  separateSessionsRequiredNamespaces: [STRICT_NS],
};

const kubectl = (args: string[], stdin?: string) => controlPlane().kubectl(args, stdin);
const apply = (file: string, namespace = NS) =>
  kubectl(['apply', '-n', namespace, '-f', path.join(FIXTURES, file)]);
const applyText = (yaml: string, namespace = NS) => kubectl(['apply', '-n', namespace, '-f', '-'], yaml);

describe('admission of authentication and authorization on a real API server', function () {
  this.timeout(120_000);
  let webhook: LocalWebhook;

  before(async () => {
    await installCrd();
    for (const ns of [NS, STRICT_NS]) await kubectl(['create', 'namespace', ns]);
    webhook = await startLocalWebhook('admission-auth', { policy: () => policy });
  });
  after(async () => {
    await webhook?.remove();
    for (const ns of [NS, STRICT_NS]) await kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  it('applies ToolHive-shaped MCPOIDCConfigs, an MCPAuthzConfig and an MCPServer naming them with audit', async () => {
    const secret = await kubectl([
      'create',
      'secret',
      'generic',
      'idp-client',
      '-n',
      NS,
      '--from-literal=secret=s3cret',
    ]);
    expect(secret.code, secret.stderr).to.equal(0);
    for (const file of [
      'oidc-kubernetes.yaml',
      'oidc-inline.yaml',
      'authz-cedar.yaml',
      'mcpserver-secured.yaml',
    ]) {
      const r = await apply(file);
      expect(r.code, `${file}: ${r.stderr}`).to.equal(0);
    }
    const got = await kubectl(['get', '-n', NS, 'mcpoidc,authzcfg', '-o', 'name']);
    expect(got.stdout.trim().split('\n').sort()).to.deep.equal([
      'mcpauthzconfig.toolhive.stacklok.dev/echo-only',
      'mcpoidcconfig.toolhive.stacklok.dev/cluster-tokens',
      'mcpoidcconfig.toolhive.stacklok.dev/corporate-idp',
    ]);
    const stored = JSON.parse(
      (await kubectl(['get', '-n', NS, 'mcpserver', 'fetch', '-o', 'json'])).stdout,
    ) as {
      spec: Record<string, unknown>;
    };
    expect(stored.spec.oidcConfigRef).to.deep.equal({ name: 'cluster-tokens', audience: 'fetch-a' });
    expect(stored.spec.audit).to.deep.equal({ enabled: true });
  });

  it('accepts the legacy inline oidcConfig of a v1alpha1 MCPServer, printing the deprecation warning', async () => {
    const r = await apply('mcpserver-legacy-oidc.yaml');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.contain('Warning: spec.oidcConfig is deprecated: move it to an MCPOIDCConfig');
  });

  it('denies an oidcConfigRef to an MCPOIDCConfig that does not exist', async () => {
    const r = await applyText(`apiVersion: toolhive.stacklok.dev/v1beta1
kind: MCPServer
metadata: {name: no-oidc}
spec: {image: ghcr.io/example/server, oidcConfigRef: {name: absent, audience: a}}
`);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.contain(
      `spec.oidcConfigRef.name: Not found: "absent": no MCPOIDCConfig of that name in namespace ${NS}`,
    );
  });

  it('denies an oidcConfigRef to an inline MCPOIDCConfig whose client Secret or its key does not exist', async () => {
    const config = await applyText(`apiVersion: toolhive.stacklok.dev/v1beta1
kind: MCPOIDCConfig
metadata: {name: corp-idp}
spec:
  type: inline
  inline: {issuer: "https://idp.example.com", clientSecretRef: {name: absent-client, key: secret}}
`);
    expect(config.code, config.stderr).to.equal(0);
    const server = `apiVersion: toolhive.stacklok.dev/v1beta1
kind: MCPServer
metadata: {name: no-client-secret}
spec: {image: ghcr.io/example/server, oidcConfigRef: {name: corp-idp, audience: a}}
`;
    const r = await applyText(server);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.contain(
      `spec.oidcConfigRef.name: Invalid value: "corp-idp": MCPOIDCConfig corp-idp: spec.inline.clientSecretRef.name: Not found: "absent-client": no Secret of that name in namespace ${NS}`,
    );
    const wrongKey = await kubectl([
      'create',
      'secret',
      'generic',
      'absent-client',
      '-n',
      NS,
      '--from-literal=other=s3cret',
    ]);
    expect(wrongKey.code, wrongKey.stderr).to.equal(0);
    const noKey = await applyText(server);
    expect(noKey.stderr).to.contain(
      'MCPOIDCConfig corp-idp: spec.inline.clientSecretRef.key: Not found: "secret": Secret absent-client has no such key',
    );
    expect(noKey.stderr).to.not.contain('s3cret');
    const patched = await kubectl([
      'patch',
      'secret',
      'absent-client',
      '-n',
      NS,
      '--type=merge',
      '-p',
      '{"stringData":{"secret":"s3cret"}}',
    ]);
    expect(patched.code, patched.stderr).to.equal(0);
    const ok = await applyText(server);
    expect(ok.code, ok.stderr).to.equal(0);
  });

  it('denies a Cedar syntax error with line and column, inline and in an MCPAuthzConfig', async () => {
    const server = await applyText(`apiVersion: toolhive.stacklok.dev/v1alpha1
kind: MCPServer
metadata: {name: bad-cedar}
spec:
  image: ghcr.io/example/server
  authzConfig:
    type: inline
    inline:
      policies:
        - "permit(principal,\\n  action resource);"
`);
    expect(server.code).to.not.equal(0);
    expect(server.stderr).to.match(
      /spec\.authzConfig\.inline\.policies\[0\]: Invalid value: .*line 2, column 10: /,
    );
    const config = await applyText(`apiVersion: toolhive.stacklok.dev/v1beta1
kind: MCPAuthzConfig
metadata: {name: bad-cedar}
spec: {type: cedarv1, config: {policies: ["forbid(principal action, resource);"]}}
`);
    expect(config.code).to.not.equal(0);
    expect(config.stderr).to.match(/spec\.config\.policies\[0\]: Invalid value: .*line 1, column 18: /);
    const http = await applyText(`apiVersion: toolhive.stacklok.dev/v1beta1
kind: MCPAuthzConfig
metadata: {name: http-authz}
spec: {type: httpv1, config: {http: {url: "https://pdp.example"}}}
`);
    expect(http.stderr).to.contain('spec.type: Unsupported value: "httpv1": supported values: "cedarv1"');
  });

  it('denies authzConfig with authzConfigRef, and an MCPOIDCConfig whose type names no member', async () => {
    const both = await applyText(`apiVersion: toolhive.stacklok.dev/v1beta1
kind: MCPServer
metadata: {name: both-authz}
spec:
  image: ghcr.io/example/server
  authzConfigRef: {name: echo-only}
  authzConfig: {type: inline, inline: {policies: ["permit(principal, action, resource);"]}}
`);
    expect(both.stderr).to.contain(
      'spec.authzConfig: Forbidden: authzConfig and authzConfigRef are mutually exclusive; use authzConfigRef to reference a shared MCPAuthzConfig',
    );
    const oidc = await applyText(`apiVersion: toolhive.stacklok.dev/v1beta1
kind: MCPOIDCConfig
metadata: {name: no-member}
spec: {type: inline}
`);
    expect(oidc.stderr).to.contain(
      "spec.inline: Required value: inline must be set when type is 'inline', and must not be set otherwise",
    );
  });

  it('applies the policy: authentication required, and no stdio where sessions must be separate', async () => {
    const r = await applyText(
      `apiVersion: toolhive.stacklok.dev/v1beta1
kind: MCPServer
metadata: {name: open-stdio}
spec: {image: ghcr.io/example/server, transport: stdio}
`,
      STRICT_NS,
    );
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.contain(
      `spec.oidcConfigRef: Required value: the admission policy (authenticationRequiredNamespaces) requires authentication in namespace ${STRICT_NS}`,
    );
    expect(r.stderr).to.contain(
      `spec.transport: Forbidden: the admission policy (separateSessionsRequiredNamespaces) requires streamable-http or sse in namespace ${STRICT_NS}`,
    );
    for (const file of ['oidc-kubernetes.yaml', 'authz-cedar.yaml'])
      expect((await apply(file, STRICT_NS)).code).to.equal(0);
    const ok = await apply('mcpserver-secured.yaml', STRICT_NS);
    expect(ok.code, ok.stderr).to.equal(0);
  });

  it('does not block deleting a config that a server names', async () => {
    const r = await kubectl(['delete', '-n', NS, 'mcpauthzconfig', 'echo-only']);
    expect(r.code, r.stderr).to.equal(0);
  });
});
