// The Kubernetes Pod Security Standards as admission rules: a tenant who may create MCPServers must not get
// a pod the cluster's own Pod Security admission would refuse, nor one that is more privileged than the
// level the operator is configured for. checkPodSecurityStandards judges the pod spec it is given (the
// caller passes the effective one, with the operator's defaults filled in) against one level and reports
// every violation as a FieldError at the offending field. The checks follow
// k8s.io/pod-security-admission/policy for `latest` (v1.37): pss-baseline.ts and pss-restricted.ts.
import type { FieldError, FieldPath } from '../field.ts';
import { checkBaseline } from './pss-baseline.ts';
import { checkRestricted } from './pss-restricted.ts';
import type { Dict } from './shape.ts';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** The levels from the most permissive to the strictest. */
export const POD_SECURITY_LEVELS: readonly PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];

/** The stricter of two levels. */
export function stricterLevel(a: PodSecurityLevel, b: PodSecurityLevel): PodSecurityLevel {
  return POD_SECURITY_LEVELS.indexOf(a) >= POD_SECURITY_LEVELS.indexOf(b) ? a : b;
}

/**
 * Every check of `level` (restricted includes baseline) on a pod, as FieldErrors under `path` (the path of
 * the PodSpec, e.g. spec.podTemplateSpec.spec). `metadata` is the pod template's metadata (for the
 * AppArmor annotations), at `metadataPath`. The privileged level checks nothing.
 */
export function checkPodSecurityStandards(
  podSpec: Dict,
  metadata: Dict,
  level: PodSecurityLevel,
  path: FieldPath,
  metadataPath: FieldPath,
): FieldError[] {
  if (level === 'privileged') return [];
  const errors = checkBaseline(podSpec, metadata, path, metadataPath);
  if (level === 'restricted') errors.push(...checkRestricted(podSpec, path));
  return errors;
}
