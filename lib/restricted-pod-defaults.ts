// Restricted Pod Security defaults (https://kubernetes.io/docs/concepts/security/pod-security-standards/)
// filled in field by field wherever the user set nothing: a user who sets runAsUser keeps it and still
// gets seccomp and dropped capabilities. Applied to every container, sidecars included, because the
// restricted level is judged per pod: one privileged sidecar would fail the namespace's admission.
// Shared: the controller renders the MCP server's pod with them, and admission judges the pod the
// controller will render (webhook/rules/pod-security.ts), so a field left unset is judged as filled.
// A default that would contradict what the user wrote is left out: allowPrivilegeEscalation: false next
// to privileged: true or CAP_SYS_ADMIN (the API server rejects the pair), runAsNonRoot: true next to
// runAsUser: 0 (the kubelet would refuse to start it). Whether the user may write those is admission's
// call (the policy's Pod Security level), not something to break quietly here.
type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const dictsIn = (v: unknown): Dict[] => (Array.isArray(v) ? v.filter(isDict) : []);

// Functions, not constants: each call makes fresh objects, so no caller shares (or must clone) them.
// Admission computes these on every review with a pod template, and structuredClone cost more than
// all of its rules together.
const restrictedContainer = (): Dict => ({
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
});

const restrictedPod = (): Dict => ({
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
});

/** `defaults` under `given`: each key of defaults the user left undefined. */
function fillUnset(given: unknown, defaults: Dict): Dict {
  const result: Dict = isDict(given) ? { ...given } : {};
  for (const [key, value] of Object.entries(defaults)) {
    if (result[key] === undefined) result[key] = value;
  }
  return result;
}

const without = (defaults: Dict, key: string, when: boolean): Dict => {
  if (when) delete defaults[key];
  return defaults;
};

function addsSysAdmin(context: Dict): boolean {
  const add = isDict(context.capabilities) ? context.capabilities.add : undefined;
  return Array.isArray(add) && add.some((c) => c === 'SYS_ADMIN' || c === 'CAP_SYS_ADMIN');
}

function withContainerDefaults(container: Dict, podRunsAsRoot: boolean): Dict {
  const given = isDict(container.securityContext) ? container.securityContext : {};
  const runsAsRoot = given.runAsUser === 0 || (given.runAsUser === undefined && podRunsAsRoot);
  let defaults = without(
    restrictedContainer(),
    'allowPrivilegeEscalation',
    given.privileged === true || addsSysAdmin(given),
  );
  defaults = without(defaults, 'runAsNonRoot', runsAsRoot);
  return { ...container, securityContext: fillUnset(container.securityContext, defaults) };
}

/** The pod spec with restricted defaults; never changes a value the user wrote. */
export function withRestrictedDefaults(podSpec: Dict): Dict {
  const podContext = isDict(podSpec.securityContext) ? podSpec.securityContext : {};
  const podRunsAsRoot = podContext.runAsUser === 0;
  const podDefaults = without(restrictedPod(), 'runAsNonRoot', podRunsAsRoot);
  const result: Dict = { ...podSpec, securityContext: fillUnset(podSpec.securityContext, podDefaults) };
  for (const list of ['containers', 'initContainers'] as const) {
    if (Array.isArray(podSpec[list]))
      result[list] = dictsIn(podSpec[list]).map((c) => withContainerDefaults(c, podRunsAsRoot));
  }
  return result;
}
