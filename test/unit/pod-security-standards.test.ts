import { expect } from 'chai';
import { FieldPath, formatFieldError } from '../../webhook/field.ts';
import {
  checkPodSecurityStandards,
  POD_SECURITY_LEVELS,
  stricterLevel,
  type PodSecurityLevel,
} from '../../webhook/rules/pod-security-standards.ts';
import { BASELINE_CAPABILITIES, SAFE_SYSCTLS } from '../../webhook/rules/pss-baseline.ts';
import type { Dict } from '../../webhook/rules/shape.ts';

const SPEC = FieldPath.of('spec').child('podTemplateSpec', 'spec');
const META = FieldPath.of('spec').child('podTemplateSpec', 'metadata');
const S = 'spec.podTemplateSpec.spec';
const C0 = `${S}.containers[0].securityContext`;
const BASELINE = 'Pod Security "baseline"';
const RESTRICTED = 'Pod Security "restricted"';
const BASELINE_CAPS = BASELINE_CAPABILITIES.map((c) => `"${c}"`).join(', ');

/** A container that passes restricted, with securityContext fields replaced by `sc`. */
const container = (name: string, sc: Dict = {}): Dict => ({
  name,
  image: 'ghcr.io/example/mcp:1',
  securityContext: {
    allowPrivilegeEscalation: false,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
    ...sc,
  },
});
/** A pod whose one container passes restricted, with pod spec fields replaced by `spec`. */
const pod = (spec: Dict = {}): Dict => ({ containers: [container('mcp')], ...spec });
const check = (spec: Dict, level: PodSecurityLevel, metadata: Dict = {}): string[] =>
  checkPodSecurityStandards(spec, metadata, level, SPEC, META).map(formatFieldError);
