// The validating review of the kinds MCPServers name (MCPOIDCConfig, MCPAuthzConfig and the companions of
// rules/companions/: CREATE and UPDATE), on their own admission paths (paths.ts). Pure and without lookups: a config is checked on its own (rules/auth-configs.ts);
// whether the MCPServers naming it can use it is for their admission and the controller's conditions.
// DELETE is never reviewed: deleting a config that servers name is allowed, and the controller reports
// it on those servers (and their proxies keep the configuration they had).
import { allow, badRequest, deny, parseReview, type ReviewResult } from './review.ts';
import { validateMCPAuthzConfig, validateMCPOIDCConfig, type ConfigVerdict } from './rules/auth-configs.ts';
import { COMPANION_VALIDATORS } from './rules/companions/index.ts';
import { CONFIG_KINDS, type ConfigKind } from './config-kinds.ts';

export { CONFIG_KINDS } from './config-kinds.ts';

const VALIDATORS: Record<ConfigKind, (object: unknown) => ConfigVerdict> = {
  MCPOIDCConfig: validateMCPOIDCConfig,
  MCPAuthzConfig: validateMCPAuthzConfig,
  ...COMPANION_VALIDATORS,
};

export function reviewConfigValidate(review: unknown): ReviewResult {
  const parsed = parseReview(review, CONFIG_KINDS);
  if ('problem' in parsed) return badRequest(parsed.problem);
  if (parsed.operation !== 'CREATE' && parsed.operation !== 'UPDATE') return allow(parsed.uid);
  const verdict = VALIDATORS[parsed.kind as ConfigKind](parsed.object);
  return verdict.errors.length > 0
    ? deny(parsed.uid, parsed.name, verdict.errors, verdict.warnings, parsed.kind)
    : allow(parsed.uid, verdict.warnings);
}
