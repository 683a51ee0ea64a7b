import { expect } from 'chai';
import { FieldPath, formatFieldError } from '../../../../webhook/field.ts';
import { checkPodSpecConsistency } from '../../../../webhook/rules/pod-spec-consistency.ts';
import type { Dict } from '../../../../webhook/rules/shape.ts';

const S = 'spec.podTemplateSpec.spec';
const check = (spec: Dict): string[] =>
  checkPodSpecConsistency(spec, FieldPath.of('spec').child('podTemplateSpec', 'spec')).map(formatFieldError);
const withContext = (securityContext: Dict, extra: Dict = {}): Dict => ({
  containers: [{ name: 'mcp', image: 'x', securityContext, ...extra }],
});

describe('checkPodSpecConsistency', () => {
  it('accepts a restricted pod and an empty one', () => {
    const sc = {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    };
    expect(check(withContext(sc))).to.deep.equal([]);
    expect(check({})).to.deep.equal([]);
  });

  it('rejects privileged with allowPrivilegeEscalation: false, in any container list', () => {
    const sc = { privileged: true, allowPrivilegeEscalation: false };
    const spec = {
      ...withContext({ privileged: true }),
      initContainers: [{ name: 'init', securityContext: sc }],
    };
    expect(check(spec)).to.deep.equal([
      `${S}.initContainers[0].securityContext: Invalid value: {"privileged":true,"allowPrivilegeEscalation":false}: cannot set \`allowPrivilegeEscalation\` to false and \`privileged\` to true`,
    ]);
  });

  it('rejects adding CAP_SYS_ADMIN with allowPrivilegeEscalation: false, as the API server spells it', () => {
    const sc = { allowPrivilegeEscalation: false, capabilities: { add: ['CAP_SYS_ADMIN'] } };
    expect(check(withContext(sc))).to.deep.equal([
      `${S}.containers[0].securityContext: Invalid value: ${JSON.stringify(sc)}: cannot set \`allowPrivilegeEscalation\` to false and \`capabilities.Add\` CAP_SYS_ADMIN`,
    ]);
    // The API server compares the exact string, so SYS_ADMIN passes its validation (PSS baseline forbids it).
    const plain = { allowPrivilegeEscalation: false, capabilities: { add: ['SYS_ADMIN'] } };
    expect(check(withContext(plain))).to.deep.equal([]);
  });

  it('rejects procMount Unmasked unless hostUsers is false', () => {
    const spec = withContext({ procMount: 'Unmasked' });
    expect(check(spec)).to.deep.equal([
      `${S}.containers[0].securityContext.procMount: Invalid value: "Unmasked": \`hostUsers\` must be false to use \`Unmasked\``,
    ]);
    expect(check({ ...spec, hostUsers: false })).to.deep.equal([]);
  });

  it('rejects a hostPort that differs from its containerPort with hostNetwork; 0 is defaulted', () => {
    const ports = [
      { containerPort: 8080, hostPort: 9090 },
      { containerPort: 8081, hostPort: 8081 },
      { containerPort: 8082 },
    ];
    const spec = { ...withContext({}, { ports }), hostNetwork: true };
    expect(check(spec)).to.deep.equal([
      `${S}.containers[0].ports[0].hostPort: Invalid value: 9090: must match \`containerPort\` when \`hostNetwork\` is true`,
    ]);
    expect(check({ ...spec, hostNetwork: false })).to.deep.equal([]);
  });

  it('rejects shareProcessNamespace with hostPID', () => {
    expect(check({ shareProcessNamespace: true, hostPID: true })).to.deep.equal([
      `${S}.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled`,
    ]);
    expect(check({ shareProcessNamespace: true })).to.deep.equal([]);
  });

  it('rejects host namespaces in a user namespace (hostUsers: false)', () => {
    expect(check({ hostUsers: false, hostNetwork: true, hostPID: true, hostIPC: true })).to.deep.equal([
      `${S}.hostNetwork: Forbidden: when \`hostUsers\` is false`,
      `${S}.hostPID: Forbidden: when \`hostUsers\` is false`,
      `${S}.hostIPC: Forbidden: when \`hostUsers\` is false`,
    ]);
    expect(check({ hostUsers: true, hostNetwork: true })).to.deep.equal([]);
  });

  it('rejects a seccomp localhostProfile without Localhost, and Localhost without one', () => {
    const spec = {
      securityContext: { seccompProfile: { type: 'Localhost' } },
      ...withContext({ seccompProfile: { type: 'RuntimeDefault', localhostProfile: 'p.json' } }),
    };
    expect(check(spec)).to.deep.equal([
      `${S}.securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost`,
      `${S}.containers[0].securityContext.seccompProfile.localhostProfile: Invalid value: {"type":"RuntimeDefault","localhostProfile":"p.json"}: can only be set when seccomp type is Localhost`,
    ]);
  });

  it('rejects a seccomp or AppArmor profile without a known type', () => {
    const spec = withContext({ seccompProfile: {}, appArmorProfile: { type: 'Permissive' } });
    expect(check(spec)).to.deep.equal([
      `${S}.containers[0].securityContext.seccompProfile.type: Required value: type is required when seccompProfile is set`,
      `${S}.containers[0].securityContext.appArmorProfile.type: Unsupported value: "Permissive": supported values: "Localhost", "RuntimeDefault", "Unconfined"`,
    ]);
  });

  it('rejects an AppArmor localhostProfile that does not match the type', () => {
    const spec = {
      securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: '' } },
      ...withContext({ appArmorProfile: { type: 'Unconfined', localhostProfile: 'mine' } }),
    };
    expect(check(spec)).to.deep.equal([
      `${S}.securityContext.appArmorProfile.localhostProfile: Required value: must be set when AppArmor type is Localhost`,
      `${S}.containers[0].securityContext.appArmorProfile.localhostProfile: Invalid value: "mine": can only be set when AppArmor type is Localhost`,
    ]);
  });

  it('never throws on malformed input', () => {
    const junk: Dict = {
      hostNetwork: true,
      securityContext: { seccompProfile: 'x', appArmorProfile: { type: 5 } },
      containers: [
        null,
        { ports: [null, { hostPort: 'x' }], securityContext: { capabilities: { add: 'x' } } },
      ],
    };
    expect(() => check(junk)).not.to.throw();
  });
});
