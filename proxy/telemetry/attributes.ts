// What a span and the metrics say about one MCP request, pure. Names follow the OpenTelemetry semantic
// conventions for MCP (mcp.method.name, mcp.session.id, gen_ai.tool.name, error.type, ...) and, with
// useLegacyAttributes (ToolHive's default), also ToolHive's older names (mcp.method, mcp.tool.name,
// rpc.system, ...), as ToolHive's telemetry middleware (pkg/telemetry/middleware.go) emits them.
import type { RpcRequest, RpcResponse } from '../jsonrpc.ts';

export type Attributes = Record<string, string | number | boolean>;

/**
 * Client-chosen values become metric labels only this long: a reader keeps every label set it saw for
 * the process's life, so an 8 MB tool name must not become one (ToolHive clamps to 128 bytes too).
 */
const MAX_LABEL_CHARS = 128;

export const clampLabel = (value: string): string =>
  value.length <= MAX_LABEL_CHARS ? value : `${value.slice(0, MAX_LABEL_CHARS)}...`;

/** The parameter naming what a request is about, by method. */
const TARGET_PARAM: Readonly<Record<string, string>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'resources/subscribe': 'uri',
  'resources/unsubscribe': 'uri',
};

/** The tool, prompt or resource a request is about: its name or URI, else ''. */
export function targetOf(request: RpcRequest): string {
  const key = TARGET_PARAM[request.method];
  const value = key === undefined ? undefined : request.params?.[key];
  return typeof value === 'string' ? value : '';
}

/** The span name the conventions give: "{mcp.method.name} {target}", or the method alone. */
export const spanNameOf = (method: string, target: string): string =>
  target ? `${method} ${target}` : method;

export interface RequestFacts {
  method: string;
  target: string;
  sessionId: string;
  server: string;
  transport: string;
  protocolVersion?: string;
  legacy: boolean;
}

/** The attributes a request's span starts with. */
export function requestAttributes(request: RpcRequest, facts: RequestFacts): Attributes {
  const { method, target } = facts;
  const attributes: Attributes = {
    'mcp.method.name': method,
    'jsonrpc.request.id': String(request.id),
    'jsonrpc.protocol.version': '2.0',
    'mcp.session.id': facts.sessionId,
    'mcp.server.name': facts.server,
    'mcp.transport': facts.transport,
    'network.transport': 'tcp',
    'network.protocol.name': 'http',
  };
  if (facts.protocolVersion) attributes['mcp.protocol.version'] = facts.protocolVersion;
  if (method === 'tools/call' && target) {
    attributes['gen_ai.tool.name'] = target;
    attributes['gen_ai.operation.name'] = 'execute_tool';
  } else if (method === 'prompts/get' && target) attributes['gen_ai.prompt.name'] = target;
  else if (method === 'resources/read' && target) attributes['mcp.resource.uri'] = target;
  if (facts.legacy) Object.assign(attributes, legacyAttributes(request, facts));
  return attributes;
}

function legacyAttributes(request: RpcRequest, { method, target }: RequestFacts): Attributes {
  const attributes: Attributes = {
    'mcp.method': method,
    'mcp.request.id': String(request.id),
    'rpc.system': 'jsonrpc',
    'rpc.service': 'mcp',
  };
  if (method === 'tools/call' && target) attributes['mcp.tool.name'] = target;
  if (method === 'prompts/get' && target) attributes['mcp.prompt.name'] = target;
  if (target) attributes['mcp.resource.id'] = target;
  return attributes;
}

/**
 * How a request ended. error: a JSON-RPC error (its code as error.type, as the conventions ask), a tool
 * result with isError (error.type "tool_error"), or the session closing first ("session_closed").
 */
export interface Outcome {
  ok: boolean;
  errorType?: string;
  message?: string;
  code?: number;
}

export const SESSION_CLOSED: Outcome = { ok: false, errorType: 'session_closed', message: 'session closed' };
const OK: Outcome = { ok: true };

export function outcomeOf(method: string, response: RpcResponse): Outcome {
  if ('error' in response)
    return {
      ok: false,
      errorType: String(response.error.code),
      message: response.error.message,
      code: response.error.code,
    };
  if (method === 'tools/call' && (response.result as { isError?: unknown } | undefined)?.isError === true)
    return { ok: false, errorType: 'tool_error', message: 'tool returned isError' };
  return OK;
}

/** The attributes an outcome adds to its span. */
export function outcomeAttributes(outcome: Outcome): Attributes {
  if (outcome.ok) return {};
  const attributes: Attributes = { 'error.type': outcome.errorType! };
  if (outcome.code !== undefined) attributes['rpc.response.status_code'] = String(outcome.code);
  return attributes;
}
