// The run config's `outgoingAuth` section (proxy/outgoing-auth/: how the proxy authenticates to the MCP
// server) from spec.externalAuthConfigRef's MCPExternalAuthConfig, and the proxy's environment variables
// holding its Secrets (secretKeyRef: the values never pass through the ConfigMap or the operator).
// Variable names follow ToolHive's (controllerutil/externalauth.go): TOOLHIVE_HEADER_INJECTION_VALUE_<CONFIG>,
// TOOLHIVE_TOKEN_EXCHANGE_CLIENT_SECRET_<CONFIG>; the bearer token's TOOLHIVE_BEARER_TOKEN_<CONFIG> (ToolHive
// names it after the Secret, TOOLHIVE_SECRET_<secret>, which may not be a valid variable name).
// Condition ExternalAuthConfigValidated (ToolHive's MCPServer condition): True with what the proxy does;
// False when the MCPExternalAuthConfig is missing (ExternalAuthConfigNotFound) or cannot be applied here
// (InvalidConfig: a type this operator refuses, a stdio server, tokenExchange without authentication),
// which only an object admitted without our webhook can reach. Then the run config and the proxy are held
// (children.ts `held`): the proxy keeps what it had rather than reach the server with no credentials.
// The token endpoint's port joins the proxy's egress ports (proxy-networkpolicy.ts: a NetworkPolicy
// cannot name hosts). Pure.
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { companionKey } from '../../schemas/companion-refs.ts';
import { effectiveSpec } from '../spec.ts';
import { namespaceOf } from './names.ts';
import { isDict, str, type Dict, type Finding, type ServerFacts } from './types.ts';

export const EXTERNAL_AUTH_CONDITION = 'ExternalAuthConfigValidated';

/** The proxy's RunConfigOutgoingAuth (proxy/outgoing-auth/run-config.ts), as written. */
export type RunConfigOutgoingAuth =
  | { type: 'headerInjection'; headerName: string; valueEnv: string }
  | { type: 'bearerToken'; tokenEnv: string }
  | {
      type: 'tokenExchange';
      tokenUrl: string;
      audience: string;
      clientId?: string;
      clientSecretEnv?: string;
      scopes?: string[];
      subjectTokenType?: string;
      headerName?: string;
    };

export interface ExternalAuthPlan {
  section?: RunConfigOutgoingAuth;
  /** The proxy container's variables from Secrets. */
  env: Dict[];
  /** Condition ExternalAuthConfigValidated; only for servers with an externalAuthConfigRef. */
  finding?: Finding;
  hold: boolean;
  /** TCP ports the proxy must reach: tokenExchange's token endpoint. */
  egressPorts: number[];
}

const NONE: ExternalAuthPlan = { env: [], hold: false, egressPorts: [] };
const IMPLEMENTED = ['headerInjection', 'bearerToken', 'tokenExchange', 'unauthenticated'];

