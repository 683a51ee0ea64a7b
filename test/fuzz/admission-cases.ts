// What the admission fuzz test sends, and what each request must get back. Cases are generated from the
// MCPServer schema (schema-arbitraries.ts) and AdmissionReview envelopes with every part sometimes wrong,
// then spoiled on the way to bytes: malformed JSON, deep nesting, wrong content types and methods. The
// expected answer is computed here from the bytes alone (expectedFor), independently of webhook/*, from
// what admission.k8s.io/v1 and the README promise: a well-formed MCPServer review gets a 200
// AdmissionReview carrying its uid; anything else a 4xx (413 past the body limit, 400 for bad JSON).
import fc from 'fast-check';
import { MUTATE_PATHS, VALIDATE_PATHS } from '../../webhook/paths.ts';
import { MAX_REVIEW_BYTES } from '../../webhook/server.ts';
import { hostileText, nameish } from './hostile-text.ts';
import {
  MCPSERVER_SCHEMA,
  SAMPLE_OF_KIND,
  fieldPaths,
  nodeAt,
  resolve,
  setAt,
  validish,
  wrongKinds,
  wrongTypeFor,
  type FieldPath,
} from './schema-arbitraries.ts';

export const ADMISSION_PATHS: readonly string[] = [...VALIDATE_PATHS, ...MUTATE_PATHS];
const GROUP = 'toolhive.stacklok.dev';
const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

/** What a response must be: a review for uid (an Errored one tolerated only where said), or a refusal. */
export type Expected =
  { status: 200; uid: string; erroredAllowed: boolean } | { status: 400 | 413 } | { status: '4xx' };

export interface AdmissionCase {
  /** The generator that made it, for counts and failure messages. */
  label: string;
  method: string;
  path: string;
  contentType: string | undefined;
  body: Buffer | undefined;
  /** Sent with Transfer-Encoding: chunked instead of Content-Length. */
  chunked: boolean;
  expected: Expected;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The answer a parsed body must get, from admission.k8s.io/v1 alone. */
export function expectedForReview(review: unknown): Expected {
  if (!isObject(review) || review.apiVersion !== 'admission.k8s.io/v1' || review.kind !== 'AdmissionReview')
    return { status: 400 };
  const request = review.request;
  if (!isObject(request)) return { status: 400 };
  const { uid, kind, operation, object } = request;
  if (typeof uid !== 'string' || uid === '') return { status: 400 };
  if (!isObject(kind) || kind.group !== GROUP || kind.kind !== 'MCPServer') return { status: 400 };
  if (typeof operation !== 'string' || !OPERATIONS.includes(operation)) return { status: 400 };
  if ((operation === 'CREATE' || operation === 'UPDATE') && !isObject(object)) return { status: 400 };
  return { status: 200, uid, erroredAllowed: false };
}

// Content types the server must read as JSON, and some it must refuse.
const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON'];
const NOT_JSON_TYPES = [
  undefined,
  '',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jsonx',
  'json',
  'application/yaml',
];

/** The answer a request must get, from its method, path, content type and bytes. */
export function expectedFor(
  method: string,
  path: string,
  contentType: string | undefined,
  body: Buffer | undefined,
): Expected {
  const route = path.split('?', 1)[0]!;
  if (method !== 'POST' || !ADMISSION_PATHS.includes(route)) return { status: '4xx' };
  if (!body || body.length === 0) return { status: '4xx' };
  if (!JSON_TYPES.includes(contentType ?? '')) return { status: '4xx' };
  if (body.length > MAX_REVIEW_BYTES) return { status: 413 };
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return { status: 400 };
  }
  return expectedForReview(value);
}

