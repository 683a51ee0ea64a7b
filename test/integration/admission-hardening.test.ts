// Issue 14 on a real API server: the hostile manifest denied by field path at `kubectl apply` and allowed
// under a privileged policy; a namespace's pod-security.kubernetes.io/enforce label tightening admission;
// and a forged AdmissionReview POSTed straight to the webhook learning nothing about another namespace's
// Secrets (the requester check is a real LocalSubjectAccessReview against this API server's RBAC).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { repoRoot } from '../../controlplane/versions.ts';
import { desiredValidatingWebhookConfiguration } from '../../webhook/configuration.ts';
import { VALIDATE_PATHS } from '../../webhook/paths.ts';
import { parsePolicy, type AdmissionPolicy } from '../../webhook/policy.ts';
import { httpsRequest } from '../support/https-client.ts';
import { adminKubeConfig, controlPlane, eventually, installCrd } from './harness.ts';
import { type LocalWebhook, startLocalWebhook } from './local-webhook.ts';

const FIXTURES = path.join(repoRoot, 'test/fixtures/hardening');
const HOSTILE = readFileSync(path.join(FIXTURES, 'mcpserver-hostile.yaml'), 'utf8');
const NAME = 'hardening-test';
const kubectl = (args: string[], input?: string) => controlPlane().kubectl(args, input);

function policyFile(file: string): AdmissionPolicy {
  const parsed = parsePolicy({ 'policy.yaml': readFileSync(path.join(FIXTURES, file), 'utf8') });
  if (!('policy' in parsed)) throw new Error(parsed.errors.join('; '));
  return parsed.policy;
}

const ROOT_SERVER = `apiVersion: toolhive.stacklok.dev/v1alpha1
kind: MCPServer
metadata: {name: root, namespace: tenant-a}
spec:
  image: ghcr.io/example/server:1
  permissionProfile: {type: builtin, name: none}
  podTemplateSpec:
    spec:
      containers: [{name: mcp, securityContext: {runAsUser: 0}}]
`;

function forgedReview(secret: string, username: string, groups = ['system:authenticated']) {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'forged-1',
      operation: 'CREATE',
      kind: { group: 'toolhive.stacklok.dev', version: 'v1alpha1', kind: 'MCPServer' },
      resource: { group: 'toolhive.stacklok.dev', version: 'v1alpha1', resource: 'mcpservers' },
      name: 'probe',
      namespace: 'tenant-b',
      userInfo: { username, groups },
      object: {
        apiVersion: 'toolhive.stacklok.dev/v1alpha1',
        kind: 'MCPServer',
        metadata: { name: 'probe', namespace: 'tenant-b' },
        spec: {
          image: 'ghcr.io/a/b:1',
          permissionProfile: { type: 'builtin', name: 'none' },
          secrets: [{ name: secret, key: 'password' }],
        },
      },
    },
  });
}

