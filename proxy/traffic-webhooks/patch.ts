// A mutating webhook's answer applied to the client's message, as ToolHive's mutating middleware does
// (pkg/webhook/mutating/patch.go, middleware.go): patch_type must be "json_patch"; the patch is RFC 6902
// on the envelope {mcp_request: <message>}, every path (and copy/move `from`) under /mcp_request/ (the
// root itself refused: changes are granular, never a replacement); the result must still be one
// JSON-RPC request. One more rule of ours: the message keeps its kind and its id, since the front waits
// for the answer to that id (a patched id would leave the client hanging). Pure.
import jsonPatch from 'fast-json-patch';
import { asMessage, type RpcMessage } from '../jsonrpc.ts';
import type { WebhookAnswer } from './wire.ts';

const PATCH_TYPE = 'json_patch';
const SCOPE = '/mcp_request/';
const OPS = new Set(['add', 'remove', 'replace', 'copy', 'move', 'test']);

/**
 * What a mutating answer does to the message. `invalid` errors follow the webhook's failure policy;
 * `unusable` (the patched message is no single JSON-RPC request of the same id) always fails the request,
 * as ToolHive's republish step does. The messages are ToolHive's, the ones its clients see.
 */
export type PatchOutcome =
  | { kind: 'unchanged' }
  | { kind: 'patched'; message: RpcMessage }
  | { kind: 'invalid'; clientMessage: string; detail: string }
  | { kind: 'unusable'; clientMessage: string; detail: string };

interface PatchOp {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

export function applyAnswer(message: RpcMessage, answer: WebhookAnswer): PatchOutcome {
  const patch = answer.patch;
  if (!answer.patchType || patch === undefined || (Array.isArray(patch) && patch.length === 0))
    return { kind: 'unchanged' };
  if (answer.patchType !== PATCH_TYPE)
    return invalid('Unsupported patch type from webhook', `patch_type ${JSON.stringify(answer.patchType)}`);
  if (!Array.isArray(patch) || !patch.every(isOpShape))
    return invalid('Malformed patch from webhook', 'patch is not a list of operations');
  const problem = opProblem(patch);
  if (problem) return invalid('Invalid patch from webhook', problem);
  if (!patch.every(inScope))
    return invalid('Patch must be scoped to mcp_request', 'a path is outside /mcp_request/');
  let patched: unknown;
  try {
    const envelope = { mcp_request: structuredClone(message) };
    patched = jsonPatch.applyPatch(envelope, patch as jsonPatch.Operation[], true, true, true).newDocument;
  } catch (err) {
    return invalid('Failed to apply patch from webhook', (err as Error).message);
  }
  const result = (patched as { mcp_request?: unknown }).mcp_request;
  if (result === undefined)
    return invalid('Internal error extracting patched request', 'mcp_request missing after the patch');
  return usable(message, result);
}

const invalid = (clientMessage: string, detail: string): PatchOutcome => ({
  kind: 'invalid',
  clientMessage,
  detail,
});

function usable(original: RpcMessage, result: unknown): PatchOutcome {
  const unusable = (detail: string): PatchOutcome => ({
    kind: 'unusable',
    clientMessage: 'Webhook produced an invalid MCP request',
    detail,
  });
  if (Array.isArray(result)) return unusable('the patched request is a batch');
  const message = asMessage(result);
  if (!message || !('method' in message)) return unusable('the patched body is not a JSON-RPC request');
  const idOf = (m: RpcMessage) => ('id' in m ? m.id : undefined);
  if (idOf(message) !== idOf(original)) return unusable('the patch changed the request id');
  return { kind: 'patched', message };
}

const isOpShape = (v: unknown): v is PatchOp =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  typeof (v as PatchOp).op === 'string' &&
  typeof ((v as PatchOp).path ?? '') === 'string' &&
  ((v as PatchOp).from === undefined || typeof (v as PatchOp).from === 'string');

/** ToolHive's ValidatePatch: a known op, a path, and `from` for copy and move. */
function opProblem(patch: PatchOp[]): string | undefined {
  for (const [i, op] of patch.entries()) {
    if (!OPS.has(op.op)) return `patch[${i}]: unsupported operation ${JSON.stringify(op.op)}`;
    if (!op.path) return `patch[${i}]: path is required`;
    if ((op.op === 'copy' || op.op === 'move') && !op.from)
      return `patch[${i}]: ${JSON.stringify(op.op)} operation requires a 'from' field`;
  }
  return undefined;
}

/** ToolHive's IsPatchScopedToMCPRequest. */
const inScope = (op: PatchOp): boolean =>
  op.path.startsWith(SCOPE) && (!(op.op === 'copy' || op.op === 'move') || (op.from ?? '').startsWith(SCOPE));