function admissionCase(
  label: string,
  path: string,
  body: Buffer | undefined,
  options: {
    method?: string;
    contentType?: string | undefined;
    chunked?: boolean;
    erroredAllowed?: boolean;
  } = {},
): AdmissionCase {
  const method = options.method ?? 'POST';
  const contentType = 'contentType' in options ? options.contentType : 'application/json';
  let expected = expectedFor(method, path, contentType, body);
  if (expected.status === 200 && options.erroredAllowed) expected = { ...expected, erroredAllowed: true };
  const c: AdmissionCase = {
    label,
    method,
    path,
    contentType,
    body,
    chunked: options.chunked ?? false,
    expected,
  };
  // fast-check prints counterexamples with this: bodies can be megabytes.
  return Object.assign(c, { [fc.toStringMethod]: () => describeCase(c) });
}

/** A short description for failure messages: bodies can be megabytes. */
export function describeCase(c: AdmissionCase): string {
  const size = c.body?.length ?? 0;
  const excerpt = c.body ? JSON.stringify(c.body.subarray(0, 400).toString('utf8')) : '(no body)';
  return `${c.label}: ${c.method} ${c.path} content-type=${String(c.contentType)} ${size} bytes${c.chunked ? ' chunked' : ''} expect ${JSON.stringify(c.expected)} body ${excerpt}`;
}

// ---- objects ----

export const BASE_SERVER = {
  apiVersion: 'toolhive.stacklok.dev/v1alpha1',
  kind: 'MCPServer',
  metadata: { name: 'fuzz', namespace: 'team-a' },
  spec: { image: 'ghcr.io/example/server:1.0' },
};

const SPEC_NODE = resolve(MCPSERVER_SCHEMA.properties!.spec!);
const FIELD_PATHS = fieldPaths();

/** A valid base whose spec fields are generated: the shape is right, the values often odd. */
const validishServer: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 3,
    arbitrary: (validish(SPEC_NODE) as fc.Arbitrary<Record<string, unknown>>).map((spec) => ({
      ...BASE_SERVER,
      spec: { ...BASE_SERVER.spec, ...spec },
    })),
  },
  { weight: 1, arbitrary: validish(MCPSERVER_SCHEMA) },
);

/** A validish server with one field replaced by a value of a type the schema does not allow there. */
const wrongTypedServer: fc.Arbitrary<unknown> = fc
  .tuple(validishServer, fc.constantFrom(...FIELD_PATHS))
  .chain(([server, path]) => wrongTypeFor(nodeAt(path)).map((value) => setAt(server, path, value)));

const server: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: validishServer },
  { weight: 2, arbitrary: wrongTypedServer },
  { weight: 1, arbitrary: fc.constant(BASE_SERVER) },
);

// ---- envelopes ----

const ABSENT = Symbol('absent');
type MaybeAbsent<T> = T | typeof ABSENT;

/** Usually arb, sometimes a value of another kind, sometimes no key at all. */
function usually<T>(arb: fc.Arbitrary<T>, odd: fc.Arbitrary<unknown>): fc.Arbitrary<MaybeAbsent<unknown>> {
  return fc.oneof(
    { weight: 12, arbitrary: arb },
    { weight: 1, arbitrary: odd },
    { weight: 1, arbitrary: fc.constant(ABSENT) },
  );
}

function withoutAbsent(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== ABSENT));
}

const anyJson = fc.jsonValue({ maxDepth: 2 });

const groupVersionKind = fc.record({
  group: fc.constant(GROUP),
  version: fc.constantFrom('v1alpha1', 'v1beta1'),
  kind: fc.constant('MCPServer'),
});