describe('hardening on a real API server', function () {
  let webhook: LocalWebhook;
  let policy = policyFile('policy-strict.yaml');

  before(async () => {
    await installCrd();
    for (const ns of ['tenant-a', 'tenant-b']) await kubectl(['create', 'namespace', ns]);
    await kubectl(['-n', 'tenant-b', 'create', 'secret', 'generic', 'db', '--from-literal=password=p4ss']);
    webhook = await startLocalWebhook(NAME, { policy: () => policy });
    await eventually('the validating webhook to be called', async () => {
      const r = await kubectl(['apply', '--dry-run=server', '-f', '-'], HOSTILE);
      if (r.stderr.includes('spec.podTemplateSpec.spec.nodeName')) return true;
      throw new Error(r.stderr.trim());
    });
  });

  after(async () => {
    await webhook?.remove();
    await kubectl(['delete', 'namespace', 'tenant-a', 'tenant-b', '--wait=false']);
  });

  it('denies every part of the hostile manifest at kubectl apply, by field path', async () => {
    const r = await kubectl(['apply', '-f', '-'], HOSTILE);
    expect(r.code).to.not.equal(0);
    for (const field of [
      'spec.volumes[0].hostPath: Forbidden',
      'spec.podTemplateSpec.spec.hostNetwork: Forbidden',
      'spec.podTemplateSpec.spec.hostPID: Forbidden',
      'spec.podTemplateSpec.spec.nodeName: Forbidden',
      'spec.podTemplateSpec.spec.serviceAccountName: Forbidden',
      'spec.podTemplateSpec.spec.volumes[0].hostPath: Forbidden',
      'spec.podTemplateSpec.spec.containers[0].securityContext.privileged: Forbidden',
      'spec.podTemplateSpec.spec.containers[0].securityContext.capabilities.add[0]: Forbidden',
      'spec.podTemplateSpec.spec.containers[1].image: Forbidden',
    ]) {
      expect(r.stderr).to.include(field);
    }
    expect((await kubectl(['-n', 'tenant-a', 'get', 'mcpserver', 'hostile'])).code).to.not.equal(0);
  });

  it('admits the same manifest when the policy allows all of it', async () => {
    policy = policyFile('policy-privileged.yaml');
    try {
      const r = await kubectl(['apply', '--dry-run=server', '-f', '-'], HOSTILE);
      expect(r.stderr).to.equal('');
      expect(r.code).to.equal(0);
    } finally {
      policy = policyFile('policy-strict.yaml');
    }
  });

  it("judges by the namespace's enforce label when it is stricter than the policy, following it as it changes", async () => {
    expect((await kubectl(['apply', '--dry-run=server', '-f', '-'], ROOT_SERVER)).code).to.equal(0);
    await kubectl(['label', 'namespace', 'tenant-a', 'pod-security.kubernetes.io/enforce=restricted']);
    const denied = await eventually('the label to apply', async () => {
      const r = await kubectl(['apply', '--dry-run=server', '-f', '-'], ROOT_SERVER);
      return r.code !== 0 ? r.stderr : undefined;
    });
    expect(denied).to.include('spec.podTemplateSpec.spec.containers[0].securityContext.runAsUser: Forbidden');
    expect(denied).to.include('pod-security.kubernetes.io/enforce');
    await kubectl(['label', 'namespace', 'tenant-a', 'pod-security.kubernetes.io/enforce-']);
    await eventually('the label to be gone', async () =>
      (await kubectl(['apply', '--dry-run=server', '-f', '-'], ROOT_SERVER)).code === 0 ? true : undefined,
    );
  });

  it("tells a forged review nothing about another namespace's Secrets", async () => {
    const admission = adminKubeConfig().makeApiClient(k8s.AdmissionregistrationV1Api);
    const configName = desiredValidatingWebhookConfiguration({
      name: NAME,
      operatorNamespace: 'mcp-operator-system',
      target: { kind: 'url', port: webhook.port },
    }).metadata!.name!;
    const config = await admission.readValidatingWebhookConfiguration({ name: configName });
    const caPem = Buffer.from(config.webhooks![0]!.clientConfig.caBundle!, 'base64').toString();
    const post = async (secret: string, username: string, groups?: string[]) =>
      (
        await httpsRequest({
          port: webhook.port,
          caPem,
          path: VALIDATE_PATHS[0]!,
          body: forgedReview(secret, username, groups),
          contentType: 'application/json',
        })
      ).text;
    // A user with no rights in tenant-b: the same answer whether the Secret exists, and nothing read.
    const existing = await post('db', 'system:serviceaccount:tenant-a:default');
    const missing = await post('no-such-secret', 'system:serviceaccount:tenant-a:default');
    expect(existing).to.equal(missing);
    expect(existing).to.include('"code":403');
    // The check is a real LocalSubjectAccessReview: a user who may create MCPServers there is told.
    const admin = await post('no-such-secret', 'an-admin', ['system:masters']);
    expect(admin).to.include('spec.secrets[0].name: Not found');
  });
});
