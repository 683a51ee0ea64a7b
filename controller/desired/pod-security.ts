// Restricted Pod Security defaults (https://kubernetes.io/docs/concepts/security/pod-security-standards/)
// filled in field by field wherever the user set nothing: a user who sets runAsUser keeps it and still
// gets seccomp and dropped capabilities. Applied to every container, sidecars included, because the
// restricted level is judged per pod: one privileged sidecar would fail the namespace's admission.
import { dictsIn, isDict, type Dict } from './types.ts';

const RESTRICTED_CONTAINER: Dict = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
};

const RESTRICTED_POD: Dict = {
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
};

/** `defaults` under `given`: each key of defaults the user left undefined. */
function fillUnset(given: unknown, defaults: Dict): Dict {
  const result: Dict = isDict(given) ? { ...given } : {};
  for (const [key, value] of Object.entries(defaults)) {
    if (result[key] === undefined) result[key] = structuredClone(value);
  }
  return result;
}

function withContainerDefaults(container: Dict): Dict {
  return { ...container, securityContext: fillUnset(container.securityContext, RESTRICTED_CONTAINER) };
}

/** The pod spec with restricted defaults; never changes a value the user wrote. */
export function withRestrictedDefaults(podSpec: Dict): Dict {
  const result: Dict = { ...podSpec, securityContext: fillUnset(podSpec.securityContext, RESTRICTED_POD) };
  for (const list of ['containers', 'initContainers'] as const) {
    if (Array.isArray(podSpec[list])) result[list] = dictsIn(podSpec[list]).map(withContainerDefaults);
  }
  return result;
}
