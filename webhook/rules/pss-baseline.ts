// The "baseline" level of the Kubernetes Pod Security Standards, check by check as
// k8s.io/pod-security-admission/policy implements them for `latest` (v1.37), so that a pod template the
// namespace's Pod Security admission would refuse is refused here, at kubectl time, with the field to fix.
// PSA reports one line per check ("host namespaces (hostNetwork=true)"); these report one FieldError per
// offending field, named after the level that forbids it. The container walk and the small readers the
// restricted level shares live here too (pss-restricted.ts imports them; nothing imports back).
import { forbidden, goQuote, type FieldError, type FieldPath } from '../field.ts';
import { dict, dictsOf, isDict, str, type Dict } from './shape.ts';

const BASELINE = 'Pod Security "baseline"';

/** Capabilities baseline lets a container add (PSA's capabilities_allowed_1_0, spelled exactly so). */
export const BASELINE_CAPABILITIES: readonly string[] = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

/** PSA's safe sysctls as of v1.37 (sysctlsAllowedV1Dot37: v1.0 set, +1.27, +1.29, +1.32, +1.37). */
export const SAFE_SYSCTLS: readonly string[] = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
  'net.ipv4.tcp_slow_start_after_idle',
  'net.ipv4.tcp_notsent_lowat',
];

/** SELinux types baseline allows ("" is unset; container_engine_t since v1.31). */
const SELINUX_TYPES: readonly string[] = [
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
];
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const APPARMOR_TYPES: readonly string[] = ['RuntimeDefault', 'Localhost'];
const HOST_NAMESPACES = ['hostNetwork', 'hostPID', 'hostIPC'] as const;
const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const LIFECYCLE_HANDLERS = ['postStart', 'preStop'] as const;

/** One container of any list with its securityContext (empty if unset) and their paths. */
export interface PodContainer {
  container: Dict;
  path: FieldPath;
  sc: Dict;
  scPath: FieldPath;
}

/** Every container in PSA's order: initContainers, containers, ephemeralContainers. */
export function podContainers(podSpec: Dict, path: FieldPath): PodContainer[] {
  const out: PodContainer[] = [];
  for (const list of CONTAINER_LISTS) {
    for (const [container, i] of dictsOf(podSpec[list])) {
      const p = path.child(list).index(i);
      out.push({
        container,
        path: p,
        sc: dict(container.securityContext),
        scPath: p.child('securityContext'),
      });
    }
  }
  return out;
}

/** The pod's securityContext and then each container's, with their paths. */
export function securityContexts(podSpec: Dict, path: FieldPath, containers: PodContainer[]) {
  const pod: [Dict, FieldPath] = [dict(podSpec.securityContext), path.child('securityContext')];
  return [pod, ...containers.map((c): [Dict, FieldPath] => [c.sc, c.scPath])];
}

/** hostUsers: false; PSA relaxes runAsNonRoot, runAsUser and (at baseline only) procMount for such pods. */
export const inUserNamespace = (podSpec: Dict): boolean => podSpec.hostUsers === false;

export const quoted = (values: readonly string[]): string => values.map(goQuote).join(', ');

/** A value for a message: strings quoted as Go does, anything else as JSON. */
export const shown = (value: unknown): string =>
  typeof value === 'string' ? goQuote(value) : (JSON.stringify(value) ?? 'null');

const present = (value: unknown): boolean => value !== undefined && value !== null;

function checkHostNamespaces(podSpec: Dict, path: FieldPath): FieldError[] {
  return HOST_NAMESPACES.filter((f) => podSpec[f] === true).map((f) =>
    forbidden(path.child(f), `host namespaces are not allowed by ${BASELINE}`),
  );
}

function checkPrivileged(containers: PodContainer[]): FieldError[] {
  return containers
    .filter((c) => c.sc.privileged === true)
    .map((c) =>
      forbidden(c.scPath.child('privileged'), `privileged containers are not allowed by ${BASELINE}`),
    );
}

