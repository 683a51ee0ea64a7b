// The JSON Patch (RFC 6902) from an object to a changed copy of it that shares every unchanged subtree
// with the original, as the mutating webhook's defaulted object does ({ ...object, spec: { ...spec } }).
// fast-json-patch's compare walks both objects whole, metadata.managedFields and the last-applied
// annotation included, on every review; this descends only where the two differ by reference and leaves
// the diff of what changed to compare, so the patch means the same and the cost follows the change.
import jsonPatch from 'fast-json-patch';
import { isDict, type Dict } from './rules/shape.ts';

/** Operations that turn `original` into `changed`; [] when they are the same object. */
export function sharedStructurePatch(original: Dict, changed: Dict): jsonPatch.Operation[] {
  const ops: jsonPatch.Operation[] = [];
  diffDicts(original, changed, '', ops);
  return ops;
}

function diffDicts(original: Dict, changed: Dict, path: string, ops: jsonPatch.Operation[]): void {
  if (original === changed) return;
  // The keys whose values differ and are not both objects, for compare; null-prototype holders, so that
  // a `__proto__` key stays a key.
  const before: Dict = Object.create(null) as Dict;
  const after: Dict = Object.create(null) as Dict;
  let differs = false;
  for (const key of Object.keys(original)) {
    const [was, is] = [original[key], changed[key]];
    if (!Object.hasOwn(changed, key)) {
      before[key] = was;
      differs = true;
    } else if (was === is) continue;
    else if (isDict(was) && isDict(is))
      diffDicts(was, is, `${path}/${jsonPatch.escapePathComponent(key)}`, ops);
    else {
      before[key] = was;
      after[key] = is;
      differs = true;
    }
  }
  for (const key of Object.keys(changed)) {
    if (!Object.hasOwn(original, key)) {
      after[key] = changed[key];
      differs = true;
    }
  }
  if (!differs) return;
  for (const op of jsonPatch.compare(before, after)) ops.push({ ...op, path: `${path}${op.path}` });
}
