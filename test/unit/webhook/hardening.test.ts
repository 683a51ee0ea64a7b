// Issue 14: a tenant who may create MCPServers gets nothing more. The reviewer's hostile manifest, and one
// case per rule, through the whole validating decision (validateMCPServer), as `validate --offline` and
// the webhook run it.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';
import { skippedFacts, type AdmissionFacts } from '../../../webhook/facts.ts';
import { parsePolicy, type AdmissionPolicy } from '../../../webhook/policy.ts';
import type { Dict } from '../../../webhook/rules/shape.ts';
import { validateMCPServer } from '../../../webhook/validate.ts';
import { mcpServer, withSpec } from './builders.ts';

const FIXTURES = 'test/fixtures/hardening';
const hostile = parse(readFileSync(`${FIXTURES}/mcpserver-hostile.yaml`, 'utf8')) as Dict;

function policyFile(name: string): AdmissionPolicy {
  const parsed = parsePolicy({ 'policy.yaml': readFileSync(`${FIXTURES}/${name}`, 'utf8') });
  if (!('policy' in parsed)) throw new Error(parsed.errors.join('; '));
  return parsed.policy;
}

const policy = (text: Dict): AdmissionPolicy => {
  const parsed = parsePolicy({ 'policy.yaml': JSON.stringify(text) });
  if (!('policy' in parsed)) throw new Error(parsed.errors.join('; '));
  return parsed.policy;
};

const fields = (server: unknown, p: AdmissionPolicy, facts: AdmissionFacts = skippedFacts()) =>
  validateMCPServer(server, facts, p).errors.map((e) => `${e.field}: ${e.type}`);

const template = (podSpec: Dict) => withSpec({ podTemplateSpec: { spec: podSpec } });
const mcp = (extra: Dict) => ({ name: 'mcp', ...extra });
const POD = 'spec.podTemplateSpec.spec';

