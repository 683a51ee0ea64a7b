// cedar-wasm's functions as used here, made safe for hostile policy text (both found by
// test/fuzz/cedar.fuzz.test.ts):
//   - A throw becomes the failure answer it would have been: some inputs make the wasm throw instead
//     of answering failure, and a config check or a decision must never throw for its input.
//   - Text nested too deep is refused before Cedar sees it: cedar-wasm's parser recurses on the native
//     stack, and about 200 nested brackets, or 500 chained `+` or `if`, overflow it, after which the
//     wasm instance is corrupt ("memory access out of bounds" for every later call, in the whole
//     process: one hostile policy sent to admission would break every later check). The limits are
//     well below those and well above what a person writes: nesting 32, 200 operators, 32 KiB.
// The rest of the code calls Cedar only through here.
import { createRequire } from 'node:module';
import type * as cedar from '@cedar-policy/cedar-wasm/nodejs';

// cedar-wasm is loaded with its first call, not at import: its WebAssembly module holds about 10 MiB
// resident, which an operator that never reviews a Cedar policy, and a proxy without authz, do not need.
// Its Node build is CommonJS, so it loads synchronously and every function here stays synchronous.
let wasm: typeof cedar | undefined;
const load = (): typeof cedar =>
  (wasm ??= createRequire(import.meta.url)('@cedar-policy/cedar-wasm/nodejs') as typeof cedar);

type Failure = { type: 'failure'; errors: cedar.DetailedError[]; warnings: cedar.DetailedError[] };

function failure(err: unknown): Failure {
  const text = err instanceof Error ? err.message : String(err);
  const message = text.startsWith('the policy is too complex') ? text : `Cedar could not read it: ${text}`;
  return {
    type: 'failure',
    errors: [{ message, help: null, code: null, url: null, severity: null }],
    warnings: [],
  };
}

export const MAX_POLICY_BYTES = 32 * 1024;
export const MAX_NESTING = 32;
export const MAX_OPERATORS = 200;
const OPERATOR_WORDS = new Set(['if', 'in', 'like', 'has', 'is']);

/** Why Cedar must not parse this text (see the file comment), or undefined when it may. */
export function tooComplex(text: string): string | undefined {
  if (text.length > MAX_POLICY_BYTES) return `longer than ${MAX_POLICY_BYTES} characters`;
  let depth = 0;
  let deepest = 0;
  let operators = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '(' || c === '[' || c === '{') deepest = Math.max(deepest, ++depth);
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if ('+-*<>=!&|.'.includes(c)) operators++;
    else if (/[a-z]/.test(c) && !/[A-Za-z0-9_]/.test(text[i - 1] ?? ' ')) {
      const word = /^[A-Za-z0-9_]+/.exec(text.slice(i, i + 8))![0];
      if (OPERATOR_WORDS.has(word)) operators++;
    }
  }
  if (deepest > MAX_NESTING) return `nested deeper than ${MAX_NESTING} brackets`;
  if (operators > MAX_OPERATORS) return `more than ${MAX_OPERATORS} operators`;
  return undefined;
}

function refused(reason: string): Failure {
  return failure(new Error(`the policy is too complex to parse safely: ${reason}`));
}

function guarded<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R | Failure {
  return (...args) => {
    try {
      return fn(...args);
    } catch (err) {
      return failure(err);
    }
  };
}

/** The texts of a policy set as this code passes them (a string or a record of strings). */
function textsOf(set: cedar.PolicySet): string[] {
  const s = set.staticPolicies;
  if (typeof s === 'string') return [s];
  return Object.values(s ?? {}).filter((p): p is string => typeof p === 'string');
}

function limited<A extends unknown[], R>(
  texts: (...args: A) => string[],
  fn: (...args: A) => R,
): (...args: A) => R | Failure {
  const safe = guarded(fn);
  return (...args) => {
    for (const text of texts(...args)) {
      const reason = tooComplex(text);
      if (reason) return refused(reason);
    }
    return safe(...args);
  };
}

export const checkParsePolicySet = limited(
  (set: cedar.PolicySet) => textsOf(set),
  (set: cedar.PolicySet) => load().checkParsePolicySet(set),
);
export const checkParseEntities = guarded((...a: Parameters<typeof cedar.checkParseEntities>) =>
  load().checkParseEntities(...a),
);
export const policySetTextToParts = limited(
  (text: string) => [text],
  (text: string) => load().policySetTextToParts(text),
);
export const policyToJson = limited(
  (text: string) => [text],
  (text: string) => load().policyToJson(text),
);
export const preparsePolicySet = limited(
  (_id: string, set: cedar.PolicySet) => textsOf(set),
  (id: string, set: cedar.PolicySet) => load().preparsePolicySet(id, set),
);
export const statefulIsAuthorized = guarded((...a: Parameters<typeof cedar.statefulIsAuthorized>) =>
  load().statefulIsAuthorized(...a),
);
export type { Context, Entities } from '@cedar-policy/cedar-wasm/nodejs';
