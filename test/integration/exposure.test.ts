// Exposure through the Gateway API on the real control plane (the manager in-process, watching this
// file's namespace, with the policy ConfigMap of another):
// - the Gateway API's CRDs absent: an exposed server gets its other children and condition Exposed
//   False (GatewayAPINotInstalled), and the controller keeps running;
// - the real standard CRDs (sigs.k8s.io/gateway-api on the Go module proxy, build-binaries.sh
//   gateway-api) installed: the same server gets its HTTPRoute, without any edit of its own (the CRD's
//   arrival wakes it): parentRef, hostname, the prefix rewrite and the backendRef to the proxy Service,
//   accepted by the API server under the CRD's schema and CEL rules (which do refuse a broken route);
//   status.externalUrl, Exposed Unknown (no Gateway controller here accepts it: see exposure-traefik);
// - the proxy's resource URL (its Protected Resource Metadata) is the external URL;
// - annotation removed: the HTTPRoute is deleted and the condition goes; never annotated: no route.
// The CRDs are removed again at the end, so later files see the cluster as it was.
import { expect } from 'chai';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { defaultControllerConfig } from '../../controller/config.ts';
import { Manager } from '../../controller/manager.ts';
import { silentLogger } from '../../lib/log.ts';
import { getServer, installCrd, kubectl } from './controller-fixtures.ts';
import { GATEWAY_CRDS, gatewayApiCrds, removeGatewayApi } from './gateway-api.ts';
import { controlPlane, eventually } from './harness.ts';

const ns = `exposure-${process.pid}`;
const opsNs = `exposure-ops-${process.pid}`;
const GROUP = 'toolhive.stacklok.dev';
const POLICY = 'mcp-operator-policy';

type Json = Record<string, unknown>;
const apply = (object: Json) => kubectl(['apply', '-f', '-'], JSON.stringify(object));

const POLICY_YAML = `
exposure:
  gateways:
    - name: public
      parentRef: {name: edge, namespace: gateway-system, sectionName: web}
      hostnames: ["*.mcp.example.test"]
      scheme: https
`;
const server = (name: string, annotations?: Record<string, string>): Json => ({
  apiVersion: `${GROUP}/v1alpha1`,
  kind: 'MCPServer',
  metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) },
  spec: {
    image: 'ghcr.io/example/server:1',
    transport: 'streamable-http',
    oidcConfig: { type: 'inline', inline: { issuer: 'https://issuer.example.test', audience: 'github' } },
  },
});
const EXPOSE = {
  'toolhive.stacklok.dev/expose': 'public',
  'toolhive.stacklok.dev/expose-hostname': 'github.mcp.example.test',
  'toolhive.stacklok.dev/expose-path': '/team/github',
};
const condition = async (name: string, type: string) =>
  (await getServer(ns, name)).status?.conditions?.find((c) => c.type === type);