const envName = (prefix: string, config: string) =>
  `TOOLHIVE_${prefix}_${config.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
const fromSecret = (name: string, ref: unknown): Dict => ({
  name,
  valueFrom: {
    secretKeyRef: { name: str(isDict(ref) ? ref.name : ''), key: str(isDict(ref) ? ref.key : '') },
  },
});
const invalidConfig = (message: string): ExternalAuthPlan => ({
  env: [],
  egressPorts: [],
  hold: true,
  finding: { status: 'False', reason: 'InvalidConfig', message },
});

export function externalAuthPlan(
  server: MCPServer,
  facts: Pick<ServerFacts, 'companions'>,
): ExternalAuthPlan {
  const ref = server.spec.externalAuthConfigRef?.name;
  if (!ref) return NONE;
  const config = facts.companions?.get(companionKey('MCPExternalAuthConfig', ref));
  if (!config) {
    const message = `MCPExternalAuthConfig ${ref} not found in namespace ${namespaceOf(server)}; the proxy keeps the configuration it had`;
    return {
      env: [],
      egressPorts: [],
      hold: true,
      finding: { status: 'False', reason: 'ExternalAuthConfigNotFound', message },
    };
  }
  const spec = isDict(config.spec) ? config.spec : {};
  const type = str(spec.type);
  if (!IMPLEMENTED.includes(type))
    return invalidConfig(`MCPExternalAuthConfig ${ref}: type ${type} is not implemented by this operator`);
  if (effectiveSpec(server).transport === 'stdio')
    return invalidConfig(
      `MCPExternalAuthConfig ${ref}: outgoing authentication applies to HTTP servers, not stdio`,
    );
  if (type === 'tokenExchange' && !server.spec.oidcConfigRef && !server.spec.oidcConfig)
    return invalidConfig(
      `MCPExternalAuthConfig ${ref}: tokenExchange needs spec.oidcConfigRef (the caller's token is the subject token)`,
    );
  const built = sectionFor(ref, type, spec);
  const what = built.section
    ? `the proxy sends ${describe(built.section)}`
    : 'the proxy sends no credentials';
  return {
    ...built,
    hold: false,
    egressPorts: built.section?.type === 'tokenExchange' ? portsOf(built.section.tokenUrl) : [],
    finding: {
      status: 'True',
      reason: 'ExternalAuthConfigValid',
      message: `MCPExternalAuthConfig ${ref} applied: ${what}`,
    },
  };
}

function sectionFor(ref: string, type: string, spec: Dict): { section?: RunConfigOutgoingAuth; env: Dict[] } {
  if (type === 'headerInjection') {
    const member = isDict(spec.headerInjection) ? spec.headerInjection : {};
    const valueEnv = envName('HEADER_INJECTION_VALUE', ref);
    return {
      section: { type, headerName: str(member.headerName), valueEnv },
      env: [fromSecret(valueEnv, member.valueSecretRef)],
    };
  }
  if (type === 'bearerToken') {
    const tokenEnv = envName('BEARER_TOKEN', ref);
    const member = isDict(spec.bearerToken) ? spec.bearerToken : {};
    return { section: { type, tokenEnv }, env: [fromSecret(tokenEnv, member.tokenSecretRef)] };
  }
  if (type === 'tokenExchange')
    return tokenExchangeSection(ref, isDict(spec.tokenExchange) ? spec.tokenExchange : {});
  return { env: [] };
}

function tokenExchangeSection(ref: string, te: Dict): { section: RunConfigOutgoingAuth; env: Dict[] } {
  const secretEnv = te.clientSecretRef ? envName('TOKEN_EXCHANGE_CLIENT_SECRET', ref) : undefined;
  const scopes = Array.isArray(te.scopes) ? te.scopes.filter((s): s is string => typeof s === 'string') : [];
  const subjectType = str(te.subjectTokenType);
  const section: RunConfigOutgoingAuth = {
    type: 'tokenExchange',
    tokenUrl: str(te.tokenUrl),
    audience: str(te.audience),
    ...(str(te.clientId) ? { clientId: str(te.clientId) } : {}),
    ...(secretEnv ? { clientSecretEnv: secretEnv } : {}),
    ...(scopes.length ? { scopes } : {}),
    ...(subjectType ? { subjectTokenType: fullTokenType(subjectType) } : {}),
    ...(str(te.externalTokenHeaderName) ? { headerName: str(te.externalTokenHeaderName) } : {}),
  };
  return { section, env: secretEnv ? [fromSecret(secretEnv, te.clientSecretRef)] : [] };
}

const portsOf = (url: string): number[] =>
  URL.canParse(url) ? [Number(new URL(url).port) || (new URL(url).protocol === 'http:' ? 80 : 443)] : [];

/** ToolHive accepts the short forms (access_token, id_token, jwt); the proxy reads URNs. */
const fullTokenType = (type: string): string =>
  type.startsWith('urn:') ? type : `urn:ietf:params:oauth:token-type:${type}`;

function describe(section: RunConfigOutgoingAuth): string {
  if (section.type === 'headerInjection') return `header ${section.headerName} from a Secret`;
  if (section.type === 'bearerToken') return 'a bearer token from a Secret';
  return `a token exchanged at ${section.tokenUrl} for audience ${section.audience}`;
}
