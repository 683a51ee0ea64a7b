// Resource quantities: spec.resources (the proxy runner's container, as in ToolHive) and, through
// checkResourceRequirements, the containers of spec.podTemplateSpec. Each quantity must parse and be
// non-negative, and a request may not exceed its limit, the checks the API server would only make later
// on the Deployment or StatefulSet, where the user would never see the error.
import { FieldPath, invalid, type FieldError } from '../field.ts';
import { parseQuantity, QUANTITY_FORMAT_MESSAGE } from '../quantity.ts';
import { dict, isDict, specOf, str, type Dict } from './shape.ts';

/** How a resource name joins its path: `limits.cpu` for our typed fields, `limits[cpu]` for core maps. */
export type ResourceNameStyle = 'field' | 'mapKey';

const named = (path: FieldPath, name: string, style: ResourceNameStyle): FieldPath =>
  style === 'field' ? path.child(name) : path.key(name);

/** The quantity a resources entry holds (numbers are read as their decimal text), or undefined. */
const textOf = (raw: unknown): string | undefined => (typeof raw === 'number' ? String(raw) : str(raw));

/** Every quantity of a limits or requests map valid and non-negative; type errors are the schema's. */
function checkList(list: Dict, path: FieldPath, style: ResourceNameStyle, errors: FieldError[]): void {
  for (const name of Object.keys(list)) {
    const text = textOf(list[name]);
    if (text === undefined) continue; // a type error the schema (or API server) reports
    const quantity = parseQuantity(text);
    if (quantity === undefined) errors.push(invalid(named(path, name, style), text, QUANTITY_FORMAT_MESSAGE));
    else if (quantity < 0n)
      errors.push(invalid(named(path, name, style), text, 'must be greater than or equal to 0'));
  }
}

/** A quantity that checkList accepted, or undefined. */
function validQuantity(raw: unknown): bigint | undefined {
  const text = textOf(raw);
  const quantity = text === undefined ? undefined : parseQuantity(text);
  return quantity !== undefined && quantity >= 0n ? quantity : undefined;
}

/** Quantities of a {limits, requests} object valid, and each request at most its limit. */
export function checkResourceRequirements(
  resources: unknown,
  path: FieldPath,
  style: ResourceNameStyle,
): FieldError[] {
  if (!isDict(resources)) return [];
  const errors: FieldError[] = [];
  const limits = dict(resources.limits);
  const requests = dict(resources.requests);
  checkList(limits, path.child('limits'), style, errors);
  checkList(requests, path.child('requests'), style, errors);
  for (const name of Object.keys(requests)) {
    // Own keys only: a request named `constructor` has no limit, whatever the prototype holds.
    if (!Object.hasOwn(limits, name)) continue;
    const request = validQuantity(requests[name]);
    const limit = validQuantity(limits[name]);
    if (request !== undefined && limit !== undefined && request > limit) {
      const detail = `must be less than or equal to ${name} limit of ${String(limits[name])}`;
      errors.push(invalid(named(path.child('requests'), name, style), String(requests[name]), detail));
    }
  }
  return errors;
}

export function checkResources(server: unknown, path: FieldPath = FieldPath.of('spec')): FieldError[] {
  return checkResourceRequirements(specOf(server).resources, path.child('resources'), 'field');
}
