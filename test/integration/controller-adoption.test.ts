// Children are never adopted, against a real API server: objects made beforehand by someone else
// with the names of an MCPServer's children (a Service, its run config ConfigMap, its RoleBinding)
// are neither written to nor deleted, through the MCPServer's create and delete; status and a Warning
// event name them; the children that would trust them wait; and once they are deleted the children
// appear and the condition clears. The manager runs in-process on this file's namespace, rechecking
// taken names every second (the production default is config.CONFLICT_RECHECK_MS).
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { defaultControllerConfig } from '../../controller/config.ts';
import { Manager } from '../../controller/manager.ts';
import { silentLogger } from '../../lib/log.ts';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { childrenOf, ensureNamespace, kindNames, kubectl, stdioChildren } from './controller-fixtures.ts';
import { sumSamples } from '../../lib/prometheus-text.ts';
import { adminKubeConfig, controlPlane, eventually, installCrd } from './harness.ts';

const ns = `adopt-test-${process.pid}`;
const GROUP = { group: 'toolhive.stacklok.dev', version: 'v1alpha1', plural: 'mcpservers', namespace: ns };
type Stored = { metadata?: k8s.V1ObjectMeta; spec?: unknown; data?: unknown; subjects?: unknown };

describe('MCPServer controller with children names taken beforehand', function () {
  this.timeout(180_000);
  let manager: Manager;
  let core: k8s.CoreV1Api;
  let rbac: k8s.RbacAuthorizationV1Api;
  let custom: k8s.CustomObjectsApi;

  /** A Service, ConfigMap and RoleBinding named like the children of `name`, made by kubectl create. */
  const squat = async (name: string) => {
    await kubectl(['-n', ns, 'create', 'service', 'clusterip', `mcp-${name}-proxy`, '--tcp=80:8080']);
    await kubectl(['-n', ns, 'create', 'configmap', `${name}-runconfig`, '--from-literal=owner=someone']);
    await kubectl([
      '-n',
      ns,
      'create',
      'rolebinding',
      `${name}-proxy-runner`,
      '--clusterrole=view',
      '--user=someone',
    ]);
  };
  const squatters = (name: string): Array<() => Promise<Stored>> => [
    () => core.readNamespacedService({ name: `mcp-${name}-proxy`, namespace: ns }),
    () => core.readNamespacedConfigMap({ name: `${name}-runconfig`, namespace: ns }),
    () => rbac.readNamespacedRoleBinding({ name: `${name}-proxy-runner`, namespace: ns }),
  ];
  /** Each squatter as stored: uid, resourceVersion, labels, owners, and its spec, data or subjects. */
  const snapshot = async (name: string) =>
    Promise.all(
      squatters(name).map(async (read) => {
        const o = await read();
        const { uid, resourceVersion, labels, ownerReferences } = o.metadata ?? {};
        return { uid, resourceVersion, labels, ownerReferences, body: o.spec ?? o.data ?? o.subjects };
      }),
    );
  const applyServer = (name: string) =>
    kubectl(
      ['-n', ns, 'apply', '-f', '-'],
      stringify({
        apiVersion: 'toolhive.stacklok.dev/v1alpha1',
        kind: 'MCPServer',
        metadata: { name },
        spec: { image: 'ghcr.io/example/squat:1' },
      }),
    );
  const getServer = async (name: string) =>
    (await custom.getNamespacedCustomObject({ ...GROUP, name })) as MCPServer;
  const applied = (s: MCPServer) => s.status?.conditions?.find((c) => c.type === 'ResourcesApplied');
  const contested = (name: string) =>
    eventually(`${name} to report ChildConflict`, async () => {
      const s = await getServer(name);
      return applied(s)?.reason === 'ChildConflict' ? s : undefined;
    });

  const reconcileCount = async () =>
    sumSamples(await manager.metrics.registry.render(), 'controller_runtime_reconcile_total');
  /** Wakes the controller without changing the spec, and waits until it reconciled. */
  const nudge = async (name: string) => {
    const before = await reconcileCount();
    await kubectl(['-n', ns, 'annotate', 'mcpserver', name, `test/nudge=${Date.now()}`, '--overwrite']);
    await eventually('a reconcile', async () => ((await reconcileCount()) > before ? true : undefined));
  };

  before(async () => {
    const kc = adminKubeConfig();
    core = kc.makeApiClient(k8s.CoreV1Api);
    rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
    custom = kc.makeApiClient(k8s.CustomObjectsApi);
    await installCrd();
    await ensureNamespace(ns);
    manager = new Manager({
      access: await loadApiAccess(controlPlane().kubeconfig),
      config: {
        ...defaultControllerConfig(),
        proxyImage: 'example.invalid/mcp-operator:test',
        conflictRecheckMs: 1_000,
      },
      log: silentLogger(),
      namespaces: [ns],
      workers: 2,
    });
    await manager.start();
  });

  after(async () => {
    await manager?.stop();
    await core?.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  it('leaves them as they were through the MCPServer create and delete, and says so', async () => {
    await squat('keep');
    const before = await snapshot('keep');
    await applyServer('keep');
    const server = await contested('keep');
    expect(server.status?.phase).to.equal('Failed');
    const message = applied(server)?.message ?? '';
    // Who wrote them is known where the API server was asked (the caches keep no managedFields).
    for (const taken of ['Service mcp-keep-proxy', 'RoleBinding keep-proxy-runner'])
      expect(message).to.include(
        `${taken} exists and is not this MCPServer's (no controller, written by kubectl`,
      );
    expect(message).to.include("ConfigMap keep-runconfig exists and is not this MCPServer's (no controller)");
    expect(message).to.include('not applied until then: Deployment keep');
    // What trusts none of them is there; the proxy, which would, is not.
    const children = await eventually('the untaken children', async () => {
      const names = kindNames(await childrenOf(ns, 'keep'));
      return names.includes('StatefulSet/keep') ? names : undefined;
    });
    expect(children).to.deep.equal(
      stdioChildren('keep').filter(
        (c) =>
          ![
            'Deployment/keep',
            'Service/mcp-keep-proxy',
            'ConfigMap/keep-runconfig',
            'RoleBinding/keep-proxy-runner',
          ].includes(c),
      ),
    );
    const events = await core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: 'involvedObject.kind=MCPServer,involvedObject.name=keep,type=Warning',
    });
    expect(
      events.items.map((e) => [e.reason, e.message?.includes('ConfigMap keep-runconfig')]),
    ).to.deep.include(['ChildConflict', true]);
    expect(await snapshot('keep')).to.deep.equal(before);

    await custom.deleteNamespacedCustomObject({ ...GROUP, name: 'keep' });
    // The garbage collector learns of a CRD installed moments ago on its next discovery (every 30 s).
    await eventually(
      'the children of keep to be garbage-collected',
      async () => ((await childrenOf(ns, 'keep')).length === 0 ? true : undefined),
      90_000,
    );
    expect(await snapshot('keep')).to.deep.equal(before);
  });

  it('makes the children once the names are free, and clears the condition', async () => {
    await squat('free');
    await applyServer('free');
    await contested('free');
    for (const [kind, name] of [
      ['service', 'mcp-free-proxy'],
      ['configmap', 'free-runconfig'],
      ['rolebinding', 'free-proxy-runner'],
    ])
      await kubectl(['-n', ns, 'delete', kind!, name!]);
    const server = await eventually('ResourcesApplied to be True', async () => {
      const s = await getServer('free');
      return applied(s)?.status === 'True' ? s : undefined;
    });
    expect(server.status?.phase).to.not.equal('Failed');
    const children = await eventually('every child of free', async () => {
      const all = await childrenOf(ns, 'free');
      return all.length === stdioChildren('free').length ? all : undefined;
    });
    expect(kindNames(children)).to.deep.equal(stdioChildren('free'));
    for (const c of children)
      expect(
        c.metadata.ownerReferences?.map((r) => [r.kind, r.uid]),
        c.metadata.name,
      ).to.deep.equal([['MCPServer', server.metadata?.uid]]);
  });

  it('asks the API server about no child once every child is made: the caches hold them', async () => {
    const gets: string[] = [];
    const objectPath = new RegExp(`/namespaces/${ns}/[a-z]+/[^/]+$`);
    manager.client.onRequest((verb, path) => {
      if (verb === 'GET' && objectPath.test(path)) gets.push(path);
    });
    await nudge('free');
    await nudge('free');
    expect(gets).to.deep.equal([]);
  });
});
