// The AdmissionReview envelope as webhook/server.ts sees it: just enough to answer when the handler
// could not (its uid and apiVersion), to label metrics (operation, verdict), and controller-runtime's
// `Errored` answer. The decision itself is webhook/review.ts's; this file never reads the object.
import type { Verdict } from './metrics.ts';

/** What an admission handler answers: the HTTP status and the JSON body (an AdmissionReview when 200). */
export interface AdmissionResult {
  httpStatus: number;
  body: unknown;
}

export const ADMISSION_V1 = 'admission.k8s.io/v1';

/** controller-runtime's `Errored`: a denial with code 500 when we know whom to answer, else a plain 500. */
export function erroredResult(review: unknown, message: string): AdmissionResult {
  const uid = uidOf(review);
  if (uid === undefined) return { httpStatus: 500, body: { message } };
  const body = reviewWithResponse(apiVersionOf(review), {
    uid,
    allowed: false,
    status: { code: 500, message },
  });
  return { httpStatus: 200, body };
}

export function reviewWithResponse(apiVersion: string, response: Record<string, unknown>) {
  return { apiVersion, kind: 'AdmissionReview', response };
}

function requestOf(review: unknown): Record<string, unknown> | undefined {
  const request = (review as { request?: unknown } | null)?.request;
  return typeof request === 'object' && request !== null ? (request as Record<string, unknown>) : undefined;
}

export function uidOf(review: unknown): string | undefined {
  const uid = requestOf(review)?.uid;
  return typeof uid === 'string' && uid !== '' ? uid : undefined;
}

export function operationOf(review: unknown): string {
  const operation = requestOf(review)?.operation;
  return typeof operation === 'string' ? operation : 'unknown';
}

/** The response must carry the request's apiVersion, v1 or v1beta1. */
function apiVersionOf(review: unknown): string {
  const apiVersion = (review as { apiVersion?: unknown } | null)?.apiVersion;
  return apiVersion === 'admission.k8s.io/v1beta1' ? apiVersion : ADMISSION_V1;
}

export function verdictOf(result: AdmissionResult): Verdict {
  if (result.httpStatus >= 500) return 'errored';
  if (result.httpStatus !== 200) return 'bad_request';
  const response = (result.body as { response?: { allowed?: unknown; status?: { code?: unknown } } } | null)
    ?.response;
  if (response?.allowed === true) return 'allowed';
  const code = response?.status?.code;
  return typeof code === 'number' && code >= 500 ? 'errored' : 'denied';
}
