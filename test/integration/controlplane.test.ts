// The local control plane behaves as a real cluster: workloads reach Running through KWOK, garbage
// collection follows owner references, CRDs are served and their schemas enforced, RBAC denies.
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { FAKE_NODE_NAME } from '../../controlplane/cluster.ts';
import { adminKubeConfig, eventually, statusOf, tokenKubeConfig } from './harness.ts';

const ns = `cp-test-${process.pid}`;

describe('local control plane', function () {
  const kc = () => adminKubeConfig();
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;

  before(async () => {
    core = kc().makeApiClient(k8s.CoreV1Api);
    apps = kc().makeApiClient(k8s.AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: ns } } });
    // Pods need the namespace's default ServiceAccount, which kube-controller-manager creates.
    await eventually(
      'default ServiceAccount',
      async () =>
        (await core.readNamespacedServiceAccount({ name: 'default', namespace: ns })).metadata?.name,
    );
  });

  after(async () => {
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  it('schedules a Deployment onto the fake node and its Pod reaches Running', async () => {
    const labels = { app: 'web' };
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'web', labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'web', image: 'example.invalid/web:1' }] },
          },
        },
      },
    });
    const pod = await eventually('a Running pod', async () => {
      const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' });
      return pods.items.find((p) => p.status?.phase === 'Running');
    });
    expect(pod.spec?.nodeName).to.equal(FAKE_NODE_NAME);
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready?.status).to.equal('True');
    const deployment = await eventually('the Deployment to report 1 available replica', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      return d.status?.availableReplicas === 1 ? d : undefined;
    });
    expect(deployment.status?.readyReplicas).to.equal(1);
  });

  it('garbage-collects the ReplicaSet and Pod of a deleted Deployment', async () => {
    const before = await apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=web' });
    expect(before.items).to.have.length(1);
    expect(before.items[0]!.metadata?.ownerReferences?.[0]?.kind).to.equal('Deployment');
    await apps.deleteNamespacedDeployment({ name: 'web', namespace: ns, propagationPolicy: 'Background' });
    await eventually('ReplicaSets and Pods to be gone', async () => {
      const [rs, pods] = await Promise.all([
        apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=web' }),
        core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' }),
      ]);
      return rs.items.length === 0 && pods.items.length === 0 ? true : undefined;
    });
  });

  it('serves a CRD: objects of it can be created, and its schema is enforced', async () => {
    const ext = kc().makeApiClient(k8s.ApiextensionsV1Api);
    const custom = kc().makeApiClient(k8s.CustomObjectsApi);
    const group = 'widgets.test.local';
    await ext.createCustomResourceDefinition({
      body: {
        metadata: { name: `widgets.${group}` },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: {
                    spec: { type: 'object', properties: { size: { type: 'integer', maximum: 10 } } },
                  },
                },
              },
            },
          ],
        },
      },
    });
    const target = { group, version: 'v1', namespace: ns, plural: 'widgets' };
    const created: unknown = await eventually('the CRD to be served', async (): Promise<unknown> =>
      custom.createNamespacedCustomObject({
        ...target,
        body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3 } },
      }),
    );
    expect((created as { spec: { size: number } }).spec.size).to.equal(3);
    const invalid = await custom
      .createNamespacedCustomObject({
        ...target,
        body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w2' }, spec: { size: 11 } },
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(statusOf(invalid)).to.equal(422);
    expect(String((invalid as k8s.ApiException<string>).body)).to.contain('spec.size');
  });

  it('accepts NetworkPolicy objects', async () => {
    const net = kc().makeApiClient(k8s.NetworkingV1Api);
    const created = await net.createNamespacedNetworkPolicy({
      namespace: ns,
      body: { metadata: { name: 'deny-egress' }, spec: { podSelector: {}, policyTypes: ['Egress'] } },
    });
    expect(created.spec?.policyTypes).to.deep.equal(['Egress']);
  });

  it('denies a ServiceAccount without a Role, and allows it once a RoleBinding grants the verb', async () => {
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'nobody' } } });
    const token = await core.createNamespacedServiceAccountToken({
      name: 'nobody',
      namespace: ns,
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const asNobody = tokenKubeConfig(token.status!.token!).makeApiClient(k8s.CoreV1Api);
    const denied = await asNobody.listNamespacedPod({ namespace: ns }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(statusOf(denied)).to.equal(403);

    const rbac = kc().makeApiClient(k8s.RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'pod-reader' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'nobody-reads-pods' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'nobody', namespace: ns }],
      },
    });
    const allowed = await eventually('the RoleBinding to take effect', () =>
      asNobody.listNamespacedPod({ namespace: ns }),
    );
    expect(allowed.items).to.be.an('array');
    const stillDenied = await asNobody.listNamespacedSecret({ namespace: ns }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(statusOf(stillDenied)).to.equal(403);
  });
});
