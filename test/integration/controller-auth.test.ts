// The controller's side of authentication, authorization and audit on the real control plane (the
// manager in-process, watching this file's namespace, with the policy ConfigMap of another):
// - MCPOIDCConfig (kubernetesServiceAccount) + MCPAuthzConfig + audit -> the run config's sections, with
//   the issuer the API server's own discovery document names, and the proxy's ServiceAccount token;
// - an inline MCPOIDCConfig -> the client Secret and CA ConfigMap mounted into the proxy, no value copied;
//   that Secret deleted -> OIDCConfigRefValidated False (OIDCConfigRefNotValid) and the proxy held;
//   created again -> True (the Secret's event wakes the server through the config that names it);
// - the policy's proxyClientNamespaces -> the proxy's ingress, following edits of the ConfigMap;
// - an edited MCPAuthzConfig -> the run config follows, and the proxy rolls;
// - a deleted MCPOIDCConfig -> OIDCConfigRefValidated False (OIDCConfigRefNotFound), Ready False, and the
//   run config keeps its auth section (the proxy is not opened);
// - the proxy's ServiceAccount may read the API server's JWKS with its own token (the default
//   system:service-account-issuer-discovery binding), which is all kubernetesServiceAccount needs.
import { request } from 'node:https';
import { expect } from 'chai';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { defaultControllerConfig } from '../../controller/config.ts';
import { Manager } from '../../controller/manager.ts';
import { silentLogger } from '../../lib/log.ts';
import { getServer, installCrd, kubectl } from './controller-fixtures.ts';
import { controlPlane, eventually } from './harness.ts';

const ns = `controller-auth-${process.pid}`;
const opsNs = `controller-auth-ops-${process.pid}`;
const GROUP = 'toolhive.stacklok.dev';
const POLICY = 'mcp-operator-policy';

type Json = Record<string, unknown>;
const apply = (object: Json) => kubectl(['apply', '-f', '-'], JSON.stringify(object));
const getJson = async (args: string[]): Promise<Json> =>
  JSON.parse(await kubectl([...args, '-o', 'json'])) as Json;
const runConfig = async (name: string): Promise<Json> => {
  const cm = await getJson(['-n', ns, 'get', 'configmap', `${name}-runconfig`]);
  return JSON.parse((cm.data as Record<string, string>)['runconfig.json']!) as Json;
};
const podTemplate = async (name: string) =>
  ((await getJson(['-n', ns, 'get', 'deployment', name])).spec as { template: Json }).template as {
    metadata: { annotations: Record<string, string> };
    spec: Json;
  };
const condition = async (name: string, type: string) =>
  (await getServer(ns, name)).status?.conditions?.find((c) => c.type === type);

/** A stand-in CRD for a kind whose CRD helper 3's manifests/crd does not have yet (any spec kept). */
async function ensureCrd(kind: string, plural: string): Promise<void> {
  const found = await controlPlane().kubectl(['get', 'crd', `${plural}.${GROUP}`]);
  if (found.code === 0) return;
  await apply({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1beta1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  });
  await kubectl(['wait', '--for=condition=Established', `crd/${plural}.${GROUP}`, '--timeout=30s']);
}

const policyConfigMap = (text: string): Json => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: POLICY, namespace: opsNs },
  data: { 'policy.yaml': text },
});
const authzConfig = (tool: string): Json => ({
  apiVersion: `${GROUP}/v1beta1`,
  kind: 'MCPAuthzConfig',
  metadata: { name: 'one-tool', namespace: ns },
  spec: {
    type: 'cedarv1',
    config: {
      policies: [`permit(principal, action == Action::"call_tool", resource == Tool::"${tool}");`],
      entities_json: '[]',
    },
  },
});
const server = (name: string, oidcConfig: string, extra: Json = {}): Json => ({
  apiVersion: `${GROUP}/v1alpha1`,
  kind: 'MCPServer',
  metadata: { name, namespace: ns },
  spec: {
    image: 'ghcr.io/example/server:1',
    transport: 'streamable-http',
    oidcConfigRef: { name: oidcConfig, audience: `${name}-audience` },
    ...extra,
  },
});

