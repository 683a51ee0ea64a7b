// What the token fuzz test (token.fuzz.test.ts) puts in the Authorization header of requests to an
// authenticating proxy: other schemes and garbage, "Bearer" with malformed JWTs (odd base64, wrong part
// counts, padding, JSON bombs and hostile values in the header and payload: alg none and HS256, huge or
// odd kids, crit, b64), opaque tokens for introspection, headers past Node's 16 KiB limit, and tokens
// really signed with the test issuer's key over generated claims. Every answer must be 200, 401, 403
// (with WWW-Authenticate) or 431 for an oversized header; never a 500, never a crash.
import fc from 'fast-check';

export interface TokenCase {
  label: string;
  /** The Authorization header value, or a function of the signer for really signed tokens. */
  header: string | ((sign: Signer) => Promise<string>);
  statuses: readonly number[];
}

export type Signer = (claims: Record<string, unknown>, header: Record<string, unknown>) => Promise<string>;

const REFUSED = [401] as const;
const b64 = (value: string): string => Buffer.from(value).toString('base64url');
/** Header-legal text: visible ASCII and spaces (what an HTTP client can send at all). */
const headerText = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });
const b64Text = (maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...'ABCxyz0189-_+/=.%'.split('')), maxLength });

/** Nesting that costs little to send and much to a naive parser: [[[[...]]]] or {"a":{"a":...}}. */
const jsonBomb = fc
  .tuple(fc.integer({ min: 100, max: 2000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
  );

const jsonPart = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  jsonBomb,
  fc.constantFrom(
    '{',
    '{"alg":',
    'null',
    '[]',
    '"x"',
    '{"alg":"none"}',
    '{"alg":"HS256","kid":"k1"}',
    '{"alg":"ES256","kid":"k1","crit":["zzz"],"zzz":1}',
    '{"alg":"ES256","kid":"k1","b64":false,"crit":["b64"]}',
    '\u0000',
  ),
  headerText(40),
);

const malformedJwt: fc.Arbitrary<TokenCase> = fc
  .tuple(jsonPart, jsonPart, b64Text(60), fc.constantFrom(1, 2, 3, 4, 5))
  .map(([header, payload, signature, parts]) => {
    const all = [b64(header), b64(payload), signature, 'eHg', 'x'].slice(0, parts);
    return { label: 'malformed-jwt', header: `Bearer ${all.join('.')}`, statuses: REFUSED };
  });

const oddBearer: fc.Arbitrary<TokenCase> = fc.oneof(
  headerText(200).map((h) => ({ label: 'garbage', header: h, statuses: REFUSED })),
  b64Text(200).map((t) => ({ label: 'opaque', header: `Bearer ${t}`, statuses: REFUSED })),
  fc
    .constantFrom(
      'Bearer',
      'Bearer  ',
      'bearer x',
      'Bearer Bearer x',
      'Basic dXNlcjpwYXNz',
      'Bearer a.b.c',
      'Bearer ...',
    )
    .map((h) => ({ label: 'odd-bearer', header: h, statuses: REFUSED })),
);

const huge: fc.Arbitrary<TokenCase> = fc.integer({ min: 17_000, max: 64_000 }).map((n) => ({
  label: 'huge',
  header: `Bearer ${'a'.repeat(n)}`,
  statuses: [431],
}));

/** Mostly the right value (so some tokens pass every check), sometimes a generated one. */
const mostly = <T>(right: T, other: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 6, arbitrary: fc.constant<unknown>(right) }, { weight: 1, arbitrary: other });
const absentOr = (value: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value });

/** Really signed with the issuer's key; the claims decide, so any of 200, 401, 403 may come. */
const signed = (issuer: string, audience: string): fc.Arbitrary<TokenCase> =>
  fc
    .record({
      iss: mostly(issuer, fc.jsonValue({ maxDepth: 1 })),
      aud: mostly(audience, fc.oneof(fc.constant([audience, 'x']), fc.jsonValue({ maxDepth: 1 }))),
      exp: mostly(
        Math.floor(Date.now() / 1000) + 600,
        fc.oneof(fc.integer({ min: -1, max: 2 ** 32 }), fc.jsonValue({ maxDepth: 1 })),
      ),
      nbf: absentOr(fc.oneof(fc.integer(), fc.string())),
      sub: mostly('fuzz', fc.jsonValue({ maxDepth: 1 })),
      scope: mostly('mcp:tools', fc.oneof(headerText(30), fc.jsonValue({ maxDepth: 1 }))),
      'kubernetes.io': absentOr(fc.jsonValue({ maxDepth: 3 })),
      bomb: absentOr(jsonBomb.map((text) => JSON.parse(text) as unknown)),
    })
    .chain((claims) =>
      fc.record({ kid: mostly('k1', headerText(300)) }).map((extra) => ({
        label: 'signed',
        header: async (sign: Signer) => `Bearer ${await sign(claims, extra)}`,
        statuses: [200, 401, 403],
      })),
    );

export const tokenCaseArbitrary = (issuer: string, audience: string): fc.Arbitrary<TokenCase> =>
  fc.oneof(
    { weight: 4, arbitrary: malformedJwt },
    { weight: 3, arbitrary: oddBearer },
    { weight: 1, arbitrary: huge },
    { weight: 3, arbitrary: signed(issuer, audience) },
  );