function checkAddedCapabilities(containers: PodContainer[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const c of containers) {
    const add = dict(c.sc.capabilities).add;
    if (!Array.isArray(add)) continue;
    add.forEach((cap: unknown, j) => {
      if (typeof cap !== 'string' || BASELINE_CAPABILITIES.includes(cap)) return;
      const detail = `capability ${goQuote(cap)} is not allowed by ${BASELINE} (allowed: ${quoted(BASELINE_CAPABILITIES)})`;
      errors.push(forbidden(c.scPath.child('capabilities', 'add').index(j), detail));
    });
  }
  return errors;
}

function checkHostPathVolumes(podSpec: Dict, path: FieldPath): FieldError[] {
  return dictsOf(podSpec.volumes)
    .filter(([volume]) => present(volume.hostPath))
    .map(([, i]) =>
      forbidden(
        path.child('volumes').index(i).child('hostPath'),
        `hostPath volumes are not allowed by ${BASELINE}`,
      ),
    );
}

function checkHostPorts(containers: PodContainer[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const c of containers) {
    for (const [port, j] of dictsOf(c.container.ports)) {
      if (typeof port.hostPort !== 'number' || port.hostPort === 0) continue;
      const detail = `host ports are not allowed by ${BASELINE} (hostPort ${port.hostPort})`;
      errors.push(forbidden(c.path.child('ports').index(j).child('hostPort'), detail));
    }
  }
  return errors;
}

function checkAppArmorAnnotations(metadata: Dict, metadataPath: FieldPath): FieldError[] {
  const annotations = dict(metadata.annotations);
  const errors: FieldError[] = [];
  for (const key of Object.keys(annotations).sort()) {
    const value = annotations[key];
    if (!key.startsWith(APPARMOR_ANNOTATION) || typeof value !== 'string') continue;
    if (value === '' || value === 'runtime/default' || value.startsWith('localhost/')) continue;
    const detail = `AppArmor profile ${goQuote(value)} is not allowed by ${BASELINE} (allowed: "runtime/default", "localhost/<profile>")`;
    errors.push(forbidden(metadataPath.child('annotations').key(key), detail));
  }
  return errors;
}

function checkAppArmorProfiles(contexts: Array<[Dict, FieldPath]>): FieldError[] {
  const errors: FieldError[] = [];
  for (const [sc, scPath] of contexts) {
    if (!isDict(sc.appArmorProfile)) continue;
    const type = sc.appArmorProfile.type ?? '';
    if (typeof type === 'string' && APPARMOR_TYPES.includes(type)) continue;
    const detail = `AppArmor profile type ${shown(type)} is not allowed by ${BASELINE} (allowed: ${quoted(APPARMOR_TYPES)})`;
    errors.push(forbidden(scPath.child('appArmorProfile', 'type'), detail));
  }
  return errors;
}

function checkSELinux(contexts: Array<[Dict, FieldPath]>): FieldError[] {
  const errors: FieldError[] = [];
  for (const [sc, scPath] of contexts) {
    if (!isDict(sc.seLinuxOptions)) continue;
    const options = sc.seLinuxOptions;
    const optionsPath = scPath.child('seLinuxOptions');
    const type = options.type ?? '';
    if (type !== '' && !(typeof type === 'string' && SELINUX_TYPES.includes(type))) {
      const detail = `SELinux type ${shown(type)} is not allowed by ${BASELINE} (allowed: ${quoted(SELINUX_TYPES)})`;
      errors.push(forbidden(optionsPath.child('type'), detail));
    }
    for (const field of ['user', 'role'] as const) {
      const value = options[field] ?? '';
      if (value === '') continue;
      const detail = `a custom SELinux ${field} (${shown(value)}) is not allowed by ${BASELINE}`;
      errors.push(forbidden(optionsPath.child(field), detail));
    }
  }
  return errors;
}