/** GET path on the API server with a bearer token; resolves with the status code. */
function getWithToken(path: string, token: string): Promise<number> {
  const cp = controlPlane();
  const url = new URL(path, cp.server);
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: cp.adminTls.ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the controller with MCPOIDCConfig, MCPAuthzConfig, audit and proxyClientNamespaces', function () {
  this.timeout(120_000);
  let manager: Manager;

  before(async () => {
    await installCrd();
    await ensureCrd('MCPOIDCConfig', 'mcpoidcconfigs');
    await ensureCrd('MCPAuthzConfig', 'mcpauthzconfigs');
    for (const name of [ns, opsNs]) await kubectl(['create', 'namespace', name]);
    await apply(policyConfigMap('proxyClientNamespaces: [clients]\n'));
    await apply({
      apiVersion: `${GROUP}/v1beta1`,
      kind: 'MCPOIDCConfig',
      metadata: { name: 'cluster-tokens', namespace: ns },
      spec: { type: 'kubernetesServiceAccount', kubernetesServiceAccount: {} },
    });
    await apply({
      apiVersion: `${GROUP}/v1beta1`,
      kind: 'MCPOIDCConfig',
      metadata: { name: 'idp', namespace: ns },
      spec: {
        type: 'inline',
        inline: {
          issuer: 'https://idp.example.com',
          introspectionUrl: 'https://idp.example.com:8443/introspect',
          clientId: 'proxy',
          clientSecretRef: { name: 'idp-client', key: 'secret' },
          caBundleRef: { configMapRef: { name: 'idp-ca' } },
        },
      },
    });
    await kubectl([
      '-n',
      ns,
      'create',
      'secret',
      'generic',
      'idp-client',
      '--from-literal=secret=s3cr3t-value',
    ]);
    await kubectl(['-n', ns, 'create', 'configmap', 'idp-ca', '--from-literal=ca.crt=PEM']);
    await apply(authzConfig('echo'));
    manager = new Manager({
      access: await loadApiAccess(controlPlane().kubeconfig),
      config: { ...defaultControllerConfig(), proxyImage: 'example.invalid/mcp-operator:test' },
      log: silentLogger(),
      namespaces: [ns],
      workers: 2,
      policyConfigMap: { namespace: opsNs, name: POLICY },
    });
    await manager.start();
    await apply(
      server('kube', 'cluster-tokens', { authzConfigRef: { name: 'one-tool' }, audit: { enabled: true } }),
    );
    await apply(server('inline', 'idp'));
    for (const name of ['kube', 'inline'])
      await eventually(`${name}'s proxy Deployment`, async () =>
        (await controlPlane().kubectl(['-n', ns, 'get', 'deployment', name])).code === 0 ? true : undefined,
      );
  });

  after(async () => {
    await manager?.stop();
    for (const name of [ns, opsNs])
      await controlPlane().kubectl(['delete', 'namespace', name, '--wait=false']);
  });

  it('writes auth (the issuer the API server names), authz and audit into the run config, and mounts the token', async () => {
    const discovery = JSON.parse(
      await kubectl(['get', '--raw', '/.well-known/openid-configuration']),
    ) as Json;
    const config = await runConfig('kube');
    expect(config.auth).to.deep.include({
      issuer: discovery.issuer,
      audiences: ['kube-audience', `http://mcp-kube-proxy.${ns}.svc.cluster.local:8080/mcp`],
      jwksUrl: 'https://kubernetes.default.svc/openid/v1/jwks',
      authTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
      kubernetes: { namespace: ns },
    });
    expect(discovery.issuer).to.equal('https://kubernetes.default.svc.cluster.local');
    expect(config.authz).to.deep.include({
      type: 'cedarv1',
      policies: ['permit(principal, action == Action::"call_tool", resource == Tool::"echo");'],
    });
    expect(config.audit).to.deep.equal({ enabled: true });
    expect((await podTemplate('kube')).spec.automountServiceAccountToken).to.equal(true);
    const valid = await eventually('OIDCConfigRefValidated', async () =>
      condition('kube', 'OIDCConfigRefValidated'),
    );
    expect(valid).to.deep.include({ status: 'True', reason: 'OIDCConfigRefValid' });
    expect(await condition('kube', 'AuthzConfigRefValidated')).to.deep.include({ status: 'True' });
  });

  it('mounts the inline config’s client Secret and CA ConfigMap as files, and copies no value', async () => {
    const config = await runConfig('inline');
    expect(config.auth).to.deep.include({
      issuer: 'https://idp.example.com',
      clientId: 'proxy',
      clientSecretFile: '/etc/mcp-operator-auth/client-secret/secret',
      caBundleFile: '/etc/mcp-operator-auth/ca/ca.crt',
    });
    const template = await podTemplate('inline');
    expect(template.spec.automountServiceAccountToken).to.equal(false);
    expect(template.spec.volumes).to.deep.include.members([
      {
        name: 'oidc-client-secret',
        secret: { secretName: 'idp-client', items: [{ key: 'secret', path: 'secret' }], defaultMode: 420 },
      },
      {
        name: 'oidc-ca-bundle',
        configMap: { name: 'idp-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 420 },
      },
    ]);
    const everything = await kubectl([
      '-n',
      ns,
      'get',
      'configmaps,deployments,networkpolicies',
      '-o',
      'json',
    ]);
    expect(everything).not.to.include('s3cr3t-value');
    const policy = await getJson(['-n', ns, 'get', 'networkpolicy', 'inline-proxy']);
    expect((policy.spec as { egress: Json[] }).egress).to.deep.include({
      ports: [
        { protocol: 'TCP', port: 443 },
        { protocol: 'TCP', port: 8443 },
      ],
    });
  });

  it('a deleted client Secret of the inline config: condition False OIDCConfigRefNotValid naming it, the proxy held; back when it returns', async () => {
    const before = await runConfig('inline');
    await kubectl(['-n', ns, 'delete', 'secret', 'idp-client']);
    const gone = await eventually('OIDCConfigRefValidated False', async () => {
      const c = await condition('inline', 'OIDCConfigRefValidated');
      return c?.status === 'False' ? c : undefined;
    });
    expect(gone).to.deep.include({
      reason: 'OIDCConfigRefNotValid',
      message: `MCPOIDCConfig idp: spec.inline.clientSecretRef: Secret "idp-client" not found in namespace ${ns}`,
    });
    expect(await condition('inline', 'Ready')).to.deep.include({
      status: 'False',
      reason: 'OIDCConfigRefNotValid',
    });
    expect((await runConfig('inline')).auth).to.deep.equal(before.auth);
    // The Secret coming back wakes the server through the config that names it (no spec change).
    await kubectl([
      '-n',
      ns,
      'create',
      'secret',
      'generic',
      'idp-client',
      '--from-literal=secret=s3cr3t-value',
    ]);
    const back = await eventually('OIDCConfigRefValidated True again', async () => {
      const c = await condition('inline', 'OIDCConfigRefValidated');
      return c?.status === 'True' ? c : undefined;
    });
    expect(back).to.deep.include({ reason: 'OIDCConfigRefValid' });
  });

  it('lets only the own namespace and the policy’s proxyClientNamespaces reach the proxy, and follows the policy', async () => {
    const ingress = async () =>
      JSON.stringify((await getJson(['-n', ns, 'get', 'networkpolicy', 'kube-proxy'])).spec);
    const from = (names: string[]) =>
      JSON.stringify(
        names.map((n) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': n } } })),
      );
    expect(await ingress()).to.include(from([ns, 'clients']));
    await apply(policyConfigMap('proxyClientNamespaces: [clients, tools]\n'));
    await eventually('the ingress to follow the edit', async () =>
      (await ingress()).includes(from([ns, 'clients', 'tools'])) ? true : undefined,
    );
    await apply(policyConfigMap('{}\n'));
    const open = await eventually('the ingress to open when the key is unset', async () => {
      const spec = (await getJson(['-n', ns, 'get', 'networkpolicy', 'kube-proxy'])).spec as {
        ingress: Json[];
      };
      return spec.ingress[0]?.from === undefined ? spec.ingress : undefined;
    });
    expect(open).to.deep.equal([{ ports: [{ protocol: 'TCP', port: 8080 }] }]);
  });

  it('follows an edited MCPAuthzConfig into the run config, and rolls the proxy', async () => {
    const before = (await podTemplate('kube')).metadata.annotations['mcp-operator/runconfig-checksum'];
    await apply(authzConfig('get-sum'));
    const config = await eventually('the run config to follow', async () => {
      const c = await runConfig('kube');
      return JSON.stringify(c.authz).includes('get-sum') ? c : undefined;
    });
    expect((config.authz as { policies: string[] }).policies).to.deep.equal([
      'permit(principal, action == Action::"call_tool", resource == Tool::"get-sum");',
    ]);
    const after = await eventually('the checksum to change', async () => {
      const a = (await podTemplate('kube')).metadata.annotations['mcp-operator/runconfig-checksum'];
      return a !== before ? a : undefined;
    });
    expect(after).to.match(/^[0-9a-f]{64}$/);
  });

  it('a deleted MCPOIDCConfig: condition False OIDCConfigRefNotFound, Ready False, and the proxy keeps its auth', async () => {
    const before = await runConfig('kube');
    await kubectl(['-n', ns, 'delete', 'mcpoidcconfig', 'cluster-tokens']);
    const gone = await eventually('OIDCConfigRefValidated False', async () => {
      const c = await condition('kube', 'OIDCConfigRefValidated');
      return c?.status === 'False' ? c : undefined;
    });
    expect(gone).to.deep.include({
      reason: 'OIDCConfigRefNotFound',
      message: `MCPOIDCConfig cluster-tokens not found in namespace ${ns}`,
    });
    const ready = await condition('kube', 'Ready');
    expect(ready).to.deep.include({ status: 'False', reason: 'OIDCConfigRefNotFound' });
    expect(ready?.message).to.include('the proxy keeps its last configuration');
    // A reconcile that would have opened the proxy has run (the condition is its status write).
    const after = await runConfig('kube');
    expect(after.auth).to.deep.equal(before.auth);
    expect((await podTemplate('kube')).spec.automountServiceAccountToken).to.equal(true);
  });

  it('the proxy’s ServiceAccount may read the API server’s JWKS with its own token, and no anonymous caller may', async () => {
    const token = (await kubectl(['-n', ns, 'create', 'token', 'kube-proxy-runner'])).trim();
    expect(await getWithToken('/openid/v1/jwks', token)).to.equal(200);
    expect(await getWithToken('/openid/v1/jwks', 'not-a-token')).to.equal(401);
  });
});
