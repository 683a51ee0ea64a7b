// The proxy's authorization and audit, resolved from spec.authzConfigRef (with the MCPAuthzConfig it
// names) or spec.authzConfig (inline, or a ConfigMap key, default authz.json), pure: the run config's
// `authz` section (proxy/config.ts RunConfigAuthz, mirrored here) and `audit`. The formats are
// ToolHive's, read by lib/authz-config.ts (the reader admission shares). Decisions:
// - The groupClaimName, roleClaimName and groupEntityType of spec.authzConfig override the ConfigMap
//   file's, as ToolHive does.
// - The Cedar policies are checked here too (checkCedarConfig), memoised by their text: admission
//   refuses bad ones, but an MCPAuthzConfig edited while the webhook was down must not reach a proxy,
//   which would refuse to start; the server keeps its last configuration instead (children.ts).
// - audit appears in the run config only when enabled, so servers without it keep the run config (and
//   its checksum, and their running proxy) they had before the field existed.
import {
  authzConfigFromInline,
  authzConfigFromSpec,
  checkCedarConfig,
  parseAuthzConfigFile,
  type AuthzProblem,
  type CedarAuthzConfig,
} from '../../lib/authz-config.ts';
import { isDict, str, type Dict, type Finding, type ServerFacts } from './types.ts';

export interface RunConfigAuthz {
  type: 'cedarv1';
  policies: string[];
  entitiesJson: string;
  groupClaimName?: string;
  roleClaimName?: string;
  groupEntityType?: string;
}

export interface AuthzPlan {
  authz?: RunConfigAuthz;
  /** Condition AuthzConfigRefValidated; undefined when the server names no authorization config. */
  finding?: Finding;
}

const VALID = 'AuthzConfigRefValid';
const NOT_FOUND = 'AuthzConfigRefNotFound';
const NOT_VALID = 'AuthzConfigRefNotValid';
export const DEFAULT_AUTHZ_KEY = 'authz.json';
const CLAIM_FIELDS = ['groupClaimName', 'roleClaimName', 'groupEntityType'] as const;

const failed = (reason: string, message: string): AuthzPlan => ({
  finding: { status: 'False', reason, message },
});

/** `path: message (line L, column C)`, the first three problems. */
export function problemsText(problems: readonly AuthzProblem[]): string {
  const one = (p: AuthzProblem): string => {
    const at = p.path.length ? `${p.path.join('.')}: ` : '';
    const where = p.line === undefined ? '' : ` (line ${p.line}, column ${p.column ?? 1})`;
    return `${at}${p.message}${where}`;
  };
  const more = problems.length > 3 ? `; and ${problems.length - 3} more` : '';
  return problems.slice(0, 3).map(one).join('; ') + more;
}

const memo = new Map<string, AuthzProblem[]>();
const MEMO_LIMIT = 256;

/** checkCedarConfig, remembered by the config's text (reconciles repeat it for every server). */
function cedarProblems(config: CedarAuthzConfig): AuthzProblem[] {
  const key = JSON.stringify(config);
  const known = memo.get(key);
  if (known) return known;
  const problems = checkCedarConfig(config);
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value!);
  memo.set(key, problems);
  return problems;
}

function resolved(
  what: string,
  result: { config: CedarAuthzConfig } | { problems: AuthzProblem[] },
  overrides: Dict = {},
): AuthzPlan {
  if ('problems' in result) return failed(NOT_VALID, `${what}: ${problemsText(result.problems)}`);
  const config: CedarAuthzConfig = { ...result.config };
  for (const field of CLAIM_FIELDS) if (str(overrides[field])) config[field] = str(overrides[field]);
  const problems = cedarProblems(config);
  if (problems.length) return failed(NOT_VALID, `${what}: ${problemsText(problems)}`);
  const authz: RunConfigAuthz = {
    type: 'cedarv1',
    policies: [...config.policies],
    entitiesJson: config.entitiesJson || '[]',
  };
  for (const field of CLAIM_FIELDS) if (config[field]) authz[field] = config[field];
  return { authz, finding: { status: 'True', reason: VALID, message: `${what} is valid` } };
}

/** The authorization of `spec` (authzConfigRef, else authzConfig); {} when it names neither. */
export function authzPlan(spec: Dict, facts: ServerFacts, namespace: string): AuthzPlan {
  if (isDict(spec.authzConfigRef)) {
    const what = `MCPAuthzConfig ${str(spec.authzConfigRef.name)}`;
    const found = facts.authzConfig;
    if (!found) return failed(NOT_FOUND, `${what} not found in namespace ${namespace}`);
    return resolved(what, authzConfigFromSpec(found.spec));
  }
  if (!isDict(spec.authzConfig)) return {};
  const authzConfig = spec.authzConfig;
  const type = authzConfig.type ?? 'configMap';
  if (type === 'inline') return resolved('spec.authzConfig.inline', authzConfigFromInline(authzConfig));
  if (type === 'configMap' && isDict(authzConfig.configMap)) {
    const name = str(authzConfig.configMap.name);
    const key = str(authzConfig.configMap.key) || DEFAULT_AUTHZ_KEY;
    const what = `ConfigMap ${name} key ${key}`;
    const data = facts.authConfigMaps?.get(name);
    if (!data)
      return failed(
        NOT_FOUND,
        `ConfigMap ${name} (spec.authzConfig.configMap) not found in namespace ${namespace}`,
      );
    const text = data[key];
    if (text === undefined) return failed(NOT_VALID, `${what}: no such key`);
    return resolved(what, parseAuthzConfigFile(text), authzConfig);
  }
  return failed(NOT_VALID, `spec.authzConfig.type ${JSON.stringify(type)} has no matching settings`);
}

/** The run config's audit section: present only when enabled (see the header). */
export const auditSection = (spec: Dict): { enabled: true } | undefined =>
  isDict(spec.audit) && spec.audit.enabled === true ? { enabled: true } : undefined;
