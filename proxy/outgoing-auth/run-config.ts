// The run config's `outgoingAuth` section: how the proxy authenticates to the MCP server (ToolHive's
// MCPExternalAuthConfig, resolved by the controller from spec.externalAuthConfigRef). Secrets never
// appear here: the section names environment variables the controller fills from Secrets
// (secretKeyRef), and the proxy reads them once at start. Pure: checked by config.ts before the proxy
// starts, so a bad section stops the proxy naming the field.

/** A static header whose value is a Secret's (headerInjection). */
export interface HeaderInjectionSection {
  type: 'headerInjection';
  headerName: string;
  /** The environment variable holding the header's value. */
  valueEnv: string;
}

/** `Authorization: Bearer <token>` with a token from a Secret (bearerToken). */
export interface BearerTokenSection {
  type: 'bearerToken';
  tokenEnv: string;
}

/**
 * RFC 8693 token exchange: the caller's validated incoming token (the subject token) is exchanged at
 * tokenUrl for a token meant for the MCP server, cached per caller until shortly before it expires.
 */
export interface TokenExchangeSection {
  type: 'tokenExchange';
  tokenUrl: string;
  audience: string;
  clientId?: string;
  /** The environment variable holding the client secret; absent: the client sends none. */
  clientSecretEnv?: string;
  scopes?: string[];
  /** Full URN; urn:ietf:params:oauth:token-type:access_token when absent. */
  subjectTokenType?: string;
  /** The header carrying `Bearer <exchanged token>`; Authorization when absent. */
  headerName?: string;
  /** PEM bundle trusted for tokenUrl besides the system's roots. */
  caBundleFile?: string;
  /** Allows an http:// tokenUrl (tests and loopback only; the controller never writes it). */
  insecureAllowHTTP?: boolean;
}

export type RunConfigOutgoingAuth = HeaderInjectionSection | BearerTokenSection | TokenExchangeSection;

export const TOKEN_TYPE_PREFIX = 'urn:ietf:params:oauth:token-type:';
const SUBJECT_TOKEN_TYPES = ['access_token', 'id_token', 'jwt'].map((t) => TOKEN_TYPE_PREFIX + t);
// RFC 7230 token characters: what a header name may be made of.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Fields = Partial<Record<string, unknown>>;
const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** The section's first problem (prefixed `outgoingAuth.`), or undefined. */
export function outgoingAuthProblem(value: unknown, hasIncomingAuth: boolean): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'outgoingAuth must be an object';
  const section = value as Fields;
  switch (section.type) {
    case 'headerInjection':
      return headerProblem(section, 'headerName', true) ?? envProblem(section, 'valueEnv', true);
    case 'bearerToken':
      return envProblem(section, 'tokenEnv', true);
    case 'tokenExchange':
      return tokenExchangeProblem(section, hasIncomingAuth);
    default:
      return 'outgoingAuth.type must be headerInjection, bearerToken or tokenExchange';
  }
}

function tokenExchangeProblem(section: Fields, hasIncomingAuth: boolean): string | undefined {
  // The subject token is the caller's verified token: without authentication there is none.
  if (!hasIncomingAuth) return 'outgoingAuth tokenExchange needs the auth section (the subject token)';
  if (!isText(section.tokenUrl) || !URL.canParse(section.tokenUrl))
    return 'outgoingAuth.tokenUrl must be a URL';
  const { protocol } = new URL(section.tokenUrl);
  if (protocol !== 'https:' && !(protocol === 'http:' && section.insecureAllowHTTP === true))
    return 'outgoingAuth.tokenUrl must be an https URL (or set insecureAllowHTTP for http)';
  if (!isText(section.audience)) return 'outgoingAuth.audience must be a non-empty string';
  return (
    clientProblem(section) ??
    optionalsProblem(section) ??
    headerProblem(section, 'headerName', false) ??
    envProblem(section, 'clientSecretEnv', false)
  );
}

function clientProblem(section: Fields): string | undefined {
  if (section.clientId !== undefined && !isText(section.clientId))
    return 'outgoingAuth.clientId must be a non-empty string';
  if (section.clientSecretEnv !== undefined && section.clientId === undefined)
    return 'outgoingAuth.clientSecretEnv needs outgoingAuth.clientId';
  return undefined;
}

function optionalsProblem(section: Fields): string | undefined {
  if (section.scopes !== undefined && !(Array.isArray(section.scopes) && section.scopes.every(isText)))
    return 'outgoingAuth.scopes must be a list of non-empty strings';
  const type = section.subjectTokenType;
  if (type !== undefined && !(typeof type === 'string' && SUBJECT_TOKEN_TYPES.includes(type)))
    return `outgoingAuth.subjectTokenType must be one of ${SUBJECT_TOKEN_TYPES.join(', ')}`;
  if (section.caBundleFile !== undefined && !isText(section.caBundleFile))
    return 'outgoingAuth.caBundleFile must be a non-empty string';
  return undefined;
}

function headerProblem(section: Fields, field: string, required: boolean): string | undefined {
  const v = section[field];
  if (v === undefined && !required) return undefined;
  return isText(v) && HEADER_NAME.test(v) ? undefined : `outgoingAuth.${field} must be an HTTP header name`;
}

function envProblem(section: Fields, field: string, required: boolean): string | undefined {
  const v = section[field];
  if (v === undefined && !required) return undefined;
  return isText(v) && ENV_NAME.test(v)
    ? undefined
    : `outgoingAuth.${field} must be an environment variable name`;
}
