// Exposure through the Gateway API: the HTTPRoute an annotated MCPServer gets, its condition, and what
// follows the external URL (the proxy's OAuth resource URL, its NetworkPolicy's clients).
import { expect } from 'chai';
import { desiredChildren } from '../../../../controller/desired/children.ts';
import { RUNCONFIG_KEY } from '../../../../controller/desired/configmap.ts';
import { desiredExposure } from '../../../../controller/desired/httproute.ts';
import type { ChildObject, Dict, ServerFacts } from '../../../../controller/desired/types.ts';
import type { ExposurePolicy } from '../../../../lib/exposure.ts';
import { config, facts, mcpServer, withMetadata, withSpec, type Modifier } from '../builders.ts';

const POLICY: ExposurePolicy = {
  gateways: [
    {
      name: 'public',
      parentRef: { name: 'edge', namespace: 'gateway-system', sectionName: 'https' },
      hostnames: ['*.mcp.example.com'],
      namespaces: ['team-*'],
      scheme: 'https',
      gatewayNamespaces: ['gateway-system'],
    },
  ],
};
const exposed = (annotations: Record<string, string>): Modifier =>
  withMetadata({ annotations: { 'toolhive.stacklok.dev/expose': 'public', ...annotations } });
const host = { 'toolhive.stacklok.dev/expose-hostname': 'github.mcp.example.com' };
const onCluster = (extra: Partial<ServerFacts> = {}): ServerFacts => ({
  ...facts(),
  exposure: POLICY,
  gatewayApi: true,
  ...extra,
});
const OWNER = {
  apiVersion: 'toolhive.stacklok.dev/v1alpha1',
  kind: 'MCPServer',
  name: 'github',
  uid: 'uid-github',
  controller: true,
  blockOwnerDeletion: true,
};
const LABELS = {
  app: 'mcpserver',
  'app.kubernetes.io/name': 'mcpserver',
  'app.kubernetes.io/instance': 'github',
  'app.kubernetes.io/managed-by': 'mcp-operator',
  toolhive: 'true',
  'toolhive-name': 'github',
};
const PARENT = {
  group: 'gateway.networking.k8s.io',
  kind: 'Gateway',
  name: 'edge',
  namespace: 'gateway-system',
  sectionName: 'https',
};
const BACKEND = [{ name: 'mcp-github-proxy', port: 8080 }];
const strip = (to: string) => ({
  type: 'URLRewrite',
  urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: to } },
});
const routeStatus = (conditions: Dict[]): Dict => ({
  status: { parents: [{ parentRef: PARENT, controllerName: 'example.com/gw', conditions }] },
});

