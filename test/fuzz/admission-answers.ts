// Sending admission cases over kept-alive HTTPS (undici, as many connections as the concurrency) and
// judging the answers against what each case expects (admission-cases.ts). checkAnswer is pure.
import { Readable } from 'node:stream';
import { Pool } from 'undici';
import type { AdmissionCase, Expected } from './admission-cases.ts';

export interface Answer {
  status: number;
  contentType: string | undefined;
  body: Buffer;
  /** From the first byte sent to the last byte received. */
  ms: number;
}

export function admissionPool(port: number, caPem: string, connections: number): Pool {
  return new Pool(`https://127.0.0.1:${port}`, {
    connections,
    connect: { ca: caPem },
    // Well past the webhook timeout, so that a slow answer is seen and judged rather than abandoned.
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
}

export async function send(pool: Pool, c: AdmissionCase): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (c.contentType !== undefined) headers['content-type'] = c.contentType;
  const body = c.body && c.chunked ? Readable.from([c.body]) : c.body;
  const started = performance.now();
  const res = await pool.request({ path: c.path, method: c.method, headers, body });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  const contentType = res.headers['content-type'];
  return {
    status: res.statusCode,
    contentType: Array.isArray(contentType) ? contentType[0] : contentType,
    body: bytes,
    ms: performance.now() - started,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The body as a JSON object, or why it is not one. */
function jsonObject(answer: Answer): Record<string, unknown> | string {
  if (!answer.contentType?.startsWith('application/json'))
    return `content-type ${String(answer.contentType)}, not JSON`;
  try {
    const body = JSON.parse(answer.body.toString('utf8')) as unknown;
    return isObject(body) ? body : 'body is not a JSON object';
  } catch {
    return 'body is not JSON';
  }
}

/** Why a 200 body is not the AdmissionReview answering uid (an Errored one only if tolerated), or undefined. */
function reviewProblem(
  body: Record<string, unknown>,
  expected: Extract<Expected, { status: 200 }>,
): string | undefined {
  const response = body.response;
  if (body.apiVersion !== 'admission.k8s.io/v1' || body.kind !== 'AdmissionReview' || !isObject(response))
    return 'not an admission.k8s.io/v1 AdmissionReview with a response';
  if (response.uid !== expected.uid)
    return `response.uid ${JSON.stringify(response.uid)}, want ${JSON.stringify(expected.uid)}`;
  if (typeof response.allowed !== 'boolean') return 'response.allowed is not a boolean';
  const code = isObject(response.status) ? response.status.code : undefined;
  if (!expected.erroredAllowed && typeof code === 'number' && code >= 500)
    return `answered Errored (${code}): ${JSON.stringify(response.status)}`;
  return undefined;
}

/** Why the answer breaks a promise (a JSON answer in time, of the expected kind), or undefined. */
export function checkAnswer(expected: Expected, answer: Answer, timeoutMs: number): string | undefined {
  if (answer.ms > timeoutMs)
    return `answered after ${Math.round(answer.ms)} ms, past the ${timeoutMs} ms webhook timeout`;
  const body = jsonObject(answer);
  if (typeof body === 'string') return body;
  const want = expected.status;
  const statusOk = want === '4xx' ? answer.status >= 400 && answer.status < 500 : answer.status === want;
  if (!statusOk)
    return `status ${answer.status}, want ${want}: ${answer.body.toString('utf8').slice(0, 300)}`;
  return expected.status === 200 ? reviewProblem(body, expected) : undefined;
}

/** The verdict of a 200 answer for counting: allowed, denied or errored. */
export function verdictOf(answer: Answer): string {
  if (answer.status !== 200) return String(answer.status);
  const response = (
    JSON.parse(answer.body.toString('utf8')) as {
      response?: { allowed?: boolean; status?: { code?: number } };
    }
  ).response;
  if (response?.allowed) return 'allowed';
  return (response?.status?.code ?? 0) >= 500 ? 'errored' : 'denied';
}

/** Runs work over items with at most `concurrency` in flight; resolves with results in order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
