// One client message through the webhooks, in ToolHive's order (pkg/runner/middleware.go): every
// mutating webhook in turn, each on the previous one's output, then every validating webhook on the
// result; the first denial ends it. What the client is told is ToolHive's, word for word: a webhook's
// own message and reason are logged, never passed on (ToolHive: "prevent information leaks").
//                       validating                          mutating
//   allowed: false      403, code 403, "Request denied by policy"    403, code 403, "Request denied by webhook policy"
//   HTTP 422            403, code 403, same                  422, code 403, same
//   failure, fail       403, code 403, same                  500, -32603, "Webhook error"
//   failure, ignore     skipped (warned)                     unchanged (warned)
// A failure is a timeout, a network error, a 5xx, another non-200 or an unreadable answer; a bad patch
// follows the failure policy too (patch.ts). No I/O of its own: the clients are handed in.
import type { Logger } from '../../lib/log.ts';
import type { Caller } from '../caller.ts';
import { INTERNAL_ERROR, type RpcMessage } from '../jsonrpc.ts';
import type { WebhookClient } from './client.ts';
import { applyAnswer } from './patch.ts';
import type { WebhookType } from './run-config.ts';
import { alwaysDenies, requestBody, type CallResult, type WireContext } from './wire.ts';

/** ToolHive's JSONRPCCodeDenied: a policy's denial, outside the reserved JSON-RPC range. */
export const DENIED_CODE = 403;
export const VALIDATING_DENIAL = 'Request denied by policy';
export const MUTATING_DENIAL = 'Request denied by webhook policy';

export type CallLabel = 'allowed' | 'denied' | 'error' | 'timeout';

export interface ChainObserver {
  /** One webhook call, its result and duration. */
  called(type: WebhookType, webhook: string, result: CallLabel, seconds: number): void;
  /** A request the webhooks refused: by a webhook's answer, or by a failure under policy fail. */
  refused(type: WebhookType, webhook: string, reason: 'denied' | 'failure'): void;
}

export interface ChainDeps {
  mutating: readonly WebhookClient[];
  validating: readonly WebhookClient[];
  context: WireContext;
  observer: ChainObserver;
  log: Logger;
  now?: () => Date;
}

export interface Refusal {
  /** HTTP status of a plain-JSON answer. */
  status: number;
  code: number;
  message: string;
}

export type ChainOutcome = { pass: true; message: RpcMessage } | { pass: false; refusal: Refusal };

const refuse = (status: number, code: number, message: string): ChainOutcome => ({
  pass: false,
  refusal: { status, code, message },
});

export async function runChain(message: RpcMessage, caller: Caller, deps: ChainDeps): Promise<ChainOutcome> {
  let current = message;
  for (const client of deps.mutating) {
    const step = await mutate(current, caller, client, deps);
    if (!step.pass) return step;
    current = step.message;
  }
  if (deps.validating.length === 0) return { pass: true, message: current };
  // One body for every validating webhook, as ToolHive sends them one request (one uid).
  const body = requestBody(current, caller, deps.context, (deps.now ?? now)());
  for (const client of deps.validating) {
    const refusal = await validate(body, client, deps, methodOf(current));
    if (refusal) return refusal;
  }
  return { pass: true, message: current };
}

const now = () => new Date();
const methodOf = (m: RpcMessage): string => ('method' in m ? m.method : '');

async function timedCall(type: WebhookType, client: WebhookClient, body: string, deps: ChainDeps) {
  const started = performance.now();
  const result = await client.call(body, (deps.now ?? now)());
  const seconds = (performance.now() - started) / 1000;
  deps.observer.called(type, client.webhook.name, labelOf(result), seconds);
  return result;
}

const labelOf = (r: CallResult): CallLabel =>
  r.ok ? (r.answer.allowed ? 'allowed' : 'denied') : r.failure.kind === 'timeout' ? 'timeout' : 'error';

async function validate(
  body: string,
  client: WebhookClient,
  deps: ChainDeps,
  method: string,
): Promise<ChainOutcome | undefined> {
  const { name, failurePolicy } = client.webhook;
  const result = await timedCall('validating', client, body, deps);
  const fields = { webhook: name, type: 'validating', method };
  if (result.ok) {
    if (result.answer.allowed) return undefined;
    const { reason, message } = result.answer;
    deps.log.info({ ...fields, reason, message }, 'Validating webhook denied a request');
    deps.observer.refused('validating', name, 'denied');
    return refuse(403, DENIED_CODE, VALIDATING_DENIAL);
  }
  const { failure } = result;
  if (alwaysDenies(failure)) {
    deps.log.info({ ...fields, detail: failure.detail }, 'Validating webhook denied a request with HTTP 422');
    deps.observer.refused('validating', name, 'denied');
    return refuse(403, DENIED_CODE, VALIDATING_DENIAL);
  }
  if (failurePolicy === 'ignore') {
    deps.log.warn(
      { ...fields, failure },
      'Validating webhook failed; the request goes on (failurePolicy ignore)',
    );
    return undefined;
  }
  deps.log.error(
    { ...fields, failure },
    'Validating webhook failed, so the request was denied (failurePolicy fail)',
  );
  deps.observer.refused('validating', name, 'failure');
  return refuse(403, DENIED_CODE, VALIDATING_DENIAL);
}

async function mutate(
  message: RpcMessage,
  caller: Caller,
  client: WebhookClient,
  deps: ChainDeps,
): Promise<ChainOutcome> {
  const { name, failurePolicy } = client.webhook;
  const body = requestBody(message, caller, deps.context, (deps.now ?? now)());
  const result = await timedCall('mutating', client, body, deps);
  const fields = { webhook: name, type: 'mutating', method: methodOf(message) };
  const unchanged: ChainOutcome = { pass: true, message };
  if (!result.ok) {
    const { failure } = result;
    if (alwaysDenies(failure)) {
      deps.log.info({ ...fields, detail: failure.detail }, 'Mutating webhook denied a request with HTTP 422');
      deps.observer.refused('mutating', name, 'denied');
      return refuse(422, DENIED_CODE, MUTATING_DENIAL);
    }
    if (failurePolicy === 'ignore') {
      deps.log.warn(
        { ...fields, failure },
        'Mutating webhook failed; the request goes on unchanged (failurePolicy ignore)',
      );
      return unchanged;
    }
    deps.log.error(
      { ...fields, failure },
      'Mutating webhook failed, so the request was denied (failurePolicy fail)',
    );
    deps.observer.refused('mutating', name, 'failure');
    return refuse(500, INTERNAL_ERROR, 'Webhook error');
  }
  if (!result.answer.allowed) {
    const { reason, message: said } = result.answer;
    deps.log.info({ ...fields, reason, message: said }, 'Mutating webhook denied a request');
    deps.observer.refused('mutating', name, 'denied');
    return refuse(403, DENIED_CODE, MUTATING_DENIAL);
  }
  const patched = applyAnswer(message, result.answer);
  if (patched.kind === 'unchanged') return unchanged;
  if (patched.kind === 'patched') return { pass: true, message: patched.message };
  if (patched.kind === 'invalid' && failurePolicy === 'ignore') {
    deps.log.warn(
      { ...fields, detail: patched.detail },
      'Mutating webhook answered a patch that cannot be applied; ignored',
    );
    return unchanged;
  }
  deps.log.error({ ...fields, detail: patched.detail }, `${patched.clientMessage}: the request was denied`);
  deps.observer.refused('mutating', name, 'failure');
  return refuse(500, INTERNAL_ERROR, patched.clientMessage);
}