describe('desiredExposure: an HTTPRoute per exposed MCPServer', () => {
  it('builds nothing and says nothing for a server without the expose annotation', () => {
    expect(desiredExposure(mcpServer('github'), onCluster())).to.deep.equal({ gatewayNamespaces: [] });
  });

  it('routes the hostname to the proxy Service, attached to the policy Gateway, waiting for it to accept', () => {
    const plan = desiredExposure(mcpServer('github', exposed(host)), onCluster());
    expect(plan).to.deep.equal({
      route: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'mcp-github-proxy', namespace: 'team-a', labels: LABELS, ownerReferences: [OWNER] },
        spec: {
          parentRefs: [PARENT],
          hostnames: ['github.mcp.example.com'],
          rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: BACKEND }],
        },
      },
      externalUrl: 'https://github.mcp.example.com/mcp',
      hostname: 'github.mcp.example.com',
      gatewayNamespaces: ['gateway-system'],
      finding: {
        status: 'Unknown',
        reason: 'Pending',
        message:
          'HTTPRoute mcp-github-proxy applied, waiting for Gateway gateway-system/edge to accept it (https://github.mcp.example.com/mcp)',
      },
    });
  });

  it('strips a path prefix before the proxy, and maps the prefixed well-known metadata path too', () => {
    const server = mcpServer(
      'github',
      withSpec({ proxyPort: 9090 }),
      exposed({ ...host, 'toolhive.stacklok.dev/expose-path': '/tools/github/' }),
    );
    const plan = desiredExposure(server, onCluster());
    const backendRefs = [{ name: 'mcp-github-proxy', port: 9090 }];
    expect((plan.route?.spec as Dict).rules).to.deep.equal([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/tools/github' } }],
        filters: [strip('/')],
        backendRefs,
      },
      {
        matches: [
          { path: { type: 'PathPrefix', value: '/.well-known/oauth-protected-resource/tools/github' } },
        ],
        filters: [strip('/.well-known/oauth-protected-resource')],
        backendRefs,
      },
    ]);
    expect(plan.externalUrl).to.equal('https://github.mcp.example.com/tools/github/mcp');
  });

  it('names /sse in the external URL of an sse proxy', () => {
    const server = mcpServer('github', withSpec({ transport: 'stdio', proxyMode: 'sse' }), exposed(host));
    expect(desiredExposure(server, onCluster()).externalUrl).to.equal('https://github.mcp.example.com/sse');
  });

  const refused: Record<
    string,
    { server: Modifier[]; facts: Partial<ServerFacts>; reason: string; message: string }
  > = {
    'the Gateway API CRDs are not installed': {
      server: [exposed(host)],
      facts: { gatewayApi: false },
      reason: 'GatewayAPINotInstalled',
      message:
        "the Gateway API's HTTPRoute (gateway.networking.k8s.io/v1) is not served by this cluster: install its CRDs and a Gateway controller",
    },
    'the policy offers no Gateway (any more)': {
      server: [exposed(host)],
      facts: { exposure: undefined },
      reason: 'ExposureNotAllowed',
      message:
        'metadata.annotations[toolhive.stacklok.dev/expose]: Forbidden: "public": the admission policy offers no Gateway (its exposure key is unset): ask the platform team',
    },
    'the hostname is outside the entry': {
      server: [exposed({ 'toolhive.stacklok.dev/expose-hostname': 'evil.example.org' })],
      facts: {},
      reason: 'ExposureNotAllowed',
      message:
        'metadata.annotations[toolhive.stacklok.dev/expose-hostname]: Forbidden: "evil.example.org": gateway public allows *.mcp.example.com',
    },
  };
  for (const [name, c] of Object.entries(refused)) {
    it(`builds no route and says why when ${name}`, () => {
      const plan = desiredExposure(mcpServer('github', ...c.server), onCluster(c.facts));
      expect(plan).to.deep.equal({
        gatewayNamespaces: [],
        finding: { status: 'False', reason: c.reason, message: c.message },
      });
    });
  }

  it('is True once the Gateway accepted the route, False with its reason when it did not', () => {
    const server = mcpServer('github', exposed(host));
    const accepted = routeStatus([
      { type: 'Accepted', status: 'True', reason: 'Accepted', message: '' },
      { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: '' },
    ]);
    expect(desiredExposure(server, onCluster({ route: accepted })).finding).to.deep.equal({
      status: 'True',
      reason: 'Accepted',
      message: 'Gateway gateway-system/edge serves https://github.mcp.example.com/mcp',
    });
    const refusedRoute = routeStatus([
      {
        type: 'Accepted',
        status: 'False',
        reason: 'NotAllowedByListeners',
        message: 'no listener admits team-a',
      },
    ]);
    expect(desiredExposure(server, onCluster({ route: refusedRoute })).finding).to.deep.equal({
      status: 'False',
      reason: 'NotAllowedByListeners',
      message: 'Gateway gateway-system/edge: no listener admits team-a',
    });
  });
});

describe('desiredChildren of an exposed MCPServer', () => {
  const find = (objects: ChildObject[], kind: string, name: string): ChildObject => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`no ${kind} ${name}`);
    return found;
  };

  it('includes the route and reports the finding with the external URL; none without the annotation', () => {
    const desired = desiredChildren(mcpServer('github', exposed(host)), onCluster(), config());
    expect(find(desired.objects, 'HTTPRoute', 'mcp-github-proxy').kind).to.equal('HTTPRoute');
    expect(desired.findings.exposure?.externalUrl).to.equal('https://github.mcp.example.com/mcp');
    const plain = desiredChildren(mcpServer('github'), onCluster(), config());
    expect(plain.objects.filter((o) => o.kind === 'HTTPRoute')).to.deep.equal([]);
    expect(plain.findings.exposure).to.equal(undefined);
  });

  it("makes the external URL the proxy's OAuth resource URL and audience, its hostname an allowed Host", () => {
    const server = mcpServer(
      'github',
      exposed(host),
      withSpec({ oidcConfig: { type: 'inline', inline: { issuer: 'https://issuer.example.com' } } }),
    );
    const desired = desiredChildren(server, onCluster(), config());
    const data = find(desired.objects, 'ConfigMap', 'github-runconfig').data as Record<string, string>;
    const runConfig = JSON.parse(data[RUNCONFIG_KEY]!) as { auth: Dict; allowedHosts: string[] };
    expect(runConfig.auth.resourceUrl).to.equal('https://github.mcp.example.com/mcp');
    expect(runConfig.auth.audiences).to.deep.equal(['https://github.mcp.example.com/mcp']);
    // The Gateway keeps the client's Host header, which the proxy's DNS-rebinding check must accept.
    expect(runConfig.allowedHosts).to.deep.equal(['github.mcp.example.com']);
  });

  it("lets the Gateway's namespace through the proxy's NetworkPolicy when proxyClientNamespaces limits it", () => {
    const desired = desiredChildren(
      mcpServer('github', exposed(host)),
      onCluster({ proxyClients: ['tools'] }),
      config(),
    );
    const ingress = (find(desired.objects, 'NetworkPolicy', 'github-proxy').spec as { ingress: Dict[] })
      .ingress;
    const names = (ingress[0]!.from as Dict[]).map(
      (peer) =>
        (peer.namespaceSelector as { matchLabels: Record<string, string> }).matchLabels[
          'kubernetes.io/metadata.name'
        ],
    );
    expect(names).to.deep.equal(['team-a', 'tools', 'gateway-system']);
  });
});
