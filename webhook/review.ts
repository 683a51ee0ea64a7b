// AdmissionReview in, AdmissionReview out. Pure: does not read the cluster (facts.ts does, before) and does
// not speak HTTP (server.ts does, after). The server's flow for validation (handlers.ts) is
//   const started = startValidation(body)           // the answer already, or the object and its namespace
//   if ('answer' in started) return started.answer
//   const facts = await gatherFacts(started.object, lookup, started.namespace)
//   const { httpStatus, body: answer } = finishValidation(started, facts, policy)
// which is reviewValidate(body, facts, policy) with the facts gathered in between.
// and a throwing lookup becomes errored(uid, ...) (500), never a denial.
// dryRun needs no handling: admission here has no side effects, so a dry run gets the same answer.
import { defaultMCPServer } from './defaults.ts';
import type { AdmissionFacts, RequestUser } from './facts.ts';
import { errorBody, FieldPath, formatFieldError, goQuote, invalid, type FieldError } from './field.ts';
import { sharedStructurePatch } from './json-patch.ts';
import type { AdmissionPolicy } from './policy.ts';
import { dict, isDict, str, type Dict } from './rules/shape.ts';
import { validateMCPServer } from './validate.ts';

export const GROUP = 'toolhive.stacklok.dev';
export const KIND = 'MCPServer';
const REVIEW_API_VERSION = 'admission.k8s.io/v1';

export interface ReviewResult {
  httpStatus: 200 | 400;
  body: unknown;
}

interface ParsedRequest {
  uid: string;
  operation: string;
  name: string;
  namespace: string;
  object: unknown;
  userInfo: RequestUser;
}

function parseUserInfo(value: unknown): RequestUser {
  const info = dict(value);
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s) => typeof s === 'string') : []);
  const extra: Record<string, string[]> = {};
  for (const [key, values] of Object.entries(dict(info.extra))) extra[key] = strings(values);
  const uid = str(info.uid);
  return { username: str(info.username) ?? '', ...(uid ? { uid } : {}), groups: strings(info.groups), extra };
}

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

/** Why a request cannot be answered, or undefined when it can. */
function requestProblem(request: Dict, kinds: readonly string[]): string | undefined {
  if (!str(request.uid)) return 'AdmissionReview request has no uid';
  const kind = dict(request.kind);
  if (kind.group !== GROUP || !kinds.includes(str(kind.kind) ?? ''))
    return `request is not for ${kinds.map((k) => `${k}.${GROUP}`).join(' or ')}`;
  const operation = request.operation;
  if (typeof operation !== 'string' || !OPERATIONS.includes(operation)) {
    return `unknown operation ${JSON.stringify(operation)}`;
  }
  if ((operation === 'CREATE' || operation === 'UPDATE') && !isDict(request.object)) {
    return `${operation} request has no object`;
  }
  return undefined;
}

/** The request of a well-formed AdmissionReview of one of `kinds` (MCPServer), or why it is not one. */
export function parseReview(
  review: unknown,
  kinds: readonly string[] = [KIND],
): (ParsedRequest & { kind: string }) | { problem: string } {
  if (!isDict(review)) return { problem: 'request body is not a JSON object' };
  if (review.apiVersion !== REVIEW_API_VERSION || review.kind !== 'AdmissionReview') {
    return { problem: `expected an AdmissionReview of apiVersion ${REVIEW_API_VERSION}` };
  }
  const request = review.request;
  if (!isDict(request)) return { problem: 'AdmissionReview has no request' };
  const problem = requestProblem(request, kinds);
  if (problem) return { problem };
  return {
    kind: String(dict(request.kind).kind),
    uid: String(request.uid),
    operation: String(request.operation),
    name: str(request.name) ?? str(dict(dict(request.object).metadata).name) ?? '',
    namespace: str(request.namespace) ?? '',
    object: request.object,
    userInfo: parseUserInfo(request.userInfo),
  };
}

/** The object to gather facts for, with the namespace it is admitted into; undefined when nothing to do. */
export function admissionTarget(review: unknown): { object: unknown; namespace: string } | undefined {
  const parsed = parseReview(review);
  if ('problem' in parsed || !isDict(parsed.object)) return undefined;
  if (parsed.operation !== 'CREATE' && parsed.operation !== 'UPDATE') return undefined;
  return { object: withNamespace(parsed.object, parsed.namespace), namespace: parsed.namespace };
}

/** On CREATE the object may omit metadata.namespace; the request's namespace is the one it lands in. */
function withNamespace(object: Dict, namespace: string): Dict {
  const metadata = dict(object.metadata);
  if (metadata.namespace || !namespace) return object;
  return { ...object, metadata: { ...metadata, namespace } };
}

const answer = (response: Dict): ReviewResult => ({
  httpStatus: 200,
  body: { apiVersion: REVIEW_API_VERSION, kind: 'AdmissionReview', response },
});

export const badRequest = (message: string): ReviewResult => ({
  httpStatus: 400,
  body: { apiVersion: 'v1', kind: 'Status', status: 'Failure', code: 400, reason: 'BadRequest', message },
});

const withWarnings = (warnings: string[]): Dict => (warnings.length > 0 ? { warnings } : {});

export const allow = (uid: string, warnings: string[] = []): ReviewResult =>
  answer({ uid, allowed: true, ...withWarnings(warnings) });