/** The same errors at baseline and at restricted (the pod breaks baseline only). */
const atBoth = (spec: Dict, metadata: Dict = {}): string[] => {
  const baseline = check(spec, 'baseline', metadata);
  expect(check(spec, 'restricted', metadata)).to.deep.equal(baseline);
  return baseline;
};

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

  describe('baseline', () => {
    it('forbids each host namespace', () => {
      expect(atBoth(pod({ hostNetwork: true, hostPID: true, hostIPC: true, hostUsers: true }))).to.deep.equal(
        [
          `${S}.hostNetwork: Forbidden: host namespaces are not allowed by ${BASELINE}`,
          `${S}.hostPID: Forbidden: host namespaces are not allowed by ${BASELINE}`,
          `${S}.hostIPC: Forbidden: host namespaces are not allowed by ${BASELINE}`,
        ],
      );
      expect(check(pod({ hostNetwork: false, hostPID: false }), 'restricted')).to.deep.equal([]);
    });

    it('forbids privileged containers, init and ephemeral ones too', () => {
      const spec = pod({
        initContainers: [container('init', { privileged: true })],
        ephemeralContainers: [container('debug', { privileged: true })],
        containers: [container('mcp', { privileged: false })],
      });
      expect(atBoth(spec)).to.deep.equal([
        `${S}.initContainers[0].securityContext.privileged: Forbidden: privileged containers are not allowed by ${BASELINE}`,
        `${S}.ephemeralContainers[0].securityContext.privileged: Forbidden: privileged containers are not allowed by ${BASELINE}`,
      ]);
    });

    it('forbids adding capabilities outside the default set, spelled exactly', () => {
      const spec = pod({
        containers: [
          container('mcp', { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE', 'SYS_ADMIN'] } }),
        ],
      });
      expect(atBoth(spec)).to.deep.equal([
        `${C0}.capabilities.add[1]: Forbidden: capability "SYS_ADMIN" is not allowed by ${BASELINE} (allowed: ${BASELINE_CAPS})`,
      ]);
      const prefixed = pod({
        containers: [container('mcp', { capabilities: { drop: ['ALL'], add: ['CAP_CHOWN'] } })],
      });
      expect(check(prefixed, 'baseline')).to.have.length(1);
    });

    it('forbids hostPath volumes', () => {
      const spec = pod({
        volumes: [
          { name: 'tmp', emptyDir: {} },
          { name: 'host', hostPath: { path: '/var' } },
        ],
      });
      expect(atBoth(spec)).to.deep.equal([
        `${S}.volumes[1].hostPath: Forbidden: hostPath volumes are not allowed by ${BASELINE}`,
      ]);
    });

    it('forbids host ports, not container ports', () => {
      const spec = pod({
        containers: [
          { ...container('mcp'), ports: [{ containerPort: 8080 }, { containerPort: 8081, hostPort: 9000 }] },
        ],
      });
      expect(atBoth(spec)).to.deep.equal([
        `${S}.containers[0].ports[1].hostPort: Forbidden: host ports are not allowed by ${BASELINE} (hostPort 9000)`,
      ]);
    });

    it('forbids overriding AppArmor, by annotation or field', () => {
      const metadata = {
        annotations: {
          'container.apparmor.security.beta.kubernetes.io/mcp': 'unconfined',
          'container.apparmor.security.beta.kubernetes.io/init': 'localhost/mine',
          'container.apparmor.security.beta.kubernetes.io/other': 'runtime/default',
        },
      };
      const spec = pod({
        securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'mine' } },
        containers: [container('mcp', { appArmorProfile: { type: 'Unconfined' } })],
      });
      expect(atBoth(spec, metadata)).to.deep.equal([
        `spec.podTemplateSpec.metadata.annotations[container.apparmor.security.beta.kubernetes.io/mcp]: Forbidden: AppArmor profile "unconfined" is not allowed by ${BASELINE} (allowed: "runtime/default", "localhost/<profile>")`,
        `${C0}.appArmorProfile.type: Forbidden: AppArmor profile type "Unconfined" is not allowed by ${BASELINE} (allowed: "RuntimeDefault", "Localhost")`,
      ]);
    });

    it('forbids custom SELinux types, users and roles', () => {
      const spec = pod({
        securityContext: { seLinuxOptions: { type: 'container_engine_t', level: 's0:c1,c2' } },
        containers: [
          container('mcp', { seLinuxOptions: { type: 'spc_t', user: 'system_u', role: 'system_r' } }),
        ],
      });
      expect(atBoth(spec)).to.deep.equal([
        `${C0}.seLinuxOptions.type: Forbidden: SELinux type "spc_t" is not allowed by ${BASELINE} (allowed: "container_t", "container_init_t", "container_kvm_t", "container_engine_t")`,
        `${C0}.seLinuxOptions.user: Forbidden: a custom SELinux user ("system_u") is not allowed by ${BASELINE}`,
        `${C0}.seLinuxOptions.role: Forbidden: a custom SELinux role ("system_r") is not allowed by ${BASELINE}`,
      ]);
    });

    it('forbids an unmasked /proc, except in a user namespace', () => {
      const spec = pod({ containers: [container('mcp', { procMount: 'Unmasked' })] });
      expect(atBoth(spec)).to.deep.equal([
        `${C0}.procMount: Forbidden: procMount "Unmasked" is not allowed by ${BASELINE} unless the pod sets hostUsers: false (allowed: "Default")`,
      ]);
      expect(check({ ...spec, hostUsers: false }, 'restricted')).to.deep.equal([]);
      expect(
        check(pod({ containers: [container('mcp', { procMount: 'Default' })] }), 'restricted'),
      ).to.deep.equal([]);
    });

    it('forbids seccomp Unconfined, on the pod or a container', () => {
      const spec = pod({
        securityContext: { seccompProfile: { type: 'Unconfined' } },
        containers: [container('mcp', { seccompProfile: { type: 'Unconfined' } })],
      });
      expect(atBoth(spec)).to.deep.equal([
        `${S}.securityContext.seccompProfile.type: Forbidden: seccomp profile "Unconfined" is not allowed by ${BASELINE}`,
        `${C0}.seccompProfile.type: Forbidden: seccomp profile "Unconfined" is not allowed by ${BASELINE}`,
      ]);
    });

    it('forbids sysctls outside the safe set of v1.37', () => {
      const safe = SAFE_SYSCTLS.map((name) => ({ name, value: '1' }));
      expect(check(pod({ securityContext: { sysctls: safe } }), 'restricted')).to.deep.equal([]);
      expect(SAFE_SYSCTLS).to.include.members(['net.ipv4.tcp_rmem', 'net.ipv4.tcp_notsent_lowat']);
      const spec = pod({
        securityContext: { sysctls: [{ name: 'net.ipv4.tcp_syncookies' }, { name: 'vm.swappiness' }] },
      });
      expect(atBoth(spec)).to.deep.equal([
        `${S}.securityContext.sysctls[1].name: Forbidden: sysctl "vm.swappiness" is not allowed by ${BASELINE} (safe sysctls: ${SAFE_SYSCTLS.map((s) => `"${s}"`).join(', ')})`,
      ]);
    });

    it('forbids Windows HostProcess containers', () => {
      const spec = pod({ securityContext: { windowsOptions: { hostProcess: true } } });
      expect(atBoth(spec)).to.deep.equal([
        `${S}.securityContext.windowsOptions.hostProcess: Forbidden: Windows HostProcess containers are not allowed by ${BASELINE}`,
      ]);
    });

    it('forbids hosts in probes and lifecycle handlers', () => {
      const spec = pod({
        containers: [
          {
            ...container('mcp'),
            livenessProbe: { httpGet: { port: 8080, host: '169.254.169.254' } },
            readinessProbe: { tcpSocket: { port: 8080, host: '' } },
            lifecycle: { preStop: { tcpSocket: { port: 22, host: 'node' } } },
          },
        ],
      });
      expect(atBoth(spec)).to.deep.equal([
        `${S}.containers[0].livenessProbe.httpGet.host: Forbidden: probe and lifecycle hosts are not allowed by ${BASELINE} (host "169.254.169.254")`,
        `${S}.containers[0].lifecycle.preStop.tcpSocket.host: Forbidden: probe and lifecycle hosts are not allowed by ${BASELINE} (host "node")`,
      ]);
    });
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
      `${S}.securityContext.sysctls[0].name: Forbidden: sysctl "kernel.msgmax" is not allowed by ${BASELINE} (safe sysctls: ${SAFE_SYSCTLS.map((s) => `"${s}"`).join(', ')})`,
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

/** hostPath `/`, hostNetwork, hostPID, privileged with SYS_ADMIN, runAsUser 0 and an unsafe sysctl. */
function hostile(): Dict {
  return {
    hostNetwork: true,
    hostPID: true,
    securityContext: {
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
      sysctls: [{ name: 'kernel.msgmax', value: '65536' }],
    },
    containers: [
      container('mcp', {
        privileged: true,
        allowPrivilegeEscalation: true,
        runAsUser: 0,
        capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] },
      }),
    ],
    volumes: [{ name: 'host', hostPath: { path: '/' } }],
  };
}
