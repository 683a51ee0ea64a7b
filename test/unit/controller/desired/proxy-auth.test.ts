// controller/desired/proxy-auth.ts: the run config's auth section, the proxy pod's files and the
// egress it needs, from spec.oidcConfigRef + MCPOIDCConfig and from the legacy spec.oidcConfig.
import { expect } from 'chai';
import {
  CA_BUNDLE_FILE,
  CLIENT_SECRET_FILE,
  KUBE_JWKS_URL,
  oidcPlan,
  type OidcInputs,
} from '../../../../controller/desired/proxy-auth.ts';
import type { Dict, ServerFacts } from '../../../../controller/desired/types.ts';

const INPUTS: OidcInputs = {
  namespace: 'team-a',
  proxyUrl: 'http://mcp-s-proxy.team-a.svc.cluster.local:8080/mcp',
  clusterIssuer: 'https://kubernetes.default.svc.cluster.local',
  clusterDomain: 'cluster.local',
};
const facts = (extra: Partial<ServerFacts> = {}): ServerFacts => ({ secrets: new Map(), ...extra });
const oidcConfig = (spec: Dict): Dict => ({ metadata: { name: 'idp', namespace: 'team-a' }, spec });
const ref = (extra: Dict = {}): Dict => ({ oidcConfigRef: { name: 'idp', audience: 'aud-s', ...extra } });

