// ToolHive's webhook wire format (pkg/webhook: types.go, signing.go, client.go), kept exactly so a
// webhook written for ToolHive works behind this proxy. Pure.
// - Request body: {version: "v0.1.0", uid, timestamp (RFC 3339), principal, mcp_request (the client's
//   JSON-RPC message as sent), context: {server_name, namespace, source_ip, transport}}.
// - Signature (when a key is set): X-ToolHive-Signature: sha256=<hex HMAC-SHA256 of "<ts>.<body>">,
//   X-ToolHive-Timestamp: <ts>, Unix seconds.
// - Answer: HTTP 200 with JSON {version, uid, allowed, code?, message?, reason?, details?} and, from a
//   mutating webhook, patch_type "json_patch" and patch (RFC 6902 on the request body). A 5xx is a
//   network error, any other non-200 an invalid answer, 422 a denial whatever the failure policy.
// - principal is ToolHive's PrincipalInfo: no token ever. Without authentication it is ToolHive's
//   anonymous identity. source_ip is empty: the Backend contract does not carry the client's address.
import { createHmac, randomUUID } from 'node:crypto';
import { ANONYMOUS, type Caller } from '../caller.ts';
import type { RpcMessage } from '../jsonrpc.ts';

export const API_VERSION = 'v0.1.0';
export const SIGNATURE_HEADER = 'X-ToolHive-Signature';
export const TIMESTAMP_HEADER = 'X-ToolHive-Timestamp';
/** ToolHive's MaxResponseSize. */
export const MAX_ANSWER_BYTES = 1 << 20;

export interface WireContext {
  serverName: string;
  namespace?: string;
  transport: string;
}

export interface WebhookAnswer {
  allowed: boolean;
  code?: number;
  message?: string;
  reason?: string;
  patchType?: string;
  patch?: unknown;
}

/** Why a call gave no answer. `invalid` carries the HTTP status when there was one (0: unreadable body). */
export type CallFailure =
  | { kind: 'timeout'; detail: string }
  | { kind: 'network'; detail: string }
  | { kind: 'invalid'; status: number; detail: string };

export type CallResult = { ok: true; answer: WebhookAnswer } | { ok: false; failure: CallFailure };

/** ToolHive's IsAlwaysDenyError: a 422 denies whatever the failure policy. */
export const alwaysDenies = (f: CallFailure): boolean => f.kind === 'invalid' && f.status === 422;

// Claims ToolHive keeps out of webhook payloads (pkg/auth filterInternalClaims): the tsid names a session's
// stored upstream tokens.
const INTERNAL_CLAIMS = new Set(['tsid']);

/** ToolHive's anonymous identity (pkg/auth/anonymous.go), minted per request as ToolHive does. */
function anonymousPrincipal(nowSeconds: number): Record<string, unknown> {
  const [name, email] = ['Anonymous User', 'anonymous@localhost'];
  const claims = { sub: 'anonymous', iss: 'toolhive-local', aud: 'toolhive', email, name };
  const times = { exp: nowSeconds + 24 * 3600, iat: nowSeconds, nbf: nowSeconds };
  return { sub: 'anonymous', name, email, claims: { ...claims, ...times } };
}

/** ToolHive's PrincipalInfo of a caller: sub, platform_user_id, name, email, claims (never the token). */
export function principalOf(caller: Caller, nowSeconds: number): Record<string, unknown> {
  if (caller === ANONYMOUS || caller.key === ANONYMOUS.key) return anonymousPrincipal(nowSeconds);
  const claims: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(caller.claims)) if (!INTERNAL_CLAIMS.has(k)) claims[k] = v;
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const name = text(caller.claims.name);
  const email = text(caller.claims.email);
  return {
    sub: caller.subject,
    platform_user_id: caller.subject,
    ...(name ? { name } : {}),
    ...(email ? { email } : {}),
    claims,
  };
}

/** The request body ToolHive sends (webhook.Request), serialised once for signing and sending. */
export function requestBody(message: RpcMessage, caller: Caller, context: WireContext, now: Date): string {
  return JSON.stringify({
    version: API_VERSION,
    uid: randomUUID(),
    timestamp: now.toISOString(),
    principal: principalOf(caller, Math.floor(now.getTime() / 1000)),
    mcp_request: message,
    context: {
      server_name: context.serverName,
      ...(context.namespace ? { namespace: context.namespace } : {}),
      source_ip: '',
      transport: context.transport,
    },
  });
}

/** SignPayload: "sha256=" + hex HMAC-SHA256 over "<timestamp>.<payload>". */
export function signature(secret: Buffer | string, timestampSeconds: number, payload: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSeconds}.`).update(payload).digest('hex')}`;
}

export function signatureHeaders(
  secret: Buffer | string,
  payload: string,
  now: Date,
): Record<string, string> {
  const ts = Math.floor(now.getTime() / 1000);
  return { [SIGNATURE_HEADER]: signature(secret, ts, payload), [TIMESTAMP_HEADER]: String(ts) };
}

/** What an HTTP answer means, as ToolHive's client classifies it. */
export function readAnswer(status: number, text: string): CallResult {
  if (status >= 500)
    return { ok: false, failure: { kind: 'network', detail: `webhook returned HTTP ${status}` } };
  if (status !== 200)
    return { ok: false, failure: { kind: 'invalid', status, detail: `webhook returned HTTP ${status}` } };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, failure: { kind: 'invalid', status: 0, detail: 'answer is not JSON' } };
  }
  // Go decodes null into the zero Response (allowed false) and refuses anything else but an object.
  if (body === null) return { ok: true, answer: { allowed: false } };
  if (typeof body !== 'object' || Array.isArray(body))
    return { ok: false, failure: { kind: 'invalid', status: 0, detail: 'answer is not a JSON object' } };
  const b = body as Record<string, unknown>;
  const wrong = Object.entries(FIELD_TYPES).find(([k, type]) => b[k] != null && typeof b[k] !== type);
  if (wrong)
    return {
      ok: false,
      failure: { kind: 'invalid', status: 0, detail: `answer's ${wrong[0]} is not a ${wrong[1]}` },
    };
  return { ok: true, answer: answerOf(b) };
}

/** The answer's typed fields: Go's decoder refuses the whole answer when one has another type. */
const FIELD_TYPES: Record<string, string> = {
  allowed: 'boolean',
  code: 'number',
  message: 'string',
  reason: 'string',
  patch_type: 'string',
};

function answerOf(b: Record<string, unknown>): WebhookAnswer {
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    allowed: b.allowed === true,
    ...(typeof b.code === 'number' ? { code: b.code } : {}),
    ...(text(b.message) ? { message: text(b.message) } : {}),
    ...(text(b.reason) ? { reason: text(b.reason) } : {}),
    ...(text(b.patch_type) ? { patchType: text(b.patch_type) } : {}),
    ...(b.patch !== undefined && b.patch !== null ? { patch: b.patch } : {}),
  };
}
