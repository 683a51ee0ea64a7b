import { expect } from 'chai';
import { SAFE_SYSCTLS } from '../../../../webhook/rules/pss-baseline.ts';
import type { Dict } from '../../../../webhook/rules/shape.ts';
import { BASELINE, BASELINE_CAPS, C0, check, container, pod, S, SYSCTLS } from './pss-pods.ts';

/** The same errors at baseline and at restricted (the pod breaks baseline only). */
const atBoth = (spec: Dict, metadata: Dict = {}): string[] => {
  const baseline = check(spec, 'baseline', metadata);
  expect(check(spec, 'restricted', metadata)).to.deep.equal(baseline);
  return baseline;
};

describe('Pod Security Standards: baseline', () => {
  it('forbids each host namespace', () => {
    expect(atBoth(pod({ hostNetwork: true, hostPID: true, hostIPC: true, hostUsers: true }))).to.deep.equal([
      `${S}.hostNetwork: Forbidden: host namespaces are not allowed by ${BASELINE}`,
      `${S}.hostPID: Forbidden: host namespaces are not allowed by ${BASELINE}`,
      `${S}.hostIPC: Forbidden: host namespaces are not allowed by ${BASELINE}`,
    ]);
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
    expect(check({ ...spec, hostUsers: false }, 'baseline')).to.deep.equal([]);
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
      `${S}.securityContext.sysctls[1].name: Forbidden: sysctl "vm.swappiness" is not allowed by ${BASELINE} (safe sysctls: ${SYSCTLS})`,
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
