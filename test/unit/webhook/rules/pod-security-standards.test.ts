import { expect } from 'chai';
import { POD_SECURITY_LEVELS, stricterLevel } from '../../../../webhook/rules/pod-security-standards.ts';
import type { Dict } from '../../../../webhook/rules/shape.ts';
import {
  BASELINE,
  BASELINE_CAPS,
  C0,
  check,
  container,
  hostile,
  pod,
  RESTRICTED,
  S,
  SYSCTLS,
} from './pss-pods.ts';

describe('Pod Security Standards', () => {
  it('orders the levels and picks the stricter', () => {
    expect(POD_SECURITY_LEVELS).to.deep.equal(['privileged', 'baseline', 'restricted']);
    expect(stricterLevel('baseline', 'restricted')).to.equal('restricted');
    expect(stricterLevel('restricted', 'privileged')).to.equal('restricted');
    expect(stricterLevel('privileged', 'baseline')).to.equal('baseline');
    expect(stricterLevel('privileged', 'privileged')).to.equal('privileged');
  });

  it('passes a pod with every restricted setting, at every level', () => {
    const spec = pod({ initContainers: [container('init')], volumes: [{ name: 'tmp', emptyDir: {} }] });
    for (const level of POD_SECURITY_LEVELS) expect(check(spec, level)).to.deep.equal([]);
  });

  it('checks nothing at privileged', () => {
    expect(check(hostile(), 'privileged')).to.deep.equal([]);
  });

  it('passes a default pod at baseline but not at restricted', () => {
    const spec = { containers: [{ name: 'mcp', image: 'x' }] };
    expect(check(spec, 'baseline')).to.deep.equal([]);
    expect(check(spec, 'restricted')).to.deep.equal([
      `${C0}.allowPrivilegeEscalation: Required value: ${RESTRICTED} requires allowPrivilegeEscalation: false`,
      `${S}.securityContext.runAsNonRoot: Required value: ${RESTRICTED} requires runAsNonRoot: true here or in every container (container "mcp" does not set it)`,
      `${S}.securityContext.seccompProfile.type: Required value: ${RESTRICTED} requires seccomp profile type "RuntimeDefault", "Localhost" here or in every container (container "mcp" does not set it)`,
      `${C0}.capabilities.drop: Required value: ${RESTRICTED} requires dropping "ALL"`,
    ]);
  });

  describe('restricted', () => {
    it('limits volume types (a hostPath is reported once, by baseline)', () => {
      const spec = pod({
        volumes: [
          { name: 'img', image: { reference: 'ghcr.io/example/data:1' } },
          { name: 'nfs', nfs: { server: 'nfs', path: '/' } },
          { name: 'host', hostPath: { path: '/' } },
        ],
      });
      const allowed =
        '"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"';
      const hostPath = `${S}.volumes[2].hostPath: Forbidden: hostPath volumes are not allowed by ${BASELINE}`;
      expect(check(spec, 'baseline')).to.deep.equal([hostPath]);
      expect(check(spec, 'restricted')).to.deep.equal([
        hostPath,
        `${S}.volumes[1].nfs: Forbidden: "nfs" volumes are not allowed by ${RESTRICTED} (allowed: ${allowed})`,
      ]);
    });

    it('requires allowPrivilegeEscalation: false in every container', () => {
      const spec = pod({
        initContainers: [container('init', { allowPrivilegeEscalation: true })],
        containers: [container('mcp', { allowPrivilegeEscalation: undefined })],
      });
      expect(check(spec, 'baseline')).to.deep.equal([]);
      expect(check(spec, 'restricted')).to.deep.equal([
        `${S}.initContainers[0].securityContext.allowPrivilegeEscalation: Forbidden: allowPrivilegeEscalation: true is not allowed by ${RESTRICTED}`,
        `${C0}.allowPrivilegeEscalation: Required value: ${RESTRICTED} requires allowPrivilegeEscalation: false`,
      ]);
    });

    it('lets a container override the pod runAsNonRoot, and reports the container', () => {
      const spec = pod({
        securityContext: { runAsNonRoot: true },
        containers: [
          container('mcp', { runAsNonRoot: undefined }),
          container('sidecar', { runAsNonRoot: false }),
        ],
      });
      expect(check(spec, 'baseline')).to.deep.equal([]);
      expect(check(spec, 'restricted')).to.deep.equal([
        `${S}.containers[1].securityContext.runAsNonRoot: Forbidden: runAsNonRoot: false is not allowed by ${RESTRICTED}`,
      ]);
    });

    it('requires runAsNonRoot: true on the pod or in every container', () => {
      const unset = { runAsNonRoot: undefined };
      const spec = pod({ containers: [container('mcp'), container('a', unset), container('b', unset)] });
      expect(check(spec, 'restricted')).to.deep.equal([
        `${S}.securityContext.runAsNonRoot: Required value: ${RESTRICTED} requires runAsNonRoot: true here or in every container (containers "a", "b" do not set it)`,
      ]);
      const podFalse = pod({
        securityContext: { runAsNonRoot: false },
        containers: [container('mcp', unset)],
      });
      expect(check(podFalse, 'restricted')).to.deep.equal([
        `${S}.securityContext.runAsNonRoot: Forbidden: runAsNonRoot: false is not allowed by ${RESTRICTED}`,
      ]);
    });

    it('forbids runAsUser 0 on the pod or a container', () => {
      const spec = pod({
        securityContext: { runAsUser: 0 },
        containers: [container('mcp', { runAsUser: 0 }), container('ok', { runAsUser: 1000 })],
      });
      expect(check(spec, 'baseline')).to.deep.equal([]);
      expect(check(spec, 'restricted')).to.deep.equal([
        `${S}.securityContext.runAsUser: Forbidden: runAsUser: 0 (root) is not allowed by ${RESTRICTED}`,
        `${C0}.runAsUser: Forbidden: runAsUser: 0 (root) is not allowed by ${RESTRICTED}`,
      ]);
    });

    it('forbids an unmasked /proc even in a user namespace, unlike baseline', () => {
      const spec = pod({ hostUsers: false, containers: [container('mcp', { procMount: 'Unmasked' })] });
      expect(check(spec, 'baseline')).to.deep.equal([]);
      expect(check(spec, 'restricted')).to.deep.equal([
        `${C0}.procMount: Forbidden: procMount "Unmasked" is not allowed by ${RESTRICTED} (allowed: "Default")`,
      ]);
    });

    it('relaxes runAsNonRoot and runAsUser for a pod in a user namespace', () => {
      const spec = pod({
        hostUsers: false,
        containers: [container('mcp', { runAsNonRoot: false, runAsUser: 0 })],
      });
      expect(check(spec, 'restricted')).to.deep.equal([]);
    });

    it('requires seccomp RuntimeDefault or Localhost, set once on the pod or in every container', () => {
      const unset = { seccompProfile: undefined };
      const onPod = pod({
        securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          container('mcp', unset),
          container('local', { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } }),
        ],
      });
      expect(check(onPod, 'restricted')).to.deep.equal([]);
      const partly = pod({ containers: [container('mcp'), container('a', unset)] });
      expect(check(partly, 'restricted')).to.deep.equal([
        `${S}.securityContext.seccompProfile.type: Required value: ${RESTRICTED} requires seccomp profile type "RuntimeDefault", "Localhost" here or in every container (container "a" does not set it)`,
      ]);
      const unknown = pod({ containers: [container('mcp', { seccompProfile: { type: 'Whatever' } })] });
      expect(check(unknown, 'baseline')).to.deep.equal([]);
      expect(check(unknown, 'restricted')).to.deep.equal([
        `${C0}.seccompProfile.type: Forbidden: seccomp profile type "Whatever" is not allowed by ${RESTRICTED} (allowed: "RuntimeDefault", "Localhost")`,
      ]);
    });

    it('requires dropping ALL and adding at most NET_BIND_SERVICE', () => {
      const spec = pod({
        containers: [
          container('mcp', { capabilities: { drop: ['NET_RAW'], add: ['NET_BIND_SERVICE', 'CHOWN'] } }),
          container('ok', { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }),
        ],
      });
      expect(check(spec, 'baseline')).to.deep.equal([]);
      expect(check(spec, 'restricted')).to.deep.equal([
        `${C0}.capabilities.drop: Required value: ${RESTRICTED} requires dropping "ALL"`,
        `${C0}.capabilities.add[1]: Forbidden: capability "CHOWN" is not allowed by ${RESTRICTED} (only "NET_BIND_SERVICE" may be added)`,
      ]);
    });

    it('skips the Linux-only checks for a Windows pod, as PSA does', () => {
      const spec = {
        os: { name: 'windows' },
        securityContext: { runAsNonRoot: true },
        containers: [{ name: 'mcp' }],
      };
      expect(check(spec, 'restricted')).to.deep.equal([]);
    });
  });

  it('reports every error of a hostile pod at once, at the exact fields', () => {
    const baseline = [
      `${C0}.capabilities.add[0]: Forbidden: capability "SYS_ADMIN" is not allowed by ${BASELINE} (allowed: ${BASELINE_CAPS})`,
      `${S}.hostNetwork: Forbidden: host namespaces are not allowed by ${BASELINE}`,
      `${S}.hostPID: Forbidden: host namespaces are not allowed by ${BASELINE}`,
      `${S}.volumes[0].hostPath: Forbidden: hostPath volumes are not allowed by ${BASELINE}`,
      `${C0}.privileged: Forbidden: privileged containers are not allowed by ${BASELINE}`,
      `${S}.securityContext.sysctls[0].name: Forbidden: sysctl "kernel.msgmax" is not allowed by ${BASELINE} (safe sysctls: ${SYSCTLS})`,
    ];
    expect(check(hostile(), 'baseline')).to.deep.equal(baseline);
    expect(check(hostile(), 'restricted')).to.deep.equal([
      ...baseline,
      `${C0}.allowPrivilegeEscalation: Forbidden: allowPrivilegeEscalation: true is not allowed by ${RESTRICTED}`,
      `${C0}.runAsUser: Forbidden: runAsUser: 0 (root) is not allowed by ${RESTRICTED}`,
    ]);
  });

  it('never throws on malformed input', () => {
    const junk: Dict = {
      hostNetwork: 'yes',
      securityContext: 'x',
      containers: [
        null,
        1,
        { securityContext: [], ports: 'x', capabilities: 5 },
        { securityContext: { capabilities: { add: [1, null] } } },
      ],
      volumes: [null, { name: 'v', nfs: null }],
    };
    for (const level of POD_SECURITY_LEVELS)
      expect(() => check(junk, level, { annotations: 'x' })).not.to.throw();
  });
});
