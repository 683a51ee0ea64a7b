// Fields with which a pod would step outside what the operator sets up for it, denied unless the
// administrator's policy allows them, each with the reason:
//   nodeName          skips the scheduler, so taints, affinity and quotas that keep tenants apart do not apply
//   hostNetwork       the host's network: no NetworkPolicy reaches the pod, so neither the proxy-only ingress
//                     nor the permission profile's egress holds (whatever the Pod Security level)
//   a ServiceAccount  other than the one the operator makes (which has no role and no mounted token): the
//                     pod would act with whatever that account may do, e.g. the namespace's `default`
// These are the escapes Pod Security levels do not cover (nodeName and ServiceAccounts are not in them at
// all, and `privileged` allows hostNetwork), so they are separate policy keys (webhook/policy.ts).
import { FieldPath, forbidden, goQuote, type FieldError } from '../field.ts';
import type { AdmissionPolicy } from '../policy.ts';
import { podSpecOf } from './pod-template.ts';
import { specOf, str } from './shape.ts';

const SPEC = FieldPath.of('spec');

function checkNodeName(server: unknown, policy: AdmissionPolicy, podPath: FieldPath): FieldError[] {
  const nodeName = podSpecOf(server).nodeName;
  if (policy.allowNodeName || nodeName === undefined || nodeName === '') return [];
  const detail =
    'pinning the pod to a node bypasses the scheduler and its placement rules; not allowed unless policy allowNodeName is true';
  return [forbidden(podPath.child('nodeName'), detail)];
}

function checkHostNetwork(server: unknown, policy: AdmissionPolicy, podPath: FieldPath): FieldError[] {
  if (policy.allowHostNetwork || podSpecOf(server).hostNetwork !== true) return [];
  const detail =
    "the host's network is outside every NetworkPolicy, so neither the proxy-only ingress nor the permission profile would hold; not allowed unless policy allowHostNetwork is true";
  return [forbidden(podPath.child('hostNetwork'), detail)];
}

/** Every ServiceAccount the object asks the MCP server to run as, with where it asks. */
function requestedAccounts(server: unknown, path: FieldPath, podPath: FieldPath): Array<[string, FieldPath]> {
  const found: Array<[string, FieldPath]> = [];
  const fromSpec = str(specOf(server).serviceAccount);
  if (fromSpec) found.push([fromSpec, path.child('serviceAccount')]);
  const podSpec = podSpecOf(server);
  // serviceAccount is the deprecated alias the API server still honours when serviceAccountName is empty.
  for (const field of ['serviceAccountName', 'serviceAccount']) {
    const name = str(podSpec[field]);
    if (name) found.push([name, podPath.child(field)]);
  }
  return found;
}

function checkServiceAccounts(
  server: unknown,
  policy: AdmissionPolicy,
  path: FieldPath,
  podPath: FieldPath,
): FieldError[] {
  const allowed = policy.allowedServiceAccounts ?? [];
  if (allowed.includes('*')) return [];
  return requestedAccounts(server, path, podPath)
    .filter(([name]) => !allowed.includes(name))
    .map(([name, field]) => {
      const list = allowed.length > 0 ? allowed.map(goQuote).join(', ') : 'none';
      const detail = `ServiceAccount ${goQuote(name)} would give the MCP server that account's permissions; the operator makes one with none. Not allowed by policy allowedServiceAccounts (allowed: ${list})`;
      return forbidden(field, detail);
    });
}

export function checkPodEscapes(
  server: unknown,
  policy: AdmissionPolicy,
  path: FieldPath = SPEC,
): FieldError[] {
  const podPath = path.child('podTemplateSpec', 'spec');
  if (specOf(server).podTemplateSpec === undefined && !specOf(server).serviceAccount) return [];
  return [
    ...checkNodeName(server, policy, podPath),
    ...checkHostNetwork(server, policy, podPath),
    ...checkServiceAccounts(server, policy, path, podPath),
  ];
}
