// The controller against a real API server: an MCPServer becomes its children (names, labels, owner
// references as ToolHive has them; a NetworkPolicy that admits only its proxy to the server), its pods
// reach Running through KWOK and its status Ready; transport changes prune, deletion garbage-collects,
// a quiet reconcile writes nothing, `kubectl rollout restart` survives, a rotated Secret rolls the
// server, and replicas 0 stops it. The manager runs in-process, watching only this file's namespace, so
// other test files' objects never reach it.
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { defaultControllerConfig } from '../../controller/config.ts';
import { SECRETS_CHECKSUM_ANNOTATION } from '../../controller/desired/secrets-hash.ts';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { Manager } from '../../controller/manager.ts';
import { silentLogger } from '../../lib/log.ts';
import { sumSamples } from '../../lib/prometheus-text.ts';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { adminKubeConfig, controlPlane, eventually, installCrd, statusOf } from './harness.ts';

const ns = `ctrl-test-${process.pid}`;
const GROUP = { group: 'toolhive.stacklok.dev', version: 'v1alpha1', plural: 'mcpservers', namespace: ns };
type Obj = { metadata?: k8s.V1ObjectMeta };

describe('MCPServer controller', function () {
  this.timeout(180_000);
  let manager: Manager;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  let custom: k8s.CustomObjectsApi;
  let rbac: k8s.RbacAuthorizationV1Api;
  let net: k8s.NetworkingV1Api;
  /** Every non-GET request the controller made, in order. */
  const writes: string[] = [];

  const kubectl = async (args: string[], input?: string) => {
    const r = await controlPlane().kubectl(['-n', ns, ...args], input);
    expect(r.code, r.stderr).to.equal(0);
    return r.stdout;
  };
  const applyServer = (name: string, spec: Record<string, unknown>) =>
    kubectl(
      ['apply', '-f', '-'],
      stringify({
        apiVersion: 'toolhive.stacklok.dev/v1alpha1',
        kind: 'MCPServer',
        metadata: { name },
        spec,
      }),
    );
  const getServer = async (name: string) =>
    (await custom.getNamespacedCustomObject({ ...GROUP, name })) as MCPServer;
  const exists = (read: () => Promise<unknown>) =>
    read().then(
      () => true,
      (err: unknown) => (statusOf(err) === 404 ? false : Promise.reject(err as Error)),
    );
  const phaseOf = (name: string, phase: string) =>
    eventually(
      `${name} to be ${phase}`,
      async () => {
        const s = await getServer(name);
        return s.status?.phase === phase && s.status.observedGeneration === s.metadata?.generation
          ? s
          : undefined;
      },
      60_000,
    );
  /** Resolves once the controller has made no write for `quietMs`. */
  const settled = (quietMs = 3_000) =>
    eventually(
      'the controller to go quiet',
      async () => {
        const before = writes.length;
        await new Promise((r) => setTimeout(r, quietMs));
        return writes.length === before ? true : undefined;
      },
      60_000,
    );
  const reconcileCount = async () =>
    sumSamples(await manager.metrics.registry.render(), 'controller_runtime_reconcile_total');
  /** Wakes the controller without changing the spec, and waits until it reconciled. */
  const nudge = async (name: string) => {
    const before = await reconcileCount();
    await kubectl(['annotate', 'mcpserver', name, `test/nudge=${Date.now()}`, '--overwrite']);
    await eventually('a reconcile', async () => ((await reconcileCount()) > before ? true : undefined));
    await new Promise((r) => setTimeout(r, 500));
  };

  before(async () => {
    const kc = adminKubeConfig();
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
    custom = kc.makeApiClient(k8s.CustomObjectsApi);
    rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
    net = kc.makeApiClient(k8s.NetworkingV1Api);
    await installCrd();
    await core.createNamespace({ body: { metadata: { name: ns } } });
    await eventually(
      'default ServiceAccount',
      async () =>
        (await core.readNamespacedServiceAccount({ name: 'default', namespace: ns })).metadata?.name,
    );
    manager = new Manager({
      access: await loadApiAccess(controlPlane().kubeconfig),
      config: { ...defaultControllerConfig(), proxyImage: 'example.invalid/mcp-operator:test' },
      log: silentLogger(),
      namespaces: [ns],
      workers: 2,
    });
    manager.client.onRequest((verb, path, code) => {
      if (verb !== 'GET') writes.push(`${verb} ${path} ${code}`);
    });
    await manager.start();
  });

  after(async () => {
    await manager?.stop();
    await core?.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  it('gives a streamable-http MCPServer its children, named, labelled and owned as in ToolHive', async () => {
    await applyServer('fetch', {
      image: 'ghcr.io/example/fetch:1',
      transport: 'streamable-http',
      mcpPort: 9000,
      permissionProfile: { type: 'builtin', name: 'network' },
    });
    const server = await eventually(
      'the MCPServer to get a uid',
      async () => (await getServer('fetch')).metadata?.uid,
    );
    const children: Array<[string, () => Promise<Obj>]> = [
      ['StatefulSet fetch', () => apps.readNamespacedStatefulSet({ name: 'fetch', namespace: ns })],
      ['Deployment fetch', () => apps.readNamespacedDeployment({ name: 'fetch', namespace: ns })],
      [
        'Service mcp-fetch-proxy',
        () => core.readNamespacedService({ name: 'mcp-fetch-proxy', namespace: ns }),
      ],
      [
        'Service mcp-fetch-headless',
        () => core.readNamespacedService({ name: 'mcp-fetch-headless', namespace: ns }),
      ],
      ['Service mcp-fetch', () => core.readNamespacedService({ name: 'mcp-fetch', namespace: ns })],
      [
        'ConfigMap fetch-runconfig',
        () => core.readNamespacedConfigMap({ name: 'fetch-runconfig', namespace: ns }),
      ],
      [
        'ServiceAccount fetch-proxy-runner',
        () => core.readNamespacedServiceAccount({ name: 'fetch-proxy-runner', namespace: ns }),
      ],
      [
        'ServiceAccount fetch-sa',
        () => core.readNamespacedServiceAccount({ name: 'fetch-sa', namespace: ns }),
      ],
      [
        'NetworkPolicy fetch-permission-profile',
        () => net.readNamespacedNetworkPolicy({ name: 'fetch-permission-profile', namespace: ns }),
      ],
    ];
    for (const [what, read] of children) {
      const child = await eventually(what, read);
      expect(child.metadata?.labels, what).to.include({
        'app.kubernetes.io/instance': 'fetch',
        'app.kubernetes.io/managed-by': 'mcp-operator',
        toolhive: 'true',
        'toolhive-name': 'fetch',
      });
      expect(
        child.metadata?.ownerReferences?.map((r) => [r.kind, r.uid, r.controller]),
        what,
      ).to.deep.equal([['MCPServer', server, true]]);
    }
    for (const name of ['mcp-fetch-headless', 'mcp-fetch']) {
      const headless = await core.readNamespacedService({ name, namespace: ns });
      expect(headless.spec?.clusterIP, name).to.equal('None');
      expect(
        headless.spec?.ports?.map((p) => p.port),
        name,
      ).to.deep.equal([9000]);
    }
    const proxy = await core.readNamespacedService({ name: 'mcp-fetch-proxy', namespace: ns });
    expect(proxy.spec?.clusterIP).to.match(/^\d+\.\d+\.\d+\.\d+$/);
    // The server admits its own proxy alone, on its port; the profile adds egress.
    const policy = await net.readNamespacedNetworkPolicy({ name: 'fetch-permission-profile', namespace: ns });
    expect(policy.spec?.policyTypes).to.deep.equal(['Ingress', 'Egress']);
    expect(
      policy.spec?.ingress?.map((r) => [
        r._from?.map((p) => p.podSelector?.matchLabels),
        r.ports?.map((p) => [p.protocol, p.port]),
      ]),
    ).to.deep.equal([
      [
        [{ 'app.kubernetes.io/instance': 'fetch', 'app.kubernetes.io/component': 'proxy', toolhive: 'true' }],
        [['TCP', 9000]],
      ],
    ]);
  });

  it('reports Ready once the proxy and server pods run, with the proxy URL and observedGeneration', async () => {
    const server = await phaseOf('fetch', 'Ready');
    expect(server.status?.url).to.equal(`http://mcp-fetch-proxy.${ns}.svc.cluster.local:8080/mcp`);
    expect(server.status?.readyReplicas).to.equal(1);
    expect(server.status?.conditions?.map((c) => [c.type, c.status])).to.deep.equal([
      ['Ready', 'True'],
      ['WorkloadReady', 'True'],
      ['ProxyReady', 'True'],
      ['SecretsResolved', 'True'],
      ['PermissionProfileEnforced', 'True'],
      ['ResourcesApplied', 'True'],
    ]);
    const events = await core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: 'involvedObject.kind=MCPServer,involvedObject.name=fetch',
    });
    expect(events.items.map((e) => e.reason)).to.include.members(['Created', 'Ready']);
  });

  it('makes no write at all when a reconcile finds nothing to change', async () => {
    await settled();
    const versions = async () => [
      (await apps.readNamespacedStatefulSet({ name: 'fetch', namespace: ns })).metadata?.resourceVersion,
      (await apps.readNamespacedDeployment({ name: 'fetch', namespace: ns })).metadata?.resourceVersion,
      (await core.readNamespacedService({ name: 'mcp-fetch-proxy', namespace: ns })).metadata
        ?.resourceVersion,
      (await core.readNamespacedConfigMap({ name: 'fetch-runconfig', namespace: ns })).metadata
        ?.resourceVersion,
    ];
    const before = { writes: writes.length, versions: await versions() };
    await nudge('fetch');
    await nudge('fetch');
    expect(writes.slice(before.writes)).to.deep.equal([]);
    expect(await versions()).to.deep.equal(before.versions);
  });

  it('keeps the annotation of `kubectl rollout restart` through the next reconcile', async () => {
    await kubectl(['rollout', 'restart', 'deployment/fetch']);
    await kubectl(['rollout', 'restart', 'statefulset/fetch']);
    await nudge('fetch');
    const deployment = await apps.readNamespacedDeployment({ name: 'fetch', namespace: ns });
    const statefulSet = await apps.readNamespacedStatefulSet({ name: 'fetch', namespace: ns });
    expect(deployment.spec?.template.metadata?.annotations).to.have.property(
      'kubectl.kubernetes.io/restartedAt',
    );
    expect(statefulSet.spec?.template.metadata?.annotations).to.have.property(
      'kubectl.kubernetes.io/restartedAt',
    );
  });

  it('gives a stdio MCPServer without a transport a Role limited to its pod and no server Services', async () => {
    await applyServer('local', { image: 'ghcr.io/example/local:1', proxyMode: 'sse' });
    const role = await eventually('Role local-proxy-runner', () =>
      rbac.readNamespacedRole({ name: 'local-proxy-runner', namespace: ns }),
    );
    expect(role.rules?.map((r) => [r.resources, r.resourceNames])).to.deep.equal([
      [['pods'], ['local-0']],
      [['pods/attach'], ['local-0']],
    ]);
    const server = await phaseOf('local', 'Ready');
    expect(server.status?.url).to.equal(`http://mcp-local-proxy.${ns}.svc.cluster.local:8080/sse#local`);
    expect(
      await exists(() => core.readNamespacedService({ name: 'mcp-local-headless', namespace: ns })),
    ).to.equal(false);
    const sts = await apps.readNamespacedStatefulSet({ name: 'local', namespace: ns });
    expect(sts.spec?.template.spec?.containers[0]?.stdin).to.equal(true);
    // No profile means builtin none: no ingress at all (the proxy attaches) and no egress.
    const policy = await net.readNamespacedNetworkPolicy({ name: 'local-permission-profile', namespace: ns });
    expect([policy.spec?.policyTypes, policy.spec?.ingress ?? [], policy.spec?.egress ?? []]).to.deep.equal([
      ['Ingress', 'Egress'],
      [],
      [],
    ]);
  });

  it('recreates an `mcp-<name>` Service of its own that still has a ClusterIP as headless', async () => {
    // What an earlier version of the operator left (it gave mcp-<name> a ClusterIP): the API server
    // will not change spec.clusterIP in place, so the controller deletes the Service and applies it.
    // It is the server's (its controller owner reference): one that is not is never touched
    // (controller-adoption.test.ts). Unlabelled, it is in no cache: the controller looks it up.
    await applyServer('legacy', { image: 'ghcr.io/example/legacy:1', transport: 'stdio' });
    const uid = await eventually(
      'legacy to get a uid',
      async () => (await getServer('legacy')).metadata?.uid,
    );
    const owner = { apiVersion: 'toolhive.stacklok.dev/v1alpha1', kind: 'MCPServer', name: 'legacy', uid };
    const old = await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'mcp-legacy', ownerReferences: [{ ...owner, controller: true }] },
        spec: { ports: [{ name: 'http', port: 9000 }] },
      },
    });
    expect(old.spec?.clusterIP).to.match(/^\d+\.\d+\.\d+\.\d+$/);
    await applyServer('legacy', { image: 'ghcr.io/example/legacy:1', transport: 'sse', mcpPort: 9000 });
    const now = await eventually('mcp-legacy to be headless', async () => {
      const service = await core.readNamespacedService({ name: 'mcp-legacy', namespace: ns });
      return service.spec?.clusterIP === 'None' ? service : undefined;
    });
    expect(now.metadata?.uid).not.to.equal(old.metadata?.uid);
    expect(now.metadata?.ownerReferences?.map((r) => r.kind)).to.deep.equal(['MCPServer']);
    const server = await phaseOf('legacy', 'Ready');
    expect(server.status?.conditions?.find((c) => c.type === 'ResourcesApplied')?.status).to.equal('True');
  });

  it('deletes the headless and mcp Services when the transport changes from sse to stdio', async () => {
    await applyServer('switch', { image: 'ghcr.io/example/switch:1', transport: 'sse' });
    await eventually('Service mcp-switch-headless', () =>
      core.readNamespacedService({ name: 'mcp-switch-headless', namespace: ns }),
    );
    await applyServer('switch', { image: 'ghcr.io/example/switch:1', transport: 'stdio' });
    await eventually('both server Services to be gone', async () => {
      const left = await Promise.all(
        ['mcp-switch-headless', 'mcp-switch'].map((name) =>
          exists(() => core.readNamespacedService({ name, namespace: ns })),
        ),
      );
      return left.every((e) => !e) ? true : undefined;
    });
    expect(
      await exists(() => core.readNamespacedService({ name: 'mcp-switch-proxy', namespace: ns })),
    ).to.equal(true);
  });

  it('rolls the server when a referenced Secret is rotated', async () => {
    await kubectl(['create', 'secret', 'generic', 'token', '--from-literal=token=one']);
    await applyServer('github', {
      image: 'ghcr.io/example/github:1',
      secrets: [{ name: 'token', key: 'token', targetEnvName: 'GITHUB_TOKEN' }],
    });
    const checksum = async () =>
      (await apps.readNamespacedStatefulSet({ name: 'github', namespace: ns })).spec?.template.metadata
        ?.annotations?.[SECRETS_CHECKSUM_ANNOTATION];
    const first = await eventually('a secrets checksum', checksum);
    await kubectl(
      ['apply', '-f', '-'],
      stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'token' },
        stringData: { token: 'two' },
      }),
    );
    const second = await eventually('a new checksum', async () => {
      const now = await checksum();
      return now !== first ? now : undefined;
    });
    expect(second).to.match(/^[0-9a-f]{64}$/);
  });

  it('reports Stopped and scales both workloads to zero at replicas 0', async () => {
    await applyServer('github', {
      image: 'ghcr.io/example/github:1',
      replicas: 0,
      secrets: [{ name: 'token', key: 'token', targetEnvName: 'GITHUB_TOKEN' }],
    });
    await phaseOf('github', 'Stopped');
    // readyReplicas is observed, not assumed: it reaches 0 once the proxy pod has gone.
    await eventually('readyReplicas 0', async () =>
      (await getServer('github')).status?.readyReplicas === 0 ? true : undefined,
    );
    expect((await apps.readNamespacedStatefulSet({ name: 'github', namespace: ns })).spec?.replicas).to.equal(
      0,
    );
    expect((await apps.readNamespacedDeployment({ name: 'github', namespace: ns })).spec?.replicas).to.equal(
      0,
    );
  });

  it('leaves nothing behind when the MCPServer is deleted (garbage collection)', async () => {
    await custom.deleteNamespacedCustomObject({ ...GROUP, name: 'fetch' });
    await eventually(
      'the children of fetch to be gone',
      async () => {
        const left = await Promise.all([
          exists(() => apps.readNamespacedStatefulSet({ name: 'fetch', namespace: ns })),
          exists(() => apps.readNamespacedDeployment({ name: 'fetch', namespace: ns })),
          exists(() => core.readNamespacedService({ name: 'mcp-fetch-proxy', namespace: ns })),
          exists(() => core.readNamespacedConfigMap({ name: 'fetch-runconfig', namespace: ns })),
          exists(() => core.readNamespacedServiceAccount({ name: 'fetch-sa', namespace: ns })),
        ]);
        return left.every((e) => !e) ? true : undefined;
      },
      60_000,
    );
  });
});
