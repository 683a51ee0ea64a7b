// The MCP server's pod against a Pod Security level, at admission: the stricter of the policy's
// podSecurityLevel (default baseline) and the namespace's own pod-security.kubernetes.io/enforce label.
// What is judged is the pod the controller will render, not the template as written: the operator's
// restricted defaults (lib/restricted-pod-defaults.ts) fill every field the user left unset, so a
// template that sets nothing passes even `restricted`, and only what the user asked for can fail.
// spec.volumes are ToolHive's host paths (the controller mounts each as a hostPath volume), so they are
// hostPath volumes here too, reported at spec.volumes[i]. Combinations the API server's own pod
// validation would refuse (pod-spec-consistency.ts) are refused here too, whatever the level, so the
// user sees them at `kubectl apply` rather than never (the StatefulSet apply fails in the controller).
import { withRestrictedDefaults } from '../../lib/restricted-pod-defaults.ts';
import type { AdmissionFacts } from '../facts.ts';
import { FieldPath, forbidden, goQuote, type FieldError } from '../field.ts';
import {
  policyPodSecurityLevel,
  stricterLevel,
  type AdmissionPolicy,
  type PodSecurityLevel,
} from '../policy.ts';
import { checkPodSecurityStandards } from './pod-security-standards.ts';
import { checkPodSpecConsistency } from './pod-spec-consistency.ts';
import { dict, dictsOf, isDict, specOf } from './shape.ts';

const SPEC = FieldPath.of('spec');

/** The level that applies, and where it comes from (for the messages). */
export function podSecurityLevelFor(
  policy: AdmissionPolicy,
  facts: AdmissionFacts,
): { level: PodSecurityLevel; source: string } {
  const fromPolicy = policyPodSecurityLevel(policy);
  const fromNamespace = facts.namespaceLevel;
  if (!fromNamespace || stricterLevel(fromPolicy, fromNamespace) === fromPolicy) {
    return { level: fromPolicy, source: 'policy podSecurityLevel' };
  }
  return { level: fromNamespace, source: 'the namespace label pod-security.kubernetes.io/enforce' };
}

function checkSpecVolumes(server: unknown, level: PodSecurityLevel, source: string, path: FieldPath) {
  if (level === 'privileged') return [];
  return dictsOf(specOf(server).volumes).map(([, i]) =>
    forbidden(
      path.child('volumes').index(i).child('hostPath'),
      `spec.volumes are mounted from the node's filesystem (hostPath), which Pod Security ${goQuote(level)} (${source}) does not allow; use a PersistentVolumeClaim in spec.podTemplateSpec`,
    ),
  );
}

export function checkPodSecurity(
  server: unknown,
  facts: AdmissionFacts,
  policy: AdmissionPolicy,
  path: FieldPath = SPEC,
): FieldError[] {
  const { level, source } = podSecurityLevelFor(policy, facts);
  const errors = checkSpecVolumes(server, level, source, path);
  const template = specOf(server).podTemplateSpec;
  if (!isDict(template) || !isDict(template.spec)) return errors;
  const templatePath = path.child('podTemplateSpec');
  const podPath = templatePath.child('spec');
  // The defaults only add restrictive values where nothing was written, and never one that contradicts
  // what was (lib/restricted-pod-defaults.ts), so they can neither cause nor cure a baseline violation or
  // an inconsistency: only `restricted`, which requires values, needs the pod with them filled in. Not
  // building it otherwise keeps the default level's reviews from copying every container.
  const effective = level === 'restricted' ? withRestrictedDefaults(template.spec) : template.spec;
  const metadata = dict(template.metadata);
  for (const error of checkPodSecurityStandards(
    effective,
    metadata,
    level,
    podPath,
    templatePath.child('metadata'),
  )) {
    errors.push(
      level === policyPodSecurityLevel(policy) ? error : { ...error, detail: `${error.detail} (${source})` },
    );
  }
  errors.push(...checkPodSpecConsistency(effective, podPath));
  return errors;
}
