// What the Cedar fuzz test (cedar.fuzz.test.ts) feeds the authorization code: policy texts built from
// Cedar's pieces spliced with hostile text (odd unicode, unbalanced quotes and braces, huge names, deep
// nesting), entities JSON that is malformed, hostile or deep, and decision inputs (callers with huge,
// deeply nested or reserved-key claims; tool names and arguments of any kind). checkCedarConfig must
// answer problems, never throw; an authorizer built from a config it accepts must decide every input
// without throwing, within a time bound.
import fc from 'fast-check';
import { hostileText } from './hostile-text.ts';

const ident = fc.oneof(
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/),
  fc.constantFrom(
    'Client',
    'THVGroup',
    'Tool',
    'Prompt',
    'Resource',
    'MCP',
    'Action',
    'if',
    'in',
    'has',
    '__cedar',
  ),
);
const quoted = fc.oneof(hostileText(16), fc.constantFrom('a'.repeat(5000), 'é😀\u202e', '\\', '"', '\u0000'));
const uid = fc.tuple(ident, quoted).map(([t, id]) => `${t}::${JSON.stringify(id)}`);
const action = fc.oneof(
  fc
    .constantFrom('call_tool', 'get_prompt', 'read_resource', 'call_tol', 'list_tools')
    .map((a) => `Action::"${a}"`),
  uid,
);
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(
      'true',
      'principal',
      'resource',
      'context',
      '1',
      '"x"',
      'context.arg_message',
      'principal.claim_sub',
    ),
    uid,
    fc
      .tuple(tie('e'), fc.constantFrom('==', '!=', '&&', '||', 'in', '<', '+'), tie('e'))
      .map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(tie('e'), ident).map(([a, f]) => `${a} has ${f}`),
    fc.tuple(tie('e'), ident).map(([a, f]) => `${a}.${f}`),
    fc.tuple(tie('e'), quoted).map(([a, p]) => `${a} like ${JSON.stringify(p)}`),
  ),
})).e;
const wellFormed = fc
  .tuple(
    fc.constantFrom('permit', 'forbid'),
    fc.option(uid),
    fc.option(action),
    fc.option(uid),
    fc.option(expr),
  )
  .map(([effect, p, a, r, cond]) => {
    const principal = p ? `principal == ${p}` : 'principal';
    const act = a ? `action == ${a}` : 'action';
    const res = r ? `resource in ${r}` : 'resource';
    return `${effect}(${principal}, ${act}, ${res})${cond ? ` when { ${cond} }` : ''};`;
  });
/** Deep nesting the parser must refuse or survive: ((((...)))) and [[[[...]]]]. */
const deep = fc
  .tuple(fc.integer({ min: 50, max: 3000 }), fc.constantFrom(['(', ')'], ['[', ']'], ['!', '']))
  .map(
    ([n, [open, close]]) =>
      `permit(principal, action, resource) when { ${open.repeat(n)}true${close.repeat(n)} };`,
  );
const spliced = fc
  .tuple(wellFormed, fc.nat(), hostileText(20))
  .map(
    ([text, at, junk]) => text.slice(0, at % (text.length + 1)) + junk + text.slice(at % (text.length + 1)),
  );
/** A Cedar string literal for any text: Cedar escapes control characters as \\u{hex}, not JSON's \\u0000. */
function isControl(c: string): boolean {
  const code = c.codePointAt(0)!;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}
const cedarQuote = (text: string): string =>
  `"${[...text].map((c) => (c === '"' || c === '\\' ? `\\${c}` : isControl(c) ? `\\u{${c.codePointAt(0)!.toString(16)}}` : c)).join('')}"`;

