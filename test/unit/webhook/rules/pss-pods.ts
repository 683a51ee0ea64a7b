// Pod specs for the Pod Security Standards tests: a container and a pod that pass restricted, with fields
// replaced per case, a hostile pod, and the check as formatted error lines.
import { FieldPath, formatFieldError } from '../../../../webhook/field.ts';
import {
  checkPodSecurityStandards,
  type PodSecurityLevel,
} from '../../../../webhook/rules/pod-security-standards.ts';
import { BASELINE_CAPABILITIES, SAFE_SYSCTLS } from '../../../../webhook/rules/pss-baseline.ts';
import type { Dict } from '../../../../webhook/rules/shape.ts';

const SPEC = FieldPath.of('spec').child('podTemplateSpec', 'spec');
const META = FieldPath.of('spec').child('podTemplateSpec', 'metadata');
export const S = 'spec.podTemplateSpec.spec';
export const C0 = `${S}.containers[0].securityContext`;
export const BASELINE = 'Pod Security "baseline"';
export const RESTRICTED = 'Pod Security "restricted"';
export const BASELINE_CAPS = BASELINE_CAPABILITIES.map((c) => `"${c}"`).join(', ');
export const SYSCTLS = SAFE_SYSCTLS.map((s) => `"${s}"`).join(', ');

/** A container that passes restricted, with securityContext fields replaced by `sc`. */
export const container = (name: string, sc: Dict = {}): Dict => ({
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
export const pod = (spec: Dict = {}): Dict => ({ containers: [container('mcp')], ...spec });

/** The errors of `level` on a pod template, formatted as the API server prints them. */
export const check = (spec: Dict, level: PodSecurityLevel, metadata: Dict = {}): string[] =>
  checkPodSecurityStandards(spec, metadata, level, SPEC, META).map(formatFieldError);

/** hostPath `/`, hostNetwork, hostPID, privileged with SYS_ADMIN, runAsUser 0 and an unsafe sysctl. */
export function hostile(): Dict {
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
