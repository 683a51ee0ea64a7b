// What authentication, authorization, audit and proxyClientNamespaces make of the proxy's children:
// the run config's sections, the proxy pod's files and token, its NetworkPolicy, and the hold that keeps
// a proxy's last configuration while a reference cannot be resolved.
import { expect } from 'chai';
import { desiredChildren } from '../../../../controller/desired/children.ts';
import { RUNCONFIG_KEY } from '../../../../controller/desired/configmap.ts';
import { DNS_PEER } from '../../../../controller/desired/proxy-networkpolicy.ts';
import type {
  ApiServerAddresses,
  ChildObject,
  Dict,
  ServerFacts,
} from '../../../../controller/desired/types.ts';
import { config, facts, mcpServer, withSpec } from '../builders.ts';

const API: ApiServerAddresses = {
  serviceIPs: ['10.96.0.1'],
  servicePorts: [443],
  endpointIPs: ['192.0.2.10'],
  endpointPorts: [6443],
};
const K8S_CONFIG: Dict = {
  metadata: { name: 'cluster-tokens', namespace: 'team-a' },
  spec: { type: 'kubernetesServiceAccount', kubernetesServiceAccount: {} },
};
const AUTHZ_CONFIG: Dict = {
  metadata: { name: 'echo-only', namespace: 'team-a' },
  spec: {
    type: 'cedarv1',
    config: { policies: ['permit(principal, action == Action::"call_tool", resource == Tool::"echo");'] },
  },
};
const secured = (transport: 'stdio' | 'streamable-http' = 'streamable-http') =>
  mcpServer(
    's',
    withSpec({
      transport,
      oidcConfigRef: { name: 'cluster-tokens', audience: 'aud-s' },
      authzConfigRef: { name: 'echo-only' },
      audit: { enabled: true },
    }),
  );
const known = (extra: Partial<ServerFacts> = {}): ServerFacts => ({
  ...facts(),
  apiServer: API,
  clusterIssuer: 'https://kubernetes.default.svc.cluster.local',
  oidcConfig: K8S_CONFIG,
  authzConfig: AUTHZ_CONFIG,
  ...extra,
});
const find = (objects: ChildObject[], kind: string, name: string): ChildObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const runConfigOf = (objects: ChildObject[]): Dict =>
  JSON.parse(
    (find(objects, 'ConfigMap', 's-runconfig').data as Record<string, string>)[RUNCONFIG_KEY]!,
  ) as Dict;
const podSpecOf = (objects: ChildObject[]): Dict =>
  ((find(objects, 'Deployment', 's').spec as Dict).template as { spec: Dict }).spec;
const policySpecOf = (objects: ChildObject[]) =>
  find(objects, 'NetworkPolicy', 's-proxy').spec as { ingress: Dict[]; egress: Dict[] };

