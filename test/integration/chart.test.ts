// The Helm chart rendered by the Go-built helm (`helm lint`, `helm template`) for the main combinations
// of values, checked against the TypeScript that the rest of the project uses as the source of truth:
// the webhook configurations (webhook/configuration.ts), the cert-manager objects (webhook/manifests.ts),
// the CRD (schemas/), the policy parser (webhook/policy.ts). No cluster needed; it lives with the
// integration tests because it needs the Go-built helm binary.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';
import { runToCompletion } from '../../controlplane/processes.ts';
import { binaryPaths, readVersions } from '../../controlplane/versions.ts';
import { CHART_DIR, generatedInstallManifests } from '../../manifests/generate.ts';
import { CRD_FILE } from '../../schemas/generate.ts';
import {
  desiredMutatingWebhookConfiguration,
  desiredValidatingWebhookConfiguration,
} from '../../webhook/configuration.ts';
import { webhookManifests } from '../../webhook/manifests.ts';
import { parsePolicy } from '../../webhook/policy.ts';
import {
  type Obj,
  render,
  find,
  failureOf,
  CLUSTER_SCOPED,
  NAMESPACE_SCOPE,
  deploymentSpec,
  podSpec,
  configMapData,
  webhookEntry,
} from './chart-views.ts';

describe('the Helm chart', function () {
  this.timeout(60_000);

  it('passes helm lint with default, namespace-scoped and cert-manager values', async () => {
    const helm = binaryPaths(readVersions()).helm;
    for (const values of [[], NAMESPACE_SCOPE, ['webhook.certManager.enabled=true']]) {
      const r = await runToCompletion(helm, [
        'lint',
        '--strict',
        CHART_DIR,
        ...values.flatMap((v) => ['--set', v]),
      ]);
      expect(r.code, `${values.join(' ')}: ${r.stdout}${r.stderr}`).to.equal(0);
    }
  });

  it('renders webhook configurations identical to webhook/configuration.ts, but for labels', async () => {
    const objs = await render();
    const options = {
      name: 'mcp-operator',
      operatorNamespace: 'mcp-operator-system',
      target: {
        kind: 'service' as const,
        name: 'mcp-operator-webhook',
        namespace: 'mcp-operator-system',
        port: 443,
      },
    };
    const pairs = [
      [find(objs, 'ValidatingWebhookConfiguration'), desiredValidatingWebhookConfiguration(options)],
      [find(objs, 'MutatingWebhookConfiguration'), desiredMutatingWebhookConfiguration(options)],
    ] as const;
    for (const [chart, typescript] of pairs) {
      expect(chart.metadata.name).to.equal(typescript.metadata!.name);
      expect(chart.webhooks).to.deep.equal(typescript.webhooks);
    }
  });

  it('lets webhook.failurePolicy and webhook.timeoutSeconds change validation, never mutation', async () => {
    const objs = await render(['webhook.failurePolicy=Ignore', 'webhook.timeoutSeconds=3']);
    const validating = webhookEntry(find(objs, 'ValidatingWebhookConfiguration'));
    const mutating = webhookEntry(find(objs, 'MutatingWebhookConfiguration'));
    expect([validating.failurePolicy, validating.timeoutSeconds]).to.deep.equal(['Ignore', 3]);
    expect([mutating.failurePolicy, mutating.timeoutSeconds]).to.deep.equal(['Ignore', 3]);
    expect(await failureOf(render(['webhook.timeoutSeconds=31']))).to.match(/between 1 and 30/);
    expect(await failureOf(render(['webhook.failurePolicy=Maybe']))).to.match(/Fail or Ignore/);
  });

  it('installs the CRDs generated from schemas/, kept on uninstall unless crds.keep=false, or not at all', async () => {
    const generated = parse(readFileSync(CRD_FILE, 'utf8')) as Obj;
    const crd = find(await render(), 'CustomResourceDefinition', 'mcpservers.toolhive.stacklok.dev');
    expect(crd.spec).to.deep.equal(generated.spec);
    const crds = (await render())
      .filter((o) => o.kind === 'CustomResourceDefinition')
      .map((o) => o.metadata.name);
    expect(crds.sort()).to.deep.equal(
      [
        'mcpauthzconfigs',
        'mcpexternalauthconfigs',
        'mcpgroups',
        'mcpoidcconfigs',
        'mcpservers',
        'mcptelemetryconfigs',
        'mcptoolconfigs',
        'mcpwebhookconfigs',
      ].map((plural) => `${plural}.toolhive.stacklok.dev`),
    );
    expect(crd.metadata.annotations).to.deep.equal({ 'helm.sh/resource-policy': 'keep' });
    expect(find(await render(['crds.keep=false']), 'CustomResourceDefinition').metadata.annotations).to.equal(
      undefined,
    );
    expect(
      (await render(['crds.install=false'])).some((o) => o.kind === 'CustomResourceDefinition'),
    ).to.equal(false);
  });

  it('runs two operator replicas with leader election, a PodDisruptionBudget and node spread, restricted', async () => {
    const objs = await render();
    expect(deploymentSpec(objs).replicas).to.equal(2);
    const pod = podSpec(objs);
    const container = pod.containers[0]!;
    expect(container.args).to.include.members([
      'run',
      '--leader-elect',
      '--self-managed',
      '--namespace=mcp-operator-system',
    ]);
    expect(pod.securityContext).to.deep.include({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).to.deep.include({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.topologySpreadConstraints[0]?.topologyKey).to.equal('kubernetes.io/hostname');
    // A terminating replica keeps answering until its endpoint is gone: the API server does not retry.
    expect(container.lifecycle).to.deep.equal({ preStop: { sleep: { seconds: 5 } } });
    expect(container.readinessProbe.httpGet).to.deep.include({ path: '/readyz', scheme: 'HTTPS' });
    expect(
      (find(objs, 'PodDisruptionBudget') as unknown as { spec: { minAvailable: number } }).spec.minAvailable,
    ).to.equal(1);
    // One replica: a PodDisruptionBudget would block every node drain.
    expect(
      (await render(['operator.replicaCount=1'])).some((o) => o.kind === 'PodDisruptionBudget'),
    ).to.equal(false);
  });

  it("passes ToolHive's operator values through: image, runner image, env, resources, scheduling", async () => {
    const objs = await render([
      'operator.image=registry.example/op:1',
      'operator.toolhiveRunnerImage=registry.example/proxy:1',
      'operator.env.LOG_LEVEL=debug',
      'operator.resources.limits.memory=512Mi',
      'operator.nodeSelector.pool=system',
      'operator.tolerations[0].key=dedicated',
      'operator.tolerations[0].operator=Exists',
    ]);
    const pod = podSpec(objs);
    const container = pod.containers[0]!;
    expect(container.image).to.equal('registry.example/op:1');
    expect(container.args).to.include('--proxy-image=registry.example/proxy:1');
    expect(container.env).to.deep.include({ name: 'LOG_LEVEL', value: 'debug' });
    expect(container.resources.limits.memory).to.equal('512Mi');
    expect(pod.nodeSelector).to.deep.equal({ pool: 'system' });
    expect(pod.tolerations).to.deep.equal([{ key: 'dedicated', operator: 'Exists' }]);
  });

  it('writes a policy ConfigMap that webhook/policy.ts parses to what the values say', async () => {
    const objs = await render([
      'policy.allowedImageRegistries={ghcr.io/stacklok/}',
      'policy.defaultPermissionProfile=none',
      'policy.maxReplicas=3',
      'policy.maxResources.memory=2Gi',
      'policy.allowedPermissionProfiles[0].profile=network',
      'policy.allowedPermissionProfiles[0].namespaces={prod-*}',
      'policy.podSecurityLevel=restricted',
      'policy.allowNodeName=true',
      'policy.allowHostNetwork=true',
      'policy.allowedServiceAccounts={ci}',
    ]);
    const data = configMapData(objs, 'mcp-operator-policy');
    expect(parsePolicy(data)).to.deep.equal({
      policy: {
        servedNamespaces: 'all',
        allowedImageRegistries: ['ghcr.io/stacklok/'],
        defaultPermissionProfile: 'none',
        maxReplicas: 3,
        maxResources: { memory: '2Gi' },
        allowedPermissionProfiles: [{ profile: 'network', namespaces: ['prod-*'] }],
        podSecurityLevel: 'restricted',
        allowNodeName: true,
        allowHostNetwork: true,
        allowedServiceAccounts: ['ci'],
      },
    });
    // By default the policy says what it does: the default profile and the Pod Security level, by name.
    const defaults = configMapData(await render(), 'mcp-operator-policy');
    expect(parsePolicy(defaults)).to.deep.equal({
      policy: { servedNamespaces: 'all', defaultPermissionProfile: 'none', podSecurityLevel: 'baseline' },
    });
  });

  describe('with operator.rbac.scope=namespace', () => {
    it('installs Roles and RoleBindings in each allowed namespace, and no cluster-wide rights but the webhooks CA and namespace labels', async () => {
      const objs = await render(NAMESPACE_SCOPE, { namespace: 'team-a' });
      const roles = objs
        .filter((o) => o.kind === 'Role')
        .map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
      expect(roles).to.have.members([
        'team-a-apps/mcp-operator-team-a',
        'team-a-tools/mcp-operator-team-a',
        'team-a/mcp-operator-operator',
        'default/mcp-operator-team-a-api-server',
      ]);
      const clusterRoles = objs.filter((o) => o.kind === 'ClusterRole') as (Obj & { rules: unknown[] })[];
      expect(clusterRoles.map((o) => o.metadata.name)).to.deep.equal([
        'mcp-operator-team-a-webhook-ca',
        'mcp-operator-team-a-namespaces',
      ]);
      // The other reads namespaces (their pod-security.kubernetes.io/enforce label), nothing else.
      expect(clusterRoles[1]!.rules).to.deep.equal([
        { apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'watch'] },
      ]);
      // The first reaches only our two webhook configurations, by name.
      expect(clusterRoles[0]!.rules).to.deep.equal([
        {
          apiGroups: ['admissionregistration.k8s.io'],
          resources: ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'],
          resourceNames: ['mcp-operator-team-a-validating-webhook', 'mcp-operator-team-a-mutating-webhook'],
          verbs: ['get', 'patch'],
        },
      ]);
      const args = podSpec(objs).containers[0]!.args;
      expect(args).to.include('--namespaces=team-a-apps,team-a-tools');
      const selector = webhookEntry(find(objs, 'ValidatingWebhookConfiguration')).namespaceSelector;
      expect(selector.matchExpressions).to.deep.include({
        key: 'kubernetes.io/metadata.name',
        operator: 'In',
        values: ['team-a-apps', 'team-a-tools'],
      });
      const policy = parsePolicy(configMapData(objs));
      expect(policy).to.deep.equal({
        policy: {
          servedNamespaces: ['team-a-apps', 'team-a-tools'],
          defaultPermissionProfile: 'none',
          podSecurityLevel: 'baseline',
        },
      });
    });

    it('lets two installs of the same release in two namespaces coexist: no cluster-scoped name in common', async () => {
      const a = await render(NAMESPACE_SCOPE, { namespace: 'team-a' });
      const b = await render(
        [
          'operator.rbac.scope=namespace',
          'operator.rbac.allowedNamespaces={team-b-apps}',
          'crds.install=false',
        ],
        { namespace: 'team-b' },
      );
      const clusterNames = (objs: Obj[]) =>
        objs.filter((o) => CLUSTER_SCOPED.has(o.kind)).map((o) => `${o.kind}/${o.metadata.name}`);
      const shared = clusterNames(a).filter((n) => clusterNames(b).includes(n));
      expect(shared).to.deep.equal([]);
      expect(clusterNames(b)).to.not.include('CustomResourceDefinition/mcpservers.toolhive.stacklok.dev');
    });

    it('refuses to render without allowedNamespaces, or with an unknown scope', async () => {
      expect(await failureOf(render(['operator.rbac.scope=namespace']))).to.match(
        /allowedNamespaces must list/,
      );
      expect(await failureOf(render(['operator.rbac.scope=galaxy']))).to.match(/cluster or namespace/);
    });
  });

  describe('with webhook.certManager.enabled=true', () => {
    it('renders the Issuers and Certificates of webhook/manifests.ts, and asks cainjector for the caBundle', async () => {
      const objs = await render(['webhook.certManager.enabled=true']);
      const expected = webhookManifests({
        name: 'mcp-operator',
        namespace: 'mcp-operator-system',
        mode: 'cert-manager',
      });
      for (const want of expected.filter((o) => o.apiVersion.startsWith('cert-manager.io'))) {
        const got = find(objs, want.kind, want.metadata.name);
        expect(got.spec, `${want.kind} ${want.metadata.name}`).to.deep.equal(want.spec);
      }
      for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
        expect(find(objs, kind).metadata.annotations).to.deep.equal({
          'cert-manager.io/inject-ca-from': 'mcp-operator-system/mcp-operator-webhook-serving',
        });
      }
      const pod = podSpec(objs);
      expect(pod.containers[0]!.args)
        .to.include('--cert-dir=/etc/mcp-operator/tls')
        .and.not.include('--self-managed');
      expect(pod.volumes).to.deep.include({
        name: 'webhook-tls',
        secret: { secretName: 'mcp-operator-webhook-tls' },
      });
      // cert-manager writes the Secret and the caBundle: no Secret from the chart, no rights on webhooks.
      expect(objs.some((o) => o.kind === 'Secret')).to.equal(false);
      expect(objs.filter((o) => o.kind === 'ClusterRole').map((o) => o.metadata.name)).to.deep.equal([
        'mcp-operator',
        'mcp-operator-namespaces',
      ]);
    });
  });

  it('keeps the plain manifests under manifests/install/ up to date (if not: run `make manifests`)', async () => {
    for (const [file, content] of Object.entries(await generatedInstallManifests())) {
      expect(readFileSync(file, 'utf8') === content, `${file} is stale: run \`make manifests\``).to.equal(
        true,
      );
    }
  });
});