const request = fc
  .record({
    uid: usually(fc.uuid(), fc.oneof(fc.constant(''), hostileText(), anyJson)),
    kind: usually(
      groupVersionKind,
      fc.oneof(
        fc.constant({ group: '', version: 'v1', kind: 'Pod' }),
        groupVersionKind.map((k) => ({ ...k, group: 'toolhive.stacklok.dev.' })),
        anyJson,
      ),
    ),
    resource: usually(fc.constant({ group: GROUP, version: 'v1alpha1', resource: 'mcpservers' }), anyJson),
    subResource: fc.oneof(fc.constant(ABSENT), fc.constantFrom('status', 'scale')),
    name: usually(nameish, anyJson),
    namespace: usually(nameish, anyJson),
    operation: usually(
      fc.constantFrom(...OPERATIONS),
      fc.oneof(fc.constantFrom('create', 'PATCH', '', 'CREATE ', 'DELETE\u0000'), anyJson),
    ),
    userInfo: usually(
      fc.record({ username: hostileText(), uid: fc.uuid(), groups: fc.array(nameish, { maxLength: 3 }) }),
      anyJson,
    ),
    object: usually(server, anyJson),
    oldObject: fc.oneof(fc.constant(ABSENT), server, fc.constant(null)),
    dryRun: usually(fc.boolean(), anyJson),
    options: fc.oneof(fc.constant(ABSENT), anyJson),
  })
  .map(withoutAbsent);

export const envelope: fc.Arbitrary<unknown> = fc
  .record({
    apiVersion: usually(
      fc.constant('admission.k8s.io/v1'),
      fc.oneof(fc.constantFrom('admission.k8s.io/v1beta1', 'admission.k8s.io/v2', 'v1', ''), anyJson),
    ),
    kind: usually(
      fc.constant('AdmissionReview'),
      fc.oneof(fc.constantFrom('AdmissionRequest', 'Status'), anyJson),
    ),
    request: usually(request, anyJson),
    response: fc.oneof(
      { weight: 9, arbitrary: fc.constant(ABSENT) },
      { weight: 1, arbitrary: fc.record({ uid: fc.uuid(), allowed: fc.boolean() }) },
    ),
  })
  .map(withoutAbsent);

// ---- from values to requests ----

const admissionPath = fc
  .tuple(
    fc.constantFrom(...ADMISSION_PATHS),
    fc.oneof(
      { weight: 6, arbitrary: fc.constant('') },
      { weight: 2, arbitrary: fc.constant('?timeout=5s') },
      { weight: 1, arbitrary: hostileText(6).map((t) => `?timeout=${percentEncoded(t)}`) },
    ),
  )
  .map(([path, query]) => path + query);

/** Every UTF-8 byte percent-encoded: encodeURIComponent throws on lone surrogates. */
const percentEncoded = (text: string): string =>
  [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

/** A generated envelope, as JSON, to an admission path. */
export const reviewCaseArbitrary: fc.Arbitrary<AdmissionCase> = fc
  .tuple(
    fc.constantFrom('envelope', 'wrong-typed-field'),
    admissionPath,
    envelope,
    wrongTypedServer,
    fc.uuid(),
  )
  .map(([label, path, review, wrong, uid]) => {
    if (label === 'envelope') return admissionCase(label, path, json(review));
    const valid = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid,
        kind: { group: GROUP, version: 'v1alpha1', kind: 'MCPServer' },
        operation: 'CREATE',
        namespace: 'team-a',
        object: wrong,
      },
    };
    return admissionCase(label, path, json(valid));
  });

/** Bytes that are not quite JSON: truncated, spliced with invalid UTF-8 or garbage, or not JSON at all. */
const malformedCase = fc
  .tuple(
    admissionPath,
    envelope,
    fc.constantFrom('truncate', 'splice-bytes', 'trailing', 'bom', 'literal', 'random'),
    fc.nat(),
    fc.uint8Array({ minLength: 1, maxLength: 64 }),
    fc.constantFrom(
      'NaN',
      'undefined',
      "{'a':1}",
      '{"a":1,}',
      '{"a"}',
      '[',
      '"\\ud800"',
      'null',
      '[]',
      '0',
      '{}',
      '\u0000',
    ),
  )
  .map(([path, review, how, at, bytes, literal]) => {
    const text = json(review);
    const cut = text.length === 0 ? 0 : at % text.length;
    let body: Buffer;
    switch (how) {
      case 'truncate':
        body = text.subarray(0, Math.max(1, cut));
        break;
      case 'splice-bytes':
        body = Buffer.concat([text.subarray(0, cut), Buffer.from(bytes), text.subarray(cut)]);
        break;
      case 'trailing':
        body = Buffer.concat([text, Buffer.from(bytes)]);
        break;
      case 'bom':
        body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]);
        break;
      case 'literal':
        body = Buffer.from(literal, 'utf8');
        break;
      default:
        body = Buffer.from(bytes);
    }
    return admissionCase(`malformed-${how}`, path, body);
  });

