import { expect } from 'chai';
import fc from 'fast-check';
import jsonPatch from 'fast-json-patch';
import { sharedStructurePatch } from '../../../webhook/json-patch.ts';
import type { Dict } from '../../../webhook/rules/shape.ts';

const apply = (original: Dict, ops: jsonPatch.Operation[]): unknown =>
  jsonPatch.applyPatch(structuredClone(original), ops, true, false).newDocument;

/** As the patch travels: JSON (-0 arrives as 0). */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** A copy of `original` with some values changed, added or removed along random paths, sharing the rest. */
function changedCopy(original: Dict, edits: { path: string[]; value: unknown; remove: boolean }[]): Dict {
  let copy = original;
  for (const edit of edits) copy = editAt(copy, edit.path, edit.value, edit.remove);
  return copy;
}

function editAt(node: Dict, path: string[], value: unknown, remove: boolean): Dict {
  const [key, ...rest] = path;
  if (key === undefined) return node;
  const out: Dict = Object.create(null) as Dict;
  Object.assign(out, node);
  const child = Object.hasOwn(node, key) ? node[key] : undefined;
  if (rest.length > 0 && typeof child === 'object' && child !== null && !Array.isArray(child)) {
    out[key] = editAt(child as Dict, rest, value, remove);
  } else if (remove) delete out[key];
  else out[key] = value;
  return { ...out };
}

const json = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<unknown>;
const dict = fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 6 }) as fc.Arbitrary<Dict>;
const edit = fc.record({
  path: fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 4 }),
  value: json,
  remove: fc.boolean(),
});

describe('sharedStructurePatch', () => {
  it('turns the original into the changed copy, whatever was changed', () => {
    fc.assert(
      fc.property(dict, fc.array(edit, { maxLength: 5 }), (original, edits) => {
        const changed = changedCopy(original, edits);
        expect(asJson(apply(original, sharedStructurePatch(original, changed)))).to.deep.equal(
          asJson(changed),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('turns an object into an unrelated one, as compare does', () => {
    fc.assert(
      fc.property(dict, dict, (original, other) => {
        expect(asJson(apply(original, sharedStructurePatch(original, other)))).to.deep.equal(asJson(other));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the operations of the defaults under /spec and nothing for shared subtrees', () => {
    const metadata = { name: 's', annotations: { 'a/b~c': 'x' }, managedFields: [{ manager: 'kubectl' }] };
    const original = { metadata, spec: { image: 'i', port: 9090, podTemplateSpec: { spec: {} } } };
    const { port, ...kept } = original.spec;
    const changed = { ...original, spec: { ...kept, proxyPort: port, transport: 'stdio' } };
    expect(sharedStructurePatch(original, changed)).to.deep.equal([
      { op: 'remove', path: '/spec/port' },
      { op: 'add', path: '/spec/proxyPort', value: 9090 },
      { op: 'add', path: '/spec/transport', value: 'stdio' },
    ]);
    expect(sharedStructurePatch(original, { ...original })).to.deep.equal([]);
  });

  it('escapes keys in paths and keeps __proto__ a key', () => {
    const original = JSON.parse('{"a/b":{"~x":1},"__proto__":{"y":1}}') as Dict;
    const changed = JSON.parse('{"a/b":{"~x":2},"__proto__":{"y":2}}') as Dict;
    changed['a/b'] = { '~x': 2 };
    const ops = sharedStructurePatch(original, changed);
    expect(ops).to.deep.include({ op: 'replace', path: '/a~1b/~0x', value: 2 });
    expect(ops).to.deep.include({ op: 'replace', path: '/__proto__/y', value: 2 });
  });
});