describe('hardening: what a tenant who may create MCPServers can ask for', () => {
  it('denies every part of the hostile manifest under the strict policy, each by field path', () => {
    expect(fields(hostile, policyFile('policy-strict.yaml'))).to.have.members([
      'spec.volumes[0].hostPath: FieldValueForbidden',
      `${POD}.hostNetwork: FieldValueForbidden`,
      `${POD}.hostNetwork: FieldValueForbidden`, // Pod Security, and the escape from the NetworkPolicy
      `${POD}.hostPID: FieldValueForbidden`,
      `${POD}.volumes[0].hostPath: FieldValueForbidden`,
      `${POD}.containers[0].securityContext.privileged: FieldValueForbidden`,
      `${POD}.containers[0].securityContext.capabilities.add[0]: FieldValueForbidden`,
      `${POD}.nodeName: FieldValueForbidden`,
      `${POD}.serviceAccountName: FieldValueForbidden`,
      `${POD}.containers[1].image: FieldValueForbidden`,
    ]);
  });

  it('allows the same spec when the administrator allows all of it (privileged, node name, host network, any account)', () => {
    expect(fields(hostile, policyFile('policy-privileged.yaml'))).to.deep.equal([]);
  });

  it('judges with baseline when the policy names no level: hostPath denied, root allowed', () => {
    const server = mcpServer('s', template({ containers: [mcp({ securityContext: { runAsUser: 0 } })] }));
    expect(fields(server, policy({}))).to.deep.equal([]);
    expect(
      fields(
        mcpServer('s', withSpec({ volumes: [{ name: 'v', hostPath: '/data', mountPath: '/d' }] })),
        policy({}),
      ),
    ).to.deep.equal(['spec.volumes[0].hostPath: FieldValueForbidden']);
  });

  it('passes an empty template at restricted: the operator fills the restricted defaults', () => {
    const server = mcpServer(
      's',
      template({ containers: [mcp({})], initContainers: [{ name: 'init', image: 'ghcr.io/a/b:1' }] }),
    );
    expect(fields(server, policy({ podSecurityLevel: 'restricted' }))).to.deep.equal([]);
  });

  it('denies what restricted forbids only at restricted', () => {
    const server = mcpServer('s', template({ containers: [mcp({ securityContext: { runAsUser: 0 } })] }));
    expect(fields(server, policy({ podSecurityLevel: 'restricted' }))).to.deep.equal([
      `${POD}.containers[0].securityContext.runAsUser: FieldValueForbidden`,
    ]);
  });

  it("applies the namespace's enforce label when it is stricter than the policy, and says so", () => {
    const server = mcpServer('s', template({ containers: [mcp({ securityContext: { runAsUser: 0 } })] }));
    const facts: AdmissionFacts = { ...skippedFacts(), namespaceLevel: 'restricted' };
    const { errors } = validateMCPServer(server, facts, policy({}));
    expect(errors.map((e) => e.field)).to.deep.equal([`${POD}.containers[0].securityContext.runAsUser`]);
    expect(errors[0]?.detail).to.include('pod-security.kubernetes.io/enforce');
  });

  it("keeps the policy's level when the namespace's label is looser", () => {
    const server = mcpServer('s', template({ hostIPC: true, containers: [mcp({})] }));
    const facts: AdmissionFacts = { ...skippedFacts(), namespaceLevel: 'privileged' };
    expect(fields(server, policy({}), facts)).to.deep.equal([`${POD}.hostIPC: FieldValueForbidden`]);
  });

  it('denies a pinned node, the host network and a foreign ServiceAccount, each unless its policy key allows it', () => {
    const privileged = { podSecurityLevel: 'privileged' };
    const cases: Array<[Dict, Dict, string]> = [
      [{ nodeName: 'n1', containers: [mcp({})] }, { allowNodeName: true }, `${POD}.nodeName`],
      [{ hostNetwork: true, containers: [mcp({})] }, { allowHostNetwork: true }, `${POD}.hostNetwork`],
      [
        { serviceAccount: 'ci', containers: [mcp({})] },
        { allowedServiceAccounts: ['ci'] },
        `${POD}.serviceAccount`,
      ],
    ];
    for (const [podSpec, allow, field] of cases) {
      const server = mcpServer('s', template(podSpec));
      expect(fields(server, policy(privileged))).to.deep.equal([`${field}: FieldValueForbidden`]);
      expect(fields(server, policy({ ...privileged, ...allow }))).to.deep.equal([]);
    }
    const viaSpec = mcpServer('s', withSpec({ serviceAccount: 'builder' }));
    expect(fields(viaSpec, policy({ allowedServiceAccounts: ['other'] }))).to.deep.equal([
      'spec.serviceAccount: FieldValueForbidden',
    ]);
    expect(fields(viaSpec, policy({ allowedServiceAccounts: ['*'] }))).to.deep.equal([]);
  });

  it('checks the registry of every container but mcp (spec.image replaces its image)', () => {
    const server = mcpServer(
      's',
      template({
        initContainers: [{ name: 'init', image: 'quay.io/x/init:1' }],
        containers: [mcp({ image: 'quay.io/ignored:1' }), { name: 'side', image: 'ghcr.io/ok/side:1' }],
      }),
    );
    expect(fields(server, policy({ allowedImageRegistries: ['ghcr.io/'] }))).to.deep.equal([
      `${POD}.initContainers[0].image: FieldValueForbidden`,
    ]);
  });

  it('holds every container to maxResources, sidecars included', () => {
    const big = { limits: { memory: '4Gi' } };
    const server = mcpServer(
      's',
      template({ containers: [mcp({}), { name: 'side', image: 'ghcr.io/a:1', resources: big }] }),
    );
    expect(fields(server, policy({ maxResources: { memory: '1Gi' } }))).to.deep.equal([
      `${POD}.containers[1].resources.limits[memory]: FieldValueForbidden`,
    ]);
  });

  it('denies at admission what the API server would reject when the StatefulSet is applied, whatever the level', () => {
    const server = mcpServer(
      's',
      template({
        containers: [mcp({ securityContext: { privileged: true, allowPrivilegeEscalation: false } })],
      }),
    );
    expect(fields(server, policy({ podSecurityLevel: 'privileged' }))).to.deep.equal([
      `${POD}.containers[0].securityContext: FieldValueInvalid`,
    ]);
  });

  it("refuses a server without a profile when the policy's default was not applied (the mutating webhook was skipped)", () => {
    expect(fields(mcpServer('s'), policy({ defaultPermissionProfile: 'none' }))).to.deep.equal([
      'spec.permissionProfile: FieldValueRequired',
    ]);
  });

  it('rejects policy keys of the wrong shape, naming them', () => {
    const parsed = parsePolicy({
      'policy.yaml': 'podSecurityLevel: lax\nallowNodeName: "yes"\nallowedServiceAccounts: default\n',
    });
    expect(parsed).to.deep.equal({
      errors: [
        'podSecurityLevel: must be "restricted", "baseline" or "privileged"',
        'allowNodeName: must be true or false',
        'allowedServiceAccounts: must be a list of ServiceAccount names',
      ],
    });
  });
});