/** Text of depth levels of nested objects or arrays around a leaf. */
export function nested(depth: number, shape: 'object' | 'array'): string {
  return shape === 'object'
    ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
    : `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

const DEEP_PLACES: readonly FieldPath[] = [
  ['request', 'object'],
  ['request', 'oldObject'],
  ['request', 'options'],
  ['request', 'userInfo'],
  ['request', 'object', 'spec', 'tools'],
  ['request', 'object', 'spec', 'podTemplateSpec'],
  ['request', 'object', 'spec', 'podTemplateSpec', 'spec', 'containers', 0, 'resources'],
  ['request', 'object', 'spec', 'image'],
  ['request', 'object', 'spec', 'env'],
  ['request', 'object', 'metadata', 'labels'],
  ['request', 'object', 'metadata'],
  ['request', 'uid'],
  [],
];
const DEEP_MARK = '"__deep__"';

/** A well-formed review with one value nested deeper than anything real (the API server stops at 10,000). */
const deepCase = fc
  .tuple(
    admissionPath,
    fc.uuid(),
    fc.constantFrom(...DEEP_PLACES),
    fc.constantFrom(100, 1_000, 10_000, 100_000),
    fc.constantFrom('object' as const, 'array' as const),
    fc.constantFrom('CREATE', 'UPDATE', 'DELETE'),
  )
  .map(([path, uid, place, depth, shape, operation]) => {
    const review = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid,
        kind: { group: GROUP, version: 'v1alpha1', kind: 'MCPServer' },
        operation,
        namespace: 'team-a',
        object: BASE_SERVER,
      },
    };
    const marked = JSON.stringify(setAt(review, place, '__deep__'));
    const body = Buffer.from(marked.replace(DEEP_MARK, nested(depth, shape)), 'utf8');
    // Errored (500) is tolerated past 10,000 levels: the API server never sends such objects, and a
    // review that cannot be walked is still answered, in time, as an error.
    return admissionCase(`deep-${depth}`, path, body, { erroredAllowed: depth > 10_000 });
  });

/** A valid review with the wrong content type, method or path. */
const transportCase = fc
  .tuple(
    admissionPath,
    envelope,
    fc.constantFrom('content-type', 'method', 'path'),
    fc.constantFrom(...NOT_JSON_TYPES),
    fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
    fc.constantFrom(
      '/',
      '/validate',
      '/mutate-toolhive-stacklok-dev-v1alpha2-mcpserver',
      '/validate-toolhive-stacklok-dev-v1alpha1-mcpserver/',
      '/VALIDATE-toolhive-stacklok-dev-v1alpha1-mcpserver',
      '/%00',
      '/..%2f..%2fetc%2fpasswd',
      '/validate-toolhive-stacklok-dev-v1alpha1-mcpserver%3F',
      '/metrics/x',
      '/%E0%A4%A',
    ),
    fc.constantFrom(...JSON_TYPES),
  )
  .map(([path, review, what, badType, method, badPath, goodType]) => {
    const body = json(review);
    if (what === 'content-type') return admissionCase('content-type', path, body, { contentType: badType });
    if (what === 'method') return admissionCase('method', path, body, { method, contentType: goodType });
    return admissionCase('path', badPath, body, { contentType: goodType });
  });

/** Every generated request, weighted towards well-formed envelopes (where the rules run). */
export const admissionCaseArbitrary: fc.Arbitrary<AdmissionCase> = fc.oneof(
  { weight: 10, arbitrary: reviewCaseArbitrary },
  { weight: 2, arbitrary: malformedCase },
  { weight: 1, arbitrary: deepCase },
  { weight: 2, arbitrary: transportCase },
);

/** Each schema field given one value of each JSON kind it must not hold, on both kinds of path. */
export function wrongTypeSweep(): AdmissionCase[] {
  const cases: AdmissionCase[] = [];
  let n = 0;
  for (const path of FIELD_PATHS) {
    for (const kind of wrongKinds(nodeAt(path))) {
      const object = setAt(BASE_SERVER, path, SAMPLE_OF_KIND[kind]);
      const route = ADMISSION_PATHS[n % ADMISSION_PATHS.length]!;
      const review = {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid: `sweep-${n}`,
          kind: { group: GROUP, version: 'v1alpha1', kind: 'MCPServer' },
          operation: 'CREATE',
          namespace: 'team-a',
          object,
        },
      };
      cases.push(admissionCase(`sweep ${path.join('.')}=${kind}`, route, json(review)));
      n += 1;
    }
  }
  return cases;
}

const reviewOf = (object: unknown, uid: string) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid,
    kind: { group: GROUP, version: 'v1alpha1', kind: 'MCPServer' },
    operation: 'UPDATE',
    namespace: 'team-a',
    object,
    oldObject: object,
  },
});

/**
 * Bodies at and past the 7 MiB limit, and wide objects under it (many env entries, labels, containers,
 * one long string): what would take the rules quadratic time or the server unbounded memory.
 */
export function hugeCases(): AdmissionCase[] {
  const [validate, mutate] = [ADMISSION_PATHS[0]!, ADMISSION_PATHS[2]!];
  const over = Buffer.alloc(MAX_REVIEW_BYTES + 1024, 0x20); // JSON whitespace: only the size is wrong
  const env = Array.from({ length: 10_000 }, (_, i) => ({ name: `VAR_${i % 1000}`, value: 'x'.repeat(20) }));
  const labels = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`l${i}`, `v${i}`]));
  const containers = Array.from({ length: 2_000 }, (_, i) => ({
    name: i === 0 ? 'mcp' : `c${i % 100}`,
    image: 'x',
    volumeMounts: [{ name: `v${i}`, mountPath: '/m' }],
  }));
  const server = (
    spec: Record<string, unknown>,
    metadata: Record<string, unknown> = BASE_SERVER.metadata,
  ) => ({ ...BASE_SERVER, metadata, spec: { ...BASE_SERVER.spec, ...spec } });
  const cases: AdmissionCase[] = [];
  for (const path of [validate, mutate]) {
    cases.push(
      admissionCase('huge-declared', path, over),
      admissionCase('huge-chunked', path, over, { chunked: true }),
      admissionCase(
        'huge-string',
        path,
        json(reviewOf(server({ args: ['a'.repeat(3 * 1024 * 1024)] }), 'huge-string')),
      ),
      admissionCase('wide-env', path, json(reviewOf(server({ env }), 'wide-env'))),
      admissionCase(
        'wide-labels',
        path,
        json(reviewOf(server({}, { ...BASE_SERVER.metadata, labels }), 'wide-labels')),
      ),
      admissionCase(
        'wide-containers',
        path,
        json(reviewOf(server({ podTemplateSpec: { spec: { containers } } }), 'wide-containers')),
      ),
      admissionCase(
        'wide-secrets',
        path,
        json(
          reviewOf(
            server({ secrets: env.slice(0, 5_000).map((e, i) => ({ name: `s${i}`, key: e.name })) }),
            'wide-secrets',
          ),
        ),
      ),
    );
  }
  return cases;
}
