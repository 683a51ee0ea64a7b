// The whole validating decision for one MCPServer: schema shape plus every rule, all errors at once
// (cert-manager's habit: a user fixes everything in one round trip). Pure: the cluster's answers arrive
// as AdmissionFacts (facts.ts) and the administrator's as AdmissionPolicy (policy.ts).
import type { AdmissionFacts } from './facts.ts';
import type { FieldError } from './field.ts';
import type { AdmissionPolicy } from './policy.ts';
import { authWarnings } from './rules/auth-warnings.ts';
import { checkAuthentication } from './rules/authentication.ts';
import { checkAuthorization } from './rules/authorization.ts';
import { checkCompanionReferences } from './rules/companion-references.ts';
import { checkExternalAuth } from './rules/external-auth.ts';
import { checkExposure } from './rules/exposure.ts';
import { checkName } from './rules/names.ts';
import { checkNamespace } from './rules/namespace.ts';
import { checkPermissionProfile } from './rules/permission-profile.ts';
import { checkPodEscapes } from './rules/pod-escapes.ts';
import { checkPodSecurity } from './rules/pod-security.ts';
import { checkPodTemplate } from './rules/pod-template.ts';
import { checkPolicy } from './rules/policy.ts';
import { checkProxyEdge } from './rules/proxy-edge.ts';
import { checkTransportAndPorts } from './rules/ports.ts';
import { checkResources } from './rules/resources.ts';
import { checkScaleOut } from './rules/scale-out.ts';
import { checkSecrets } from './rules/secrets.ts';
import { checkTenancyPolicy } from './rules/tenancy-policy.ts';
import { checkTelemetry, telemetryWarnings } from './rules/telemetry.ts';
import { checkToolConfig, toolConfigWarnings } from './rules/tool-config.ts';
import { toolConfigVsVerifiedWarnings } from './rules/tool-config-vs-verified.ts';
import { checkUnsupportedFields } from './rules/unsupported.ts';
import { warningsFor } from './rules/warnings.ts';
import { checkWebhookConfig } from './rules/webhook-config.ts';
import { checkSchema } from './schema-validation.ts';

export interface Verdict {
  errors: FieldError[];
  warnings: string[];
}

export function validateMCPServer(server: unknown, facts: AdmissionFacts, policy: AdmissionPolicy): Verdict {
  // One array, appended to: the rules almost always find nothing, and spreading ten empty arrays into a
  // new one cost more than most of the rules themselves.
  const errors = checkSchema(server);
  for (const found of [
    checkName(server),
    checkNamespace(server, policy),
    checkUnsupportedFields(server),
    checkTransportAndPorts(server),
    checkProxyEdge(server),
    checkScaleOut(server, facts),
    checkSecrets(server, facts),
    checkPermissionProfile(server, facts),
    checkResources(server),
    checkPodTemplate(server),
    checkPodSecurity(server, facts, policy),
    checkPodEscapes(server, policy),
    checkPolicy(server, policy),
    checkAuthentication(server, facts),
    checkAuthorization(server, facts),
    checkCompanionReferences(server, facts),
    checkToolConfig(server),
    checkExternalAuth(server, facts),
    checkWebhookConfig(server, facts),
    checkTelemetry(server),
    checkTenancyPolicy(server, policy),
    checkExposure(server, policy.exposure),
  ]) {
    if (found.length > 0) errors.push(...found);
  }
  const warnings = warningsFor(server);
  const auth = authWarnings(server);
  const tools = toolConfigWarnings(server);
  const more = [
    ...auth,
    ...tools,
    ...toolConfigVsVerifiedWarnings(server, facts),
    ...telemetryWarnings(server),
  ];
  return { errors, warnings: more.length > 0 ? [...warnings, ...more] : warnings };
}
