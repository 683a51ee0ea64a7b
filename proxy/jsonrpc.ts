// JSON-RPC 2.0 message shapes as MCP uses them, and cheap structural checks. The SDK's zod guards
// (isJSONRPCRequest...) validate every field and cost microseconds per message; the proxy only needs
// to know which of the four kinds a message is and leaves the rest to the endpoints, so it checks
// shape here and nothing more. No I/O, no MCP semantics beyond the envelope.

export type RequestId = string | number;
export type Params = Record<string, unknown>;

export interface RpcRequest {
  jsonrpc: '2.0';
  id: RequestId;
  method: string;
  params?: Params;
}

export interface RpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: Params;
}

export interface RpcResult {
  jsonrpc: '2.0';
  id: RequestId;
  result: Params;
}

export interface RpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

export interface RpcError {
  jsonrpc: '2.0';
  /** Absent (or null on the wire) only when the request that failed could not be read. */
  id?: RequestId | null;
  error: RpcErrorBody;
}

export type RpcResponse = RpcResult | RpcError;
export type RpcMessage = RpcRequest | RpcNotification | RpcResponse;

// JSON-RPC and MCP error codes the proxy itself answers with.
export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INTERNAL_ERROR = -32603;
/** The SDK's ConnectionClosed: the backend went away while the request was in flight. */
export const CONNECTION_CLOSED = -32000;
/** The backend's queue is full; the client may retry. Implementation-defined server error range. */
export const BACKEND_BUSY = -32001;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isId = (v: unknown): v is RequestId => typeof v === 'string' || typeof v === 'number';
const isParams = (v: unknown): boolean => v === undefined || isObject(v);

/** The message if value has the envelope of one, else undefined. Arrays (batches) are not messages. */
export function asMessage(value: unknown): RpcMessage | undefined {
  if (!isObject(value) || Array.isArray(value) || value.jsonrpc !== '2.0') return undefined;
  if (typeof value.method === 'string') {
    if (!isParams(value.params)) return undefined;
    if (value.id === undefined) return value as unknown as RpcNotification;
    return isId(value.id) ? (value as unknown as RpcRequest) : undefined;
  }
  if (isObject(value.result) && isId(value.id)) return value as unknown as RpcResult;
  if (isObject(value.error) && typeof value.error.code === 'number') return value as unknown as RpcError;
  return undefined;
}

export const isRequest = (m: RpcMessage): m is RpcRequest => 'method' in m && 'id' in m && m.id !== undefined;
export const isNotification = (m: RpcMessage): m is RpcNotification => 'method' in m && !('id' in m);
export const isResponse = (m: RpcMessage): m is RpcResponse => !('method' in m);

export function errorResponse(id: RequestId | null, code: number, message: string): RpcError {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

/** The progress token a request carries in params._meta, if any. */
export function progressTokenOf(m: RpcRequest): RequestId | undefined {
  const meta = m.params?._meta;
  if (!isObject(meta)) return undefined;
  return isId(meta.progressToken) ? meta.progressToken : undefined;
}

/** A copy of params with _meta.progressToken replaced; params is never modified in place. */
export function withProgressToken(params: Params, token: RequestId): Params {
  const meta = isObject(params._meta) ? params._meta : {};
  return { ...params, _meta: { ...meta, progressToken: token } };
}

/** A map key for an id: 1 and "1" are different ids. */
export const idKey = (id: RequestId): string => (typeof id === 'number' ? `n:${id}` : `s:${id}`);