function checkProcMount(podSpec: Dict, containers: PodContainer[]): FieldError[] {
  if (inUserNamespace(podSpec)) return [];
  return containers
    .filter((c) => present(c.sc.procMount) && c.sc.procMount !== 'Default')
    .map((c) => {
      const detail = `procMount ${shown(c.sc.procMount)} is not allowed by ${BASELINE} unless the pod sets hostUsers: false (allowed: "Default")`;
      return forbidden(c.scPath.child('procMount'), detail);
    });
}

function checkSeccompUnconfined(contexts: Array<[Dict, FieldPath]>): FieldError[] {
  return contexts
    .filter(([sc]) => dict(sc.seccompProfile).type === 'Unconfined')
    .map(([, scPath]) =>
      forbidden(
        scPath.child('seccompProfile', 'type'),
        `seccomp profile "Unconfined" is not allowed by ${BASELINE}`,
      ),
    );
}

function checkSysctls(podSpec: Dict, path: FieldPath): FieldError[] {
  const sysctlsPath = path.child('securityContext', 'sysctls');
  const errors: FieldError[] = [];
  for (const [sysctl, i] of dictsOf(dict(podSpec.securityContext).sysctls)) {
    const name = str(sysctl.name);
    if (name === undefined || SAFE_SYSCTLS.includes(name)) continue;
    const detail = `sysctl ${goQuote(name)} is not allowed by ${BASELINE} (safe sysctls: ${quoted(SAFE_SYSCTLS)})`;
    errors.push(forbidden(sysctlsPath.index(i).child('name'), detail));
  }
  return errors;
}

function checkHostProcess(contexts: Array<[Dict, FieldPath]>): FieldError[] {
  return contexts
    .filter(([sc]) => dict(sc.windowsOptions).hostProcess === true)
    .map(([, scPath]) =>
      forbidden(
        scPath.child('windowsOptions', 'hostProcess'),
        `Windows HostProcess containers are not allowed by ${BASELINE}`,
      ),
    );
}

/** httpGet.host and tcpSocket.host of one probe or lifecycle handler. */
function handlerHosts(handler: unknown, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  for (const kind of ['httpGet', 'tcpSocket'] as const) {
    const host = dict(dict(handler)[kind]).host;
    if (!present(host) || host === '') continue;
    const detail = `probe and lifecycle hosts are not allowed by ${BASELINE} (host ${shown(host)})`;
    errors.push(forbidden(path.child(kind, 'host'), detail));
  }
  return errors;
}

function checkProbeHosts(containers: PodContainer[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const c of containers) {
    for (const probe of PROBES) errors.push(...handlerHosts(c.container[probe], c.path.child(probe)));
    const lifecycle = dict(c.container.lifecycle);
    for (const handler of LIFECYCLE_HANDLERS) {
      errors.push(...handlerHosts(lifecycle[handler], c.path.child('lifecycle', handler)));
    }
  }
  return errors;
}

/** Every baseline check, in a fixed order (roughly PSA's check IDs), containers in PSA's order within each. */
export function checkBaseline(podSpec: Dict, metadata: Dict, path: FieldPath, metadataPath: FieldPath) {
  const containers = podContainers(podSpec, path);
  const contexts = securityContexts(podSpec, path, containers);
  return [
    ...checkAppArmorAnnotations(metadata, metadataPath),
    ...checkAppArmorProfiles(contexts),
    ...checkAddedCapabilities(containers),
    ...checkHostNamespaces(podSpec, path),
    ...checkHostPathVolumes(podSpec, path),
    ...checkHostPorts(containers),
    ...checkProbeHosts(containers),
    ...checkPrivileged(containers),
    ...checkProcMount(podSpec, containers),
    ...checkSELinux(contexts),
    ...checkSeccompUnconfined(contexts),
    ...checkSysctls(podSpec, path),
    ...checkHostProcess(contexts),
  ];
}