/** Policies within the entity model, which the checks accept, so the decisions get exercised. */
const safeId = fc.oneof(hostileText(12), fc.constant('é😀\u202e'), fc.constant('n'.repeat(5000)));
const modelPolicy = fc
  .tuple(
    fc.constantFrom('permit', 'forbid'),
    fc.oneof(
      fc.constant('principal'),
      safeId.map((id) => `principal == Client::${cedarQuote(id)}`),
      safeId.map((id) => `principal in THVGroup::${cedarQuote(id)}`),
    ),
    fc.constantFrom(
      'action',
      'action == Action::"call_tool"',
      'action in [Action::"get_prompt", Action::"read_resource"]',
    ),
    fc.oneof(
      fc.constant('resource'),
      safeId.map((id) => `resource == Tool::${cedarQuote(id)}`),
      fc.constant('resource in MCP::"fuzz"'),
    ),
    fc.option(
      fc.constantFrom(
        'principal has claim_groups && principal.claim_groups.contains("eng")',
        'context has arg_message && context.arg_message like "safe*"',
        'resource has owner && resource.owner == principal.claim_sub',
        'context.claim_sub == "x"',
        'principal.claim_realm_access.groups.contains("a")',
        'resource has destructiveHint && resource.destructiveHint',
      ),
    ),
  )
  .map(([effect, p, a, r, cond]) => `${effect}(${p}, ${a}, ${r})${cond ? ` when { ${cond} }` : ''};`);
export const policyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: modelPolicy },
  { weight: 3, arbitrary: wellFormed },
  { weight: 2, arbitrary: spliced },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: hostileText(64) },
);

const jsonDeep = fc
  .tuple(fc.integer({ min: 10, max: 2000 }), fc.boolean())
  .map(([n, arrays]) => (arrays ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n)));
const entityValue = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constant({ __entity: { type: 'THVGroup', id: 'admin' } }),
  fc.constant({ __extn: { fn: 'decimal', arg: 'nope' } }),
  fc.constant({ __extn: { fn: 'ip', arg: '10.0.0.0/8' } }),
);
const entity = fc.record(
  {
    uid: fc.oneof(fc.record({ type: ident, id: quoted }), fc.string(), fc.constant(null)),
    attrs: fc.oneof(fc.dictionary(hostileText(8), entityValue, { maxKeys: 4 }), fc.jsonValue()),
    parents: fc.oneof(fc.array(fc.record({ type: ident, id: quoted }), { maxLength: 3 }), fc.jsonValue()),
  },
  { requiredKeys: ['uid'] },
);
export const entitiesJson: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('[]') },
  { weight: 4, arbitrary: fc.array(entity, { maxLength: 5 }).map((e) => JSON.stringify(e)) },
  { weight: 1, arbitrary: jsonDeep },
  { weight: 1, arbitrary: hostileText(30) },
  { weight: 1, arbitrary: fc.constantFrom('', '[]', 'null', '{}', '[1]', '[{"uid":"Tool::x"}]') },
);

/** Claims as a token could carry them: any JSON, huge strings, deep nesting, reserved Cedar keys. */
const deepClaim = fc.integer({ min: 5, max: 500 }).map((n) => {
  let v: unknown = 'bottom';
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
});
export const claims: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  fc.oneof(hostileText(10), fc.constantFrom('groups', 'roles', 'sub', 'realm_access', '__entity')),
  fc.oneof(
    entityValue,
    deepClaim,
    fc.constant('x'.repeat(100_000)),
    fc.double(),
    fc.bigInt().map((b) => Number(b)),
    fc.array(hostileText(8)),
  ),
  { maxKeys: 6 },
);
export const decisionInput = fc.record({
  subject: fc.oneof(hostileText(20), fc.constant('s'.repeat(50_000))),
  claims,
  resourceType: fc.constantFrom('Tool' as const, 'Prompt' as const, 'Resource' as const),
  id: fc.oneof(hostileText(20), fc.constant('n'.repeat(50_000))),
  args: fc.option(
    fc.dictionary(hostileText(8), fc.oneof(fc.jsonValue({ maxDepth: 3 }), deepClaim), { maxKeys: 5 }),
    {
      nil: undefined,
    },
  ),
});
