// What the "restricted" level of the Pod Security Standards adds to baseline, as
// k8s.io/pod-security-admission/policy implements it for `latest` (v1.37). A field baseline already
// reports (a hostPath volume, an added SYS_ADMIN, seccomp Unconfined) is not reported again here.
// Container settings override the pod's exactly as PSA computes them: runAsNonRoot and seccompProfile may
// be set once on the pod, and a container that sets its own value is judged by that value alone.
// Pods with spec.os.name windows skip allowPrivilegeEscalation, seccomp and capabilities (as in PSA
// v1.25+), and pods with hostUsers: false skip runAsNonRoot and runAsUser (PSA v1.34+) but not procMount,
// which baseline relaxes for them and restricted (v1.35+) does not.
import { type FieldPath, forbidden, goQuote, required, type FieldError } from '../field.ts';
import {
  BASELINE_CAPABILITIES,
  inUserNamespace,
  podContainers,
  quoted,
  securityContexts,
  shown,
  type PodContainer,
} from './pss-baseline.ts';
import { dict, dictsOf, isDict, str, type Dict } from './shape.ts';

const RESTRICTED = 'Pod Security "restricted"';

/** Volume sources restricted allows (image since v1.33); hostPath is baseline's to report. */
export const RESTRICTED_VOLUME_TYPES: readonly string[] = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
const SECCOMP_TYPES: readonly string[] = ['RuntimeDefault', 'Localhost'];

const isWindows = (podSpec: Dict): boolean => dict(podSpec.os).name === 'windows';

/** Containers named in a message: `container "a"` or `containers "a", "b"`. */
function containerNames(containers: PodContainer[]): string {
  const names = containers.map((c) => str(c.container.name) ?? '');
  return `${names.length === 1 ? 'container' : 'containers'} ${quoted(names)}`;
}

function checkVolumeTypes(podSpec: Dict, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  for (const [volume, i] of dictsOf(podSpec.volumes)) {
    for (const [type, source] of Object.entries(volume)) {
      if (type === 'name' || type === 'hostPath' || RESTRICTED_VOLUME_TYPES.includes(type)) continue;
      if (source === undefined || source === null) continue;
      const detail = `${goQuote(type)} volumes are not allowed by ${RESTRICTED} (allowed: ${quoted(RESTRICTED_VOLUME_TYPES)})`;
      errors.push(forbidden(path.child('volumes').index(i).child(type), detail));
    }
  }
  return errors;
}

function checkAllowPrivilegeEscalation(podSpec: Dict, containers: PodContainer[]): FieldError[] {
  if (isWindows(podSpec)) return [];
  const errors: FieldError[] = [];
  for (const c of containers) {
    const value = c.sc.allowPrivilegeEscalation;
    if (value === false) continue;
    const field = c.scPath.child('allowPrivilegeEscalation');
    if (value === true) {
      errors.push(forbidden(field, `allowPrivilegeEscalation: true is not allowed by ${RESTRICTED}`));
    } else {
      errors.push(required(field, `${RESTRICTED} requires allowPrivilegeEscalation: false`));
    }
  }
  return errors;
}

function checkRunAsNonRoot(podSpec: Dict, path: FieldPath, containers: PodContainer[]): FieldError[] {
  if (inUserNamespace(podSpec)) return [];
  const podField = path.child('securityContext', 'runAsNonRoot');
  const podValue = dict(podSpec.securityContext).runAsNonRoot;
  const errors: FieldError[] = [];
  if (podValue === false)
    errors.push(forbidden(podField, `runAsNonRoot: false is not allowed by ${RESTRICTED}`));
  for (const c of containers) {
    if (c.sc.runAsNonRoot !== false) continue;
    const detail = `runAsNonRoot: false is not allowed by ${RESTRICTED}`;
    errors.push(forbidden(c.scPath.child('runAsNonRoot'), detail));
  }
  // Containers that leave it unset inherit the pod's value; when the pod does not say true, they are root.
  const unset = containers.filter((c) => typeof c.sc.runAsNonRoot !== 'boolean');
  if (podValue !== true && podValue !== false && unset.length > 0) {
    const detail = `${RESTRICTED} requires runAsNonRoot: true here or in every container (${containerNames(unset)} ${unset.length === 1 ? 'does' : 'do'} not set it)`;
    errors.push(required(podField, detail));
  }
  return errors;
}