/** Our own failure (e.g. a lookup that threw): 500, short message; the detail belongs in our log. */
export const errored = (uid: string, message: string): ReviewResult =>
  answer({ uid, allowed: false, status: { code: 500, reason: 'InternalError', message } });

/** A review answered without looking: the user it names may not make the request it describes. */
export const forbiddenReview = (uid: string, message: string): ReviewResult =>
  answer({ uid, allowed: false, status: { status: 'Failure', code: 403, reason: 'Forbidden', message } });

/** apimachinery's ErrorList.ToAggregate().Error(): duplicates dropped, one bare, several bracketed. */
export function aggregateMessage(errors: FieldError[]): string {
  const messages = [...new Set(errors.map(formatFieldError))];
  return messages.length === 1 ? (messages[0] ?? '') : `[${messages.join(', ')}]`;
}

/** The Status apimachinery's errors.NewInvalid builds, as the API server would return it. */
export function invalidStatus(name: string, errors: FieldError[], kind = KIND): Dict {
  return {
    status: 'Failure',
    code: 422,
    reason: 'Invalid',
    message: `${kind}.${GROUP} ${goQuote(name)} is invalid: ${aggregateMessage(errors)}`,
    details: {
      name,
      group: GROUP,
      kind,
      causes: errors.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field })),
    },
  };
}

export const deny = (
  uid: string,
  name: string,
  errors: FieldError[],
  warnings: string[] = [],
  kind = KIND,
): ReviewResult =>
  answer({ uid, allowed: false, status: invalidStatus(name, errors, kind), ...withWarnings(warnings) });

/**
 * Allowed, with the JSON Patch (RFC 6902) that turns the original into the defaulted object, which shares
 * every subtree it did not change with the original (json-patch.ts).
 */
export function patch(uid: string, original: Dict, defaulted: Dict, warnings: string[]): ReviewResult {
  const ops = sharedStructurePatch(original, defaulted);
  if (ops.length === 0) return allow(uid, warnings);
  const encoded = Buffer.from(JSON.stringify(ops)).toString('base64');
  return answer({ uid, allowed: true, patchType: 'JSONPatch', patch: encoded, ...withWarnings(warnings) });
}

/** The mutating webhook: defaults and legacy migration as a patch. Never denies. */
export function reviewMutate(review: unknown, policy: AdmissionPolicy): ReviewResult {
  const parsed = parseReview(review);
  if ('problem' in parsed) return badRequest(parsed.problem);
  if (parsed.operation !== 'CREATE' && parsed.operation !== 'UPDATE') return allow(parsed.uid);
  // parseReview has checked that CREATE and UPDATE carry an object; defaulting returns one too.
  const original = dict(parsed.object);
  const { object, warnings } = defaultMCPServer(original, policy);
  return patch(parsed.uid, original, dict(object), warnings);
}

/**
 * The validating webhook: the new object against the schema and every rule, all errors at once. UPDATE
 * validates the new object only: no field is immutable, since every change is reconciled by updating or
 * replacing the children and nothing in the spec is tied to stored data.
 */
export function reviewValidate(
  review: unknown,
  facts: AdmissionFacts,
  policy: AdmissionPolicy,
): ReviewResult {
  const started = startValidation(review);
  return 'answer' in started ? started.answer : finishValidation(started, facts, policy);
}

/** An MCPServer to validate: the request's uid and name, and the object in the namespace it lands in. */
export interface ValidationTarget {
  uid: string;
  name: string;
  namespace: string;
  object: Dict;
  operation: string;
  userInfo: RequestUser;
}

/**
 * reviewValidate's first half, so the server reads the envelope once: the answer when there is nothing to
 * validate (a malformed review, DELETE or CONNECT), else what to gather facts for and then validate.
 */
export function startValidation(review: unknown): ValidationTarget | { answer: ReviewResult } {
  const parsed = parseReview(review);
  if ('problem' in parsed) return { answer: badRequest(parsed.problem) };
  if (parsed.operation !== 'CREATE' && parsed.operation !== 'UPDATE') return { answer: allow(parsed.uid) };
  // The API server never sends an object whose namespace differs from the request's; a review that does
  // was not sent by it, and is answered about nothing (no lookup in either namespace).
  const own = str(dict(dict(parsed.object).metadata).namespace);
  if (own && own !== parsed.namespace) {
    const detail = `does not match the namespace of the request (${goQuote(parsed.namespace)})`;
    return {
      answer: deny(parsed.uid, parsed.name, [
        invalid(FieldPath.of('metadata').child('namespace'), own, detail),
      ]),
    };
  }
  const object = withNamespace(dict(parsed.object), parsed.namespace);
  const { uid, name, namespace, operation, userInfo } = parsed;
  return { uid, name, namespace, object, operation, userInfo };
}

/** reviewValidate's second half: the verdict on a target, given the facts gathered for it. */
export function finishValidation(
  target: ValidationTarget,
  facts: AdmissionFacts,
  policy: AdmissionPolicy,
): ReviewResult {
  const { errors, warnings } = validateMCPServer(target.object, facts, policy);
  return errors.length > 0 ? deny(target.uid, target.name, errors, warnings) : allow(target.uid, warnings);
}