describe('the proxy of an MCPServer with authentication, authorization and audit', () => {
  it('gets auth, authz and audit sections in its run config, and its ServiceAccount token to fetch the JWKS', () => {
    const desired = desiredChildren(secured(), known(), config());
    const runConfig = runConfigOf(desired.objects);
    expect(runConfig.auth).to.deep.include({
      issuer: 'https://kubernetes.default.svc.cluster.local',
      audiences: ['aud-s', 'http://mcp-s-proxy.team-a.svc.cluster.local:8080/mcp'],
      kubernetes: { namespace: 'team-a' },
    });
    expect(runConfig.authz).to.deep.equal({
      type: 'cedarv1',
      policies: ['permit(principal, action == Action::"call_tool", resource == Tool::"echo");'],
      entitiesJson: '[]',
    });
    expect(runConfig.audit).to.deep.equal({ enabled: true });
    expect(podSpecOf(desired.objects).automountServiceAccountToken).to.equal(true);
    expect(desired.held).to.deep.equal([]);
    expect(desired.findings.oidc).to.deep.include({ status: 'True', reason: 'OIDCConfigRefValid' });
    expect(desired.findings.authz).to.deep.include({ status: 'True', reason: 'AuthzConfigRefValid' });
  });

  it('a server without the fields keeps the run config, token and policy it had (no sections, no token)', () => {
    const plain = mcpServer('s', withSpec({ transport: 'streamable-http' }));
    const desired = desiredChildren(plain, known(), config());
    expect(Object.keys(runConfigOf(desired.objects))).to.deep.equal([
      'version',
      'server',
      'transport',
      'proxyMode',
      'proxyPort',
      'target',
    ]);
    expect(podSpecOf(desired.objects).automountServiceAccountToken).to.equal(false);
    expect(desired.findings).not.to.have.property('oidc');
    expect(policySpecOf(desired.objects).egress).to.have.length(2);
  });

  it('an HTTP proxy with kubernetesServiceAccount may reach the API server (and DNS) besides its server', () => {
    const egress = policySpecOf(desiredChildren(secured(), known(), config()).objects).egress;
    const to = egress.map((r) => JSON.stringify(r.to ?? 'anywhere'));
    expect(egress).to.have.length(4);
    expect(to[1]).to.equal(JSON.stringify([DNS_PEER]));
    expect(to[2]).to.equal(JSON.stringify([{ ipBlock: { cidr: '192.0.2.10/32' } }]));
    expect(to[3]).to.equal(JSON.stringify([{ ipBlock: { cidr: '10.96.0.1/32' } }]));
  });

  it('a stdio proxy with kubernetesServiceAccount also gets DNS, for kubernetes.default.svc', () => {
    const egress = policySpecOf(desiredChildren(secured('stdio'), known(), config()).objects).egress;
    expect(egress[0]).to.deep.include({ to: [DNS_PEER] });
    expect(egress).to.have.length(3);
  });

  it('an inline issuer: TCP to its ports anywhere, and the Secret and CA mounted into the proxy', () => {
    const inline: Dict = {
      spec: {
        type: 'inline',
        inline: {
          issuer: 'https://idp.example.com',
          clientId: 'proxy',
          clientSecretRef: { name: 'idp-client', key: 'secret' },
          caBundleRef: { configMapRef: { name: 'idp-ca', key: 'bundle.pem' } },
        },
      },
    };
    const objects = desiredChildren(secured(), known({ oidcConfig: inline }), config()).objects;
    const egress = policySpecOf(objects).egress;
    expect(egress.at(-1)).to.deep.equal({ ports: [{ protocol: 'TCP', port: 443 }] });
    const pod = podSpecOf(objects);
    expect(pod.automountServiceAccountToken).to.equal(false);
    expect((pod.volumes as Dict[]).map((v) => v.name)).to.deep.equal([
      'runconfig',
      'oidc-client-secret',
      'oidc-ca-bundle',
    ]);
    const mounts = ((pod.containers as Dict[])[0]!.volumeMounts as Dict[]).map((m) => m.name);
    expect(mounts).to.deep.equal(['runconfig', 'oidc-client-secret', 'oidc-ca-bundle']);
  });

  it('proxyClientNamespaces: ingress from the own namespace and the listed ones only; unset: from anywhere', () => {
    const ingress = (clients?: string[]) =>
      policySpecOf(desiredChildren(secured(), known({ proxyClients: clients }), config()).objects).ingress;
    const port = [{ protocol: 'TCP', port: 8080 }];
    expect(ingress(undefined)).to.deep.equal([{ ports: port }]);
    expect(ingress([])).to.deep.equal([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-a' } } }],
        ports: port,
      },
    ]);
    const names = (ingress(['clients', 'team-a'])[0]!.from as Dict[]).map(
      (f) =>
        (f.namespaceSelector as { matchLabels: Record<string, string> }).matchLabels[
          'kubernetes.io/metadata.name'
        ],
    );
    expect(names).to.deep.equal(['team-a', 'clients']);
  });

  it('holds the run config and the Deployment when a reference is missing or not valid, and applies the rest', () => {
    for (const [extra, condition, reason] of [
      [{ oidcConfig: undefined }, 'oidc', 'OIDCConfigRefNotFound'],
      [{ authzConfig: undefined }, 'authz', 'AuthzConfigRefNotFound'],
      [{ authzConfig: { spec: { type: 'httpv1', config: {} } } }, 'authz', 'AuthzConfigRefNotValid'],
      [
        {
          oidcConfig: {
            metadata: { name: 'cluster-tokens' },
            spec: { type: 'inline', inline: { issuer: 'https://idp.test', clientSecretRef: { name: 'c' } } },
          },
          oidcFileKeys: new Map([['Secret/c', undefined]]),
        },
        'oidc',
        'OIDCConfigRefNotValid',
      ],
    ] as const) {
      const desired = desiredChildren(secured(), known(extra), config());
      expect(
        desired.held.map((o) => `${o.kind}/${o.metadata.name}`),
        reason,
      ).to.deep.equal(['ConfigMap/s-runconfig', 'Deployment/s']);
      expect(desired.objects).to.include.members(desired.held);
      expect(desired.findings[condition]).to.deep.include({ status: 'False', reason });
    }
  });

  it('authzConfig from a ConfigMap: ToolHive’s file, the spec’s claim names over the file’s', () => {
    const server = mcpServer(
      's',
      withSpec({
        transport: 'streamable-http',
        authzConfig: { type: 'configMap', configMap: { name: 'authz' }, groupClaimName: 'teams' },
      }),
    );
    const file = JSON.stringify({
      version: '1.0',
      type: 'cedarv1',
      cedar: {
        policies: ['permit(principal, action, resource);'],
        entities_json: '[]',
        group_claim_name: 'groups',
      },
    });
    const desired = desiredChildren(
      server,
      known({ authConfigMaps: new Map([['authz', { 'authz.json': file }]]) }),
      config(),
    );
    expect(runConfigOf(desired.objects).authz).to.deep.include({
      policies: ['permit(principal, action, resource);'],
      groupClaimName: 'teams',
    });
    const noKey = desiredChildren(
      server,
      known({ authConfigMaps: new Map([['authz', { other: file }]]) }),
      config(),
    );
    expect(noKey.findings.authz).to.deep.include({ status: 'False', reason: 'AuthzConfigRefNotValid' });
    expect(noKey.findings.authz?.message).to.equal('ConfigMap authz key authz.json: no such key');
  });
});

describe('Cedar in the authz config: a syntax error holds the proxy, with line and column', () => {
  it('names the policy, the line and the column', () => {
    const broken: Dict = {
      spec: { type: 'cedarv1', config: { policies: ['permit(principal, action, resource)\nwhen { x };'] } },
    };
    const desired = desiredChildren(secured(), known({ authzConfig: broken }), config());
    expect(desired.held).to.have.length(2);
    expect(desired.findings.authz?.reason).to.equal('AuthzConfigRefNotValid');
    expect(desired.findings.authz?.message).to.match(
      /^MCPAuthzConfig echo-only: policies\.0: .*invalid variable: x \(line 2, column 8\)$/,
    );
  });
});