/** Baseline lets a user-namespaced pod unmask /proc; restricted never does. */
function checkProcMount(podSpec: Dict, containers: PodContainer[]): FieldError[] {
  if (!inUserNamespace(podSpec)) return []; // baseline reported these
  return containers
    .filter((c) => c.sc.procMount !== undefined && c.sc.procMount !== null && c.sc.procMount !== 'Default')
    .map((c) => {
      const detail = `procMount ${shown(c.sc.procMount)} is not allowed by ${RESTRICTED} (allowed: "Default")`;
      return forbidden(c.scPath.child('procMount'), detail);
    });
}

function checkRunAsUser(podSpec: Dict, path: FieldPath, containers: PodContainer[]): FieldError[] {
  if (inUserNamespace(podSpec)) return [];
  return securityContexts(podSpec, path, containers)
    .filter(([sc]) => sc.runAsUser === 0)
    .map(([, scPath]) =>
      forbidden(scPath.child('runAsUser'), `runAsUser: 0 (root) is not allowed by ${RESTRICTED}`),
    );
}

/** One explicitly set seccompProfile: its type must be RuntimeDefault or Localhost (Unconfined is baseline's). */
function seccompTypeError(profile: Dict, scPath: FieldPath): FieldError[] {
  const field = scPath.child('seccompProfile', 'type');
  const type = profile.type;
  if (type === undefined || type === null || type === '') {
    return [required(field, `${RESTRICTED} requires seccomp profile type ${quoted(SECCOMP_TYPES)}`)];
  }
  if (type === 'Unconfined' || (typeof type === 'string' && SECCOMP_TYPES.includes(type))) return [];
  const detail = `seccomp profile type ${shown(type)} is not allowed by ${RESTRICTED} (allowed: ${quoted(SECCOMP_TYPES)})`;
  return [forbidden(field, detail)];
}

function checkSeccomp(podSpec: Dict, path: FieldPath, containers: PodContainer[]): FieldError[] {
  if (isWindows(podSpec)) return [];
  const podContext = dict(podSpec.securityContext);
  const podPath = path.child('securityContext');
  const errors = isDict(podContext.seccompProfile)
    ? seccompTypeError(podContext.seccompProfile, podPath)
    : [];
  for (const c of containers) {
    if (isDict(c.sc.seccompProfile)) errors.push(...seccompTypeError(c.sc.seccompProfile, c.scPath));
  }
  // A pod that sets its profile (rightly or wrongly) is reported above; one that sets none must have
  // every container set its own.
  const unset = containers.filter((c) => !isDict(c.sc.seccompProfile));
  if (!isDict(podContext.seccompProfile) && unset.length > 0) {
    const detail = `${RESTRICTED} requires seccomp profile type ${quoted(SECCOMP_TYPES)} here or in every container (${containerNames(unset)} ${unset.length === 1 ? 'does' : 'do'} not set it)`;
    errors.push(required(podPath.child('seccompProfile', 'type'), detail));
  }
  return errors;
}

function checkCapabilities(podSpec: Dict, containers: PodContainer[]): FieldError[] {
  if (isWindows(podSpec)) return [];
  const errors: FieldError[] = [];
  for (const c of containers) {
    const capabilities = dict(c.sc.capabilities);
    const capabilitiesPath = c.scPath.child('capabilities');
    if (!(Array.isArray(capabilities.drop) && capabilities.drop.includes('ALL'))) {
      errors.push(required(capabilitiesPath.child('drop'), `${RESTRICTED} requires dropping "ALL"`));
    }
    const add: unknown[] = Array.isArray(capabilities.add) ? capabilities.add : [];
    add.forEach((cap, j) => {
      // Capabilities outside baseline's set are baseline's to report.
      if (typeof cap !== 'string' || cap === 'NET_BIND_SERVICE' || !BASELINE_CAPABILITIES.includes(cap))
        return;
      const detail = `capability ${goQuote(cap)} is not allowed by ${RESTRICTED} (only "NET_BIND_SERVICE" may be added)`;
      errors.push(forbidden(capabilitiesPath.child('add').index(j), detail));
    });
  }
  return errors;
}

/** The checks restricted adds to baseline. */
export function checkRestricted(podSpec: Dict, path: FieldPath): FieldError[] {
  const containers = podContainers(podSpec, path);
  return [
    ...checkVolumeTypes(podSpec, path),
    ...checkAllowPrivilegeEscalation(podSpec, containers),
    ...checkRunAsNonRoot(podSpec, path, containers),
    ...checkRunAsUser(podSpec, path, containers),
    ...checkProcMount(podSpec, containers),
    ...checkSeccomp(podSpec, path, containers),
    ...checkCapabilities(podSpec, containers),
  ];
}
