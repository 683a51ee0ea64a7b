// The validating decision for the shared configs MCPServers name: MCPOIDCConfig and MCPAuthzConfig.
// Pure, all errors at once, like validate.ts for MCPServer:
// - MCPOIDCConfig: its schema; ToolHive's CEL rules (the member that type names is set, and only it,
//   with ToolHive's messages); issuer, JWKS and introspection URLs https unless inline.insecureAllowHTTP.
//   Its clientSecretRef and caBundleRef are not looked up here: the MCPServer that names the config is
//   reported by the controller (OIDCConfigRefValidated) when they are missing.
// - MCPAuthzConfig: its schema; type cedarv1 only (ToolHive's httpv1 calls out to an HTTP authorizer,
//   which this operator does not implement); its Cedar checked by lib/authz-config.ts, errors at
//   spec.config.policies[i] with line and column.
import { authzConfigFromSpec, checkCedarConfig } from '../../lib/authz-config.ts';
import { FieldPath, forbidden, notSupported, required } from '../field.ts';
import { checkConfigSchema } from '../schema-validation.ts';
import { privateIpWarnings } from './auth-warnings.ts';
import { cedarProblemErrors } from './cedar-problems.ts';
import type { ConfigVerdict } from './companions/verdict.ts';
import { dict, isDict, specOf } from './shape.ts';
import { checkEndpointUrls } from './urls.ts';

const SPEC = FieldPath.of('spec');

export type { ConfigVerdict } from './companions/verdict.ts';

const memberMessage = (member: string) =>
  `${member} must be set when type is '${member}', and must not be set otherwise`;

export function validateMCPOIDCConfig(object: unknown): ConfigVerdict {
  const errors = checkConfigSchema('MCPOIDCConfig', object);
  const spec = specOf(object);
  for (const member of ['kubernetesServiceAccount', 'inline'] as const) {
    const set = isDict(spec[member]);
    if (spec.type === member && !set) errors.push(required(SPEC.child(member), memberMessage(member)));
    if (spec.type !== member && set) errors.push(forbidden(SPEC.child(member), memberMessage(member)));
  }
  const warnings: string[] = [];
  if (isDict(spec.kubernetesServiceAccount))
    errors.push(
      ...checkEndpointUrls(spec.kubernetesServiceAccount, SPEC.child('kubernetesServiceAccount'), false),
    );
  if (isDict(spec.inline)) {
    errors.push(
      ...checkEndpointUrls(spec.inline, SPEC.child('inline'), spec.inline.insecureAllowHTTP === true),
    );
    warnings.push(...privateIpWarnings(spec.inline, 'spec.inline'));
  }
  return { errors, warnings };
}

// checkCedarConfig's paths (CedarAuthzConfig's keys) -> the snake_case keys of spec.config.
const CONFIG_NAMES: Record<string, (string | number)[]> = {
  policies: ['config', 'policies'],
  entitiesJson: ['config', 'entities_json'],
  groupClaimName: ['config', 'group_claim_name'],
  roleClaimName: ['config', 'role_claim_name'],
  groupEntityType: ['config', 'group_entity_type'],
};

export function validateMCPAuthzConfig(object: unknown): ConfigVerdict {
  const errors = checkConfigSchema('MCPAuthzConfig', object);
  const spec = specOf(object);
  if (typeof spec.type === 'string' && spec.type !== 'cedarv1') {
    errors.push(notSupported(SPEC.child('type'), spec.type, ['cedarv1']));
    return { errors, warnings: [] };
  }
  if (spec.type === 'cedarv1' && isDict(spec.config)) {
    const result = authzConfigFromSpec(spec);
    const problems = 'problems' in result ? result.problems : checkCedarConfig(result.config);
    const rename = 'problems' in result ? {} : CONFIG_NAMES;
    errors.push(...cedarProblemErrors(problems, SPEC, dict(spec), rename));
  }
  return { errors, warnings: [] };
}