const route = async (name: string): Promise<Json | undefined> => {
  const r = await controlPlane().kubectl(['-n', ns, 'get', 'httproute', name, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as Json) : undefined;
};

const removeGatewayCrds = (): Promise<void> =>
  removeGatewayApi((args, input) => controlPlane().kubectl(args, input));

describe('exposure through the Gateway API: an HTTPRoute per annotated MCPServer', function () {
  this.timeout(180_000);
  let manager: Manager;

  before(async function () {
    this.timeout(360_000); // removing the Gateway API CRDs: up to 120 s
    await installCrd();
    await removeGatewayCrds();
    for (const name of [ns, opsNs]) await kubectl(['create', 'namespace', name]);
    await apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: POLICY, namespace: opsNs },
      data: { 'policy.yaml': POLICY_YAML },
    });
    manager = new Manager({
      access: await loadApiAccess(controlPlane().kubeconfig),
      config: { ...defaultControllerConfig(), proxyImage: 'example.invalid/mcp-operator:test' },
      log: silentLogger(),
      namespaces: [ns],
      workers: 2,
      policyConfigMap: { namespace: opsNs, name: POLICY },
    });
    await manager.start();
  });

  after(async function () {
    this.timeout(360_000); // removing the Gateway API CRDs: up to 120 s
    await manager?.stop();
    for (const name of [ns, opsNs])
      await controlPlane().kubectl(['delete', 'namespace', name, '--wait=false']);
    await removeGatewayCrds();
  });

  it('without the Gateway API CRDs: the other children, and Exposed False (GatewayAPINotInstalled)', async () => {
    await apply(server('github', EXPOSE));
    const exposed = await eventually('Exposed False', async () => {
      const c = await condition('github', 'Exposed');
      return c?.status === 'False' ? c : undefined;
    });
    expect([exposed.reason, exposed.message]).to.deep.equal([
      'GatewayAPINotInstalled',
      "the Gateway API's HTTPRoute (gateway.networking.k8s.io/v1) is not served by this cluster: install its CRDs and a Gateway controller",
    ]);
    await kubectl(['-n', ns, 'get', 'deployment', 'github']);
    expect((await getServer(ns, 'github')).status?.externalUrl).to.equal(undefined);
  });

  it('with the real CRDs installed: the HTTPRoute follows, accepted under their schema', async () => {
    await kubectl(['apply', '--server-side', '-f', gatewayApiCrds()]);
    await kubectl([
      'wait',
      '--for=condition=Established',
      ...GATEWAY_CRDS.map((n) => `crd/${n}`),
      '--timeout=60s',
    ]);
    await apply(server('plain'));
    const found = await eventually('HTTPRoute mcp-github-proxy', () => route('mcp-github-proxy'), 90_000);
    expect(found.spec).to.deep.equal({
      parentRefs: [
        {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: 'edge',
          namespace: 'gateway-system',
          sectionName: 'web',
        },
      ],
      hostnames: ['github.mcp.example.test'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/team/github' } }],
          filters: [
            {
              type: 'URLRewrite',
              urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } },
            },
          ],
          backendRefs: [{ group: '', kind: 'Service', name: 'mcp-github-proxy', port: 8080, weight: 1 }],
        },
        {
          matches: [
            { path: { type: 'PathPrefix', value: '/.well-known/oauth-protected-resource/team/github' } },
          ],
          filters: [
            {
              type: 'URLRewrite',
              urlRewrite: {
                path: {
                  type: 'ReplacePrefixMatch',
                  replacePrefixMatch: '/.well-known/oauth-protected-resource',
                },
              },
            },
          ],
          backendRefs: [{ group: '', kind: 'Service', name: 'mcp-github-proxy', port: 8080, weight: 1 }],
        },
      ],
    });
    const owner = ((found.metadata as Json).ownerReferences as Json[])[0]!;
    expect([owner.kind, owner.name, owner.controller]).to.deep.equal(['MCPServer', 'github', true]);
    const status = await eventually('status.externalUrl', async () => {
      const s = (await getServer(ns, 'github')).status;
      return s?.externalUrl ? s : undefined;
    });
    expect(status.externalUrl).to.equal('https://github.mcp.example.test/team/github/mcp');
    expect(status.conditions?.find((c) => c.type === 'Exposed')).to.deep.include({
      status: 'Unknown',
      reason: 'Pending',
      message:
        'HTTPRoute mcp-github-proxy applied, waiting for Gateway gateway-system/edge to accept it (https://github.mcp.example.test/team/github/mcp)',
    });
    expect(await route('mcp-plain-proxy')).to.equal(undefined);
    expect((await condition('plain', 'Exposed')) ?? 'none').to.equal('none');
  });

  it("makes the external URL the proxy's OAuth resource URL (its Protected Resource Metadata)", async () => {
    const cm = JSON.parse(
      await kubectl(['-n', ns, 'get', 'configmap', 'github-runconfig', '-o', 'json']),
    ) as Json;
    const runConfig = JSON.parse((cm.data as Record<string, string>)['runconfig.json']!) as { auth: Json };
    expect(runConfig.auth.resourceUrl).to.equal('https://github.mcp.example.test/team/github/mcp');
  });

  // The rule behind one match per rule in the builder's routes: their acceptance above is not vacuous.
  it("the CRD's own rules refuse a route the builder never makes (a prefix rewrite of an exact match)", async () => {
    const broken = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'broken', namespace: ns },
      spec: {
        rules: [
          {
            matches: [{ path: { type: 'Exact', value: '/x' } }],
            filters: [
              {
                type: 'URLRewrite',
                urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } },
              },
            ],
            backendRefs: [{ name: 'mcp-github-proxy', port: 8080 }],
          },
        ],
      },
    };
    const r = await controlPlane().kubectl(['apply', '-f', '-'], JSON.stringify(broken));
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.include(
      'When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified',
    );
  });

  it('annotation removed: the HTTPRoute is deleted and the condition goes', async () => {
    await apply(server('github')); // kubectl apply drops the annotations it applied before
    await eventually('HTTPRoute deleted', async () => ((await route('mcp-github-proxy')) ? undefined : true));
    const s = await eventually('Exposed gone', async () => {
      const st = (await getServer(ns, 'github')).status;
      return st?.conditions?.some((c) => c.type === 'Exposed') ? undefined : st;
    });
    expect(s.externalUrl).to.equal(undefined);
  });
});
