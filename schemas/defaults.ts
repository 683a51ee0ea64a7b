// The MCPServer API's default values, in one place: the mutating webhook writes them into objects
// (webhook/defaults.ts), validation assumes them for fields still unset (webhook/rules/ports.ts), and the
// controller applies them again when the webhook did not run (controller/spec.ts). They follow ToolHive
// (cmd/thv-operator/api/v1beta1/mcpserver_types.go). They are not `default:`s in the CRD: see
// webhook/defaults.ts for why.
import type { MCPServerSpec } from './generated/mcpserver.ts';

export type Transport = NonNullable<MCPServerSpec['transport']>;
export type ProxyMode = NonNullable<MCPServerSpec['proxyMode']>;
export type SessionAffinity = NonNullable<MCPServerSpec['sessionAffinity']>;

export const DEFAULT_TRANSPORT: Transport = 'stdio';
/** Only meaningful for stdio: how clients talk to the proxy. */
export const DEFAULT_PROXY_MODE: ProxyMode = 'streamable-http';
export const DEFAULT_PROXY_PORT = 8080;
/** For sse and streamable-http: the port the MCP server listens on. */
export const DEFAULT_MCP_PORT = 8080;
/**
 * The proxy Service's affinity, and sessionStorage.db. ToolHive has them as CRD defaults; here the
 * controller applies them (controller/desired/services.ts, scale-out.ts), and the webhook does not write
 * them into objects.
 */
export const DEFAULT_SESSION_AFFINITY: SessionAffinity = 'ClientIP';
export const DEFAULT_REDIS_DB = 0;