describe('oidcPlan: the proxy as a resource server, from the MCPServer and its references', () => {
  it('names nothing when the server names no OIDC config: no section, no files, no condition', () => {
    const plan = oidcPlan({}, facts(), INPUTS);
    expect(plan).to.deep.equal({
      volumes: [],
      mounts: [],
      clusterToken: false,
      egress: { apiServer: false, ports: [] },
    });
  });

  it('kubernetesServiceAccount: the cluster’s issuer, the API server’s JWKS with the pod’s own token and CA, tokens of the own namespace', () => {
    const k8s = oidcConfig({ type: 'kubernetesServiceAccount', kubernetesServiceAccount: {} });
    const plan = oidcPlan(ref(), facts({ oidcConfig: k8s }), INPUTS);
    expect(plan.auth).to.deep.equal({
      issuer: 'https://kubernetes.default.svc.cluster.local',
      audiences: ['aud-s', INPUTS.proxyUrl],
      resourceUrl: INPUTS.proxyUrl,
      scopesSupported: ['openid'],
      requiredScopes: [],
      jwksUrl: KUBE_JWKS_URL,
      caBundleFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
      authTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
      kubernetes: { namespace: 'team-a' },
    });
    expect(plan.clusterToken).to.equal(true);
    expect(plan.egress).to.deep.equal({ apiServer: true, ports: [] });
    expect(plan.finding).to.deep.include({ status: 'True', reason: 'OIDCConfigRefValid' });
  });

  it('reads ToolHive’s default issuer as the cluster’s, keeps any other, and honours useClusterAuth false and the namespace/serviceAccount', () => {
    const spec = (k: Dict) => oidcConfig({ type: 'kubernetesServiceAccount', kubernetesServiceAccount: k });
    const toolhiveDefault = oidcPlan(
      ref(),
      facts({ oidcConfig: spec({ issuer: 'https://kubernetes.default.svc' }) }),
      INPUTS,
    );
    expect(toolhiveDefault.auth?.issuer).to.equal(INPUTS.clusterIssuer);
    const other = oidcPlan(
      ref(),
      facts({
        oidcConfig: spec({
          issuer: 'https://oidc.example.com/cluster-1',
          useClusterAuth: false,
          namespace: 'clients',
          serviceAccount: 'caller',
          jwksUrl: 'https://oidc.example.com/keys',
        }),
      }),
      INPUTS,
    );
    expect(other.auth).to.include({
      issuer: 'https://oidc.example.com/cluster-1',
      jwksUrl: 'https://oidc.example.com/keys',
    });
    expect(other.auth).not.to.have.property('authTokenFile');
    expect(other.auth?.kubernetes).to.deep.equal({ namespace: 'clients', serviceAccount: 'caller' });
    expect(other.clusterToken).to.equal(false);
    expect(other.egress).to.deep.equal({ apiServer: false, ports: [443] });
  });

  it('the reference’s scopes are advertised and required; its resourceUrl replaces the proxy’s', () => {
    const k8s = oidcConfig({ type: 'kubernetesServiceAccount' });
    const plan = oidcPlan(
      ref({ scopes: ['mcp:tools'], resourceUrl: 'https://mcp.example.com/s/mcp' }),
      facts({ oidcConfig: k8s }),
      INPUTS,
    );
    expect(plan.auth).to.deep.include({
      audiences: ['aud-s', 'https://mcp.example.com/s/mcp'],
      resourceUrl: 'https://mcp.example.com/s/mcp',
      scopesSupported: ['mcp:tools'],
      requiredScopes: ['mcp:tools'],
    });
  });

  it('inline: the client secret and the CA bundle as mounted files, never their values; egress to the URLs’ ports', () => {
    const inline = oidcConfig({
      type: 'inline',
      inline: {
        issuer: 'https://idp.example.com',
        jwksUrl: 'https://keys.example.com:8443/jwks',
        introspectionUrl: 'https://idp.example.com/introspect',
        clientId: 'proxy',
        clientSecretRef: { name: 'idp-client', key: 'secret-key' },
        caBundleRef: { configMapRef: { name: 'idp-ca' } },
        jwksAuthTokenPath: '/var/run/token',
      },
    });
    const plan = oidcPlan(ref(), facts({ oidcConfig: inline }), INPUTS);
    expect(plan.auth).to.deep.include({
      issuer: 'https://idp.example.com',
      jwksUrl: 'https://keys.example.com:8443/jwks',
      introspectionUrl: 'https://idp.example.com/introspect',
      clientId: 'proxy',
      clientSecretFile: CLIENT_SECRET_FILE,
      caBundleFile: CA_BUNDLE_FILE,
      authTokenFile: '/var/run/token',
    });
    expect(plan.volumes).to.deep.equal([
      {
        name: 'oidc-client-secret',
        secret: { secretName: 'idp-client', items: [{ key: 'secret-key', path: 'secret' }] },
      },
      { name: 'oidc-ca-bundle', configMap: { name: 'idp-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    ]);
    expect(plan.mounts.map((m) => [m.name, `${String(m.mountPath)}/`])).to.deep.equal([
      ['oidc-client-secret', CLIENT_SECRET_FILE.replace(/[^/]+$/, '')],
      ['oidc-ca-bundle', CA_BUNDLE_FILE.replace(/[^/]+$/, '')],
    ]);
    expect(plan.clusterToken).to.equal(false);
    expect(plan.egress).to.deep.equal({ apiServer: false, ports: [443, 8443] });
  });

  it('a missing MCPOIDCConfig, an http issuer without insecureAllowHTTP, an unknown type: the condition says why, and no section', () => {
    const missing = oidcPlan(ref(), facts(), INPUTS);
    expect(missing.auth).to.equal(undefined);
    expect(missing.finding).to.deep.equal({
      status: 'False',
      reason: 'OIDCConfigRefNotFound',
      message: 'MCPOIDCConfig idp not found in namespace team-a',
    });
    const http = oidcPlan(
      ref(),
      facts({ oidcConfig: oidcConfig({ type: 'inline', inline: { issuer: 'http://idp.test' } }) }),
      INPUTS,
    );
    expect(http.finding).to.deep.include({ status: 'False', reason: 'OIDCConfigRefNotValid' });
    expect(http.finding?.message).to.include('issuer must be an https URL');
    const allowed = oidcPlan(
      ref(),
      facts({
        oidcConfig: oidcConfig({
          type: 'inline',
          inline: { issuer: 'http://idp.test', insecureAllowHTTP: true },
        }),
      }),
      INPUTS,
    );
    expect(allowed.auth).to.deep.include({ issuer: 'http://idp.test', insecureAllowHTTP: true });
    expect(allowed.egress.ports).to.deep.equal([80]);
    const odd = oidcPlan(ref(), facts({ oidcConfig: oidcConfig({ type: 'saml' }) }), INPUTS);
    expect(odd.finding?.reason).to.equal('OIDCConfigRefNotValid');
  });

  it('a Secret or ConfigMap key the proxy would mount that is missing: OIDCConfigRefNotValid naming it, no section', () => {
    const inline = oidcConfig({
      type: 'inline',
      inline: {
        issuer: 'https://idp.example.com',
        clientSecretRef: { name: 'idp-client', key: 'client-secret' },
        caBundleRef: { configMapRef: { name: 'idp-ca' } },
      },
    });
    const withKeys = (keys: [string, string[] | undefined][]) =>
      oidcPlan(ref(), facts({ oidcConfig: inline, oidcFileKeys: new Map(keys) }), INPUTS);
    const cases: [[string, string[] | undefined][], string][] = [
      [
        [['Secret/idp-client', undefined]],
        'MCPOIDCConfig idp: spec.inline.clientSecretRef: Secret "idp-client" not found in namespace team-a',
      ],
      [
        [['Secret/idp-client', ['other']]],
        'MCPOIDCConfig idp: spec.inline.clientSecretRef: Secret "idp-client" has no key "client-secret"',
      ],
      [
        [
          ['Secret/idp-client', ['client-secret']],
          ['ConfigMap/idp-ca', ['tls.crt']],
        ],
        'MCPOIDCConfig idp: spec.inline.caBundleRef: ConfigMap "idp-ca" has no key "ca.crt"',
      ],
    ];
    for (const [keys, message] of cases) {
      const plan = withKeys(keys);
      expect(plan.finding).to.deep.equal({ status: 'False', reason: 'OIDCConfigRefNotValid', message });
      expect(plan.auth).to.equal(undefined);
      expect(plan.volumes).to.deep.equal([]);
    }
    const present = withKeys([
      ['Secret/idp-client', ['client-secret']],
      ['ConfigMap/idp-ca', ['ca.crt']],
    ]);
    expect(present.finding?.status).to.equal('True');
    expect(present.volumes).to.have.length(2);
    // The legacy inline and configMap types name theirs at their own fields.
    const legacyInline = {
      oidcConfig: {
        type: 'inline',
        inline: { issuer: 'https://idp.example.com', audience: 'a', clientSecretRef: { name: 's' } },
      },
    };
    const gone = facts({ oidcFileKeys: new Map([['Secret/s', undefined]]) });
    expect(oidcPlan(legacyInline, gone, INPUTS).finding?.message).to.equal(
      'spec.oidcConfig.inline.clientSecretRef: Secret "s" not found in namespace team-a',
    );
    const legacyMap = {
      oidcConfig: {
        type: 'configMap',
        configMap: { name: 'oidc', caBundleRef: { configMapRef: { name: 'ca', key: 'b.pem' } } },
      },
    };
    const noCa = facts({
      authConfigMaps: new Map([['oidc', { issuer: 'https://idp.example.com', audience: 'a' }]]),
      oidcFileKeys: new Map([['ConfigMap/ca', undefined]]),
    });
    expect(oidcPlan(legacyMap, noCa, INPUTS).finding?.message).to.equal(
      'spec.oidcConfig.configMap.caBundleRef: ConfigMap "ca" not found in namespace team-a',
    );
  });

  it('legacy kubernetes: ToolHive’s default audience toolhive; legacy inline without audience: the resource URL alone', () => {
    const kube = oidcPlan({ oidcConfig: { type: 'kubernetes' } }, facts(), INPUTS);
    expect(kube.auth?.audiences).to.deep.equal(['toolhive', INPUTS.proxyUrl]);
    expect(kube.auth?.issuer).to.equal(INPUTS.clusterIssuer);
    const inline = oidcPlan(
      {
        oidcConfig: {
          type: 'inline',
          resourceUrl: 'https://s.example.com/mcp',
          inline: { issuer: 'https://idp.example.com', scopes: ['a'] },
        },
      },
      facts(),
      INPUTS,
    );
    expect(inline.auth?.audiences).to.deep.equal(['https://s.example.com/mcp']);
    expect(inline.auth?.requiredScopes).to.deep.equal(['a']);
  });

  it('legacy configMap: ToolHive’s keys, its clientSecret key mounted as a file and not copied', () => {
    const data = {
      issuer: 'https://idp.example.com',
      audience: 'aud-cm',
      clientId: 'proxy',
      clientSecret: 'hunter2-value',
      scopes: 'openid, mcp',
    };
    const spec = { oidcConfig: { type: 'configMap', configMap: { name: 'oidc' } } };
    const plan = oidcPlan(spec, facts({ authConfigMaps: new Map([['oidc', data]]) }), INPUTS);
    expect(plan.auth).to.deep.include({
      audiences: ['aud-cm', INPUTS.proxyUrl],
      clientSecretFile: CLIENT_SECRET_FILE,
    });
    expect(plan.auth?.requiredScopes).to.deep.equal(['openid', 'mcp']);
    expect(JSON.stringify(plan)).not.to.include('hunter2');
    expect(plan.volumes).to.deep.equal([
      {
        name: 'oidc-client-secret',
        configMap: { name: 'oidc', items: [{ key: 'clientSecret', path: 'secret' }] },
      },
    ]);
    const gone = oidcPlan(spec, facts({ authConfigMaps: new Map([['oidc', undefined]]) }), INPUTS);
    expect(gone.finding).to.deep.include({ status: 'False', reason: 'OIDCConfigRefNotFound' });
  });
});
