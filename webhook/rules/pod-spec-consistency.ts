// Combinations in a pod template that the API server's pod validation rejects
// (k8s.io/kubernetes/pkg/apis/core/validation: ValidateSecurityContext, validatePodSpecSecurityContext,
// validateHostUsers, validatePodHostNetworkDeps, validateSeccompProfileField, ValidateAppArmorProfileField).
// spec.podTemplateSpec is free-form in the CRD, so without these the mistake surfaces only when the operator
// applies the StatefulSet, in the operator's log and the MCPServer's status, long after kubectl returned.
// Messages are the API server's own (v1.37.2, compared by server dry-run); paths name the v1 field the user
// wrote (the API server prints `HostPID` and `HostIPC` for two of them).
import { forbidden, invalid, notSupported, required, type FieldError, type FieldPath } from '../field.ts';
import { dict, dictsOf, isDict, type Dict } from './shape.ts';

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
const SECCOMP_TYPES = ['Localhost', 'RuntimeDefault', 'Unconfined'] as const;
const APPARMOR_TYPES = ['Localhost', 'RuntimeDefault', 'Unconfined'] as const;

/** Each container's securityContext (if it is an object) with its path. */
function containerContexts(podSpec: Dict, path: FieldPath): Array<[Dict, FieldPath]> {
  const out: Array<[Dict, FieldPath]> = [];
  for (const list of CONTAINER_LISTS) {
    for (const [container, i] of dictsOf(podSpec[list])) {
      if (isDict(container.securityContext)) {
        out.push([container.securityContext, path.child(list).index(i).child('securityContext')]);
      }
    }
  }
  return out;
}

/** allowPrivilegeEscalation: false contradicts privileged: true and an added CAP_SYS_ADMIN. */
function checkPrivilegeEscalation(sc: Dict, scPath: FieldPath): FieldError[] {
  if (sc.allowPrivilegeEscalation !== false) return [];
  const errors: FieldError[] = [];
  if (sc.privileged === true) {
    errors.push(
      invalid(scPath, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'),
    );
  }
  const add = dict(sc.capabilities).add;
  for (const cap of Array.isArray(add) ? add : []) {
    // The API server compares the exact string: "SYS_ADMIN" passes validation.
    if (cap !== 'CAP_SYS_ADMIN') continue;
    const detail = 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN';
    errors.push(invalid(scPath, sc, detail));
  }
  return errors;
}

function checkProcMount(sc: Dict, scPath: FieldPath, hostUsers: unknown): FieldError[] {
  if (sc.procMount !== 'Unmasked' || hostUsers === false) return [];
  return [invalid(scPath.child('procMount'), 'Unmasked', '`hostUsers` must be false to use `Unmasked`')];
}

type ProfileKind = 'seccomp' | 'AppArmor';

/** localhostProfile against a valid type: Localhost needs one, the other types must not have one. */
function checkLocalhostProfile(profile: Dict, path: FieldPath, kind: ProfileKind): FieldError[] {
  const { type, localhostProfile } = profile;
  const hasLocal = localhostProfile !== undefined && localhostProfile !== null;
  // An empty AppArmor localhostProfile counts as unset; an empty seccomp one is left to the path checks.
  if (type === 'Localhost' && (!hasLocal || (kind === 'AppArmor' && localhostProfile === ''))) {
    return [required(path, `must be set when ${kind} type is Localhost`)];
  }
  if (type === 'Localhost' || !hasLocal) return [];
  // seccomp's error shows the whole profile, AppArmor's the localhostProfile (as the API server does).
  const value = kind === 'seccomp' ? profile : localhostProfile;
  return [invalid(path, value, `can only be set when ${kind} type is Localhost`)];
}

/** A set seccompProfile or appArmorProfile needs a known type, and a localhostProfile exactly for Localhost. */
function checkProfile(profile: unknown, path: FieldPath, kind: ProfileKind, types: readonly string[]) {
  if (!isDict(profile)) return [];
  const type = profile.type;
  if (type === undefined || type === null || type === '') {
    const field = kind === 'seccomp' ? 'seccompProfile' : 'appArmorProfile';
    return [required(path.child('type'), `type is required when ${field} is set`)];
  }
  if (typeof type !== 'string' || !types.includes(type))
    return [notSupported(path.child('type'), type, types)];
  return checkLocalhostProfile(profile, path.child('localhostProfile'), kind);
}

function checkProfiles(sc: Dict, scPath: FieldPath): FieldError[] {
  return [
    ...checkProfile(sc.seccompProfile, scPath.child('seccompProfile'), 'seccomp', SECCOMP_TYPES),
    ...checkProfile(sc.appArmorProfile, scPath.child('appArmorProfile'), 'AppArmor', APPARMOR_TYPES),
  ];
}

/** hostUsers: false (a user namespace) cannot be combined with the host's other namespaces. */
function checkHostUsers(podSpec: Dict, path: FieldPath): FieldError[] {
  if (podSpec.hostUsers !== false) return [];
  return (['hostNetwork', 'hostPID', 'hostIPC'] as const)
    .filter((f) => podSpec[f] === true)
    .map((f) => forbidden(path.child(f), 'when `hostUsers` is false'));
}

function checkShareProcessNamespace(podSpec: Dict, path: FieldPath): FieldError[] {
  if (podSpec.shareProcessNamespace !== true || podSpec.hostPID !== true) return [];
  const detail = 'ShareProcessNamespace and HostPID cannot both be enabled';
  return [invalid(path.child('shareProcessNamespace'), true, detail)];
}

/**
 * With hostNetwork a container listens on the node's port, so a hostPort must equal its containerPort. In
 * a template (not a pod) hostPort 0 is allowed: it is defaulted when the pod is created. Only `containers`
 * are checked, as the API server does.
 */
function checkHostNetworkPorts(podSpec: Dict, path: FieldPath): FieldError[] {
  if (podSpec.hostNetwork !== true) return [];
  const errors: FieldError[] = [];
  for (const [container, i] of dictsOf(podSpec.containers)) {
    for (const [port, j] of dictsOf(container.ports)) {
      const hostPort = port.hostPort ?? 0;
      if (hostPort === 0 || hostPort === port.containerPort) continue;
      const field = path.child('containers').index(i).child('ports').index(j).child('hostPort');
      errors.push(invalid(field, hostPort, 'must match `containerPort` when `hostNetwork` is true'));
    }
  }
  return errors;
}

/** Combinations the API server's pod validation rejects, under `path` (the PodSpec's path). */
export function checkPodSpecConsistency(podSpec: Dict, path: FieldPath): FieldError[] {
  const podContext = dict(podSpec.securityContext);
  const errors = [
    ...checkHostUsers(podSpec, path),
    ...checkShareProcessNamespace(podSpec, path),
    ...checkHostNetworkPorts(podSpec, path),
    ...checkProfiles(podContext, path.child('securityContext')),
  ];
  for (const [sc, scPath] of containerContexts(podSpec, path)) {
    errors.push(
      ...checkPrivilegeEscalation(sc, scPath),
      ...checkProcMount(sc, scPath, podSpec.hostUsers),
      ...checkProfiles(sc, scPath),
    );
  }
  return errors;
}
