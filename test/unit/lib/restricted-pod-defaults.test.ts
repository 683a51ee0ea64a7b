import { expect } from 'chai';
import { withRestrictedDefaults } from '../../../lib/restricted-pod-defaults.ts';

type Context = Record<string, unknown>;
const containerContext = (podSpec: Record<string, unknown>): Context =>
  (withRestrictedDefaults(podSpec).containers as Array<{ securityContext: Context }>)[0]?.securityContext ??
  {};

describe('lib/restricted-pod-defaults', () => {
  it('fills every restricted field the user left unset, in pod and containers', () => {
    const spec = withRestrictedDefaults({
      containers: [{ name: 'mcp' }],
      initContainers: [{ name: 'init' }],
    });
    expect(spec.securityContext).to.deep.equal({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const restricted = {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    };
    expect(spec.containers).to.deep.equal([{ name: 'mcp', securityContext: restricted }]);
    expect(spec.initContainers).to.deep.equal([{ name: 'init', securityContext: restricted }]);
  });

  it('adds no allowPrivilegeEscalation: false beside privileged or CAP_SYS_ADMIN (the API server rejects the pair)', () => {
    const privileged = containerContext({
      containers: [{ name: 'a', securityContext: { privileged: true } }],
    });
    expect(privileged).to.not.have.property('allowPrivilegeEscalation');
    for (const cap of ['SYS_ADMIN', 'CAP_SYS_ADMIN']) {
      const context = containerContext({
        containers: [{ name: 'a', securityContext: { capabilities: { add: [cap] } } }],
      });
      expect(context).to.not.have.property('allowPrivilegeEscalation');
    }
  });

  it('adds no runAsNonRoot: true beside runAsUser 0, in the container or the pod (the kubelet would not start it)', () => {
    expect(
      containerContext({ containers: [{ name: 'a', securityContext: { runAsUser: 0 } }] }),
    ).to.not.have.property('runAsNonRoot');
    const podRoot = withRestrictedDefaults({
      securityContext: { runAsUser: 0 },
      containers: [{ name: 'a' }],
    });
    expect(podRoot.securityContext).to.deep.equal({
      runAsUser: 0,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(
      containerContext({ securityContext: { runAsUser: 0 }, containers: [{ name: 'a' }] }),
    ).to.not.have.property('runAsNonRoot');
    // A container that names its own non-root user still gets runAsNonRoot.
    const own = containerContext({
      securityContext: { runAsUser: 0 },
      containers: [{ name: 'a', securityContext: { runAsUser: 1000 } }],
    });
    expect(own.runAsNonRoot).to.equal(true);
  });
});
