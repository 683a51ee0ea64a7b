// Resource quantities: spec.resources (the proxy runner's container, as in ToolHive) and, through
// checkResourceRequirements, the containers of spec.podTemplateSpec. Each quantity must parse and be
// non-negative, and a request may not exceed its limit, the checks the API server would only make later
// on the Deployment or StatefulSet, where the user would never see the error.
import { FieldPath, invalid, type FieldError } from '../field.ts';
import { parseQuantity, QUANTITY_FORMAT_MESSAGE } from '../quantity.ts';
import { dict, isDict, specOf } from './shape.ts';

/** How a resource name joins its path: `limits.cpu` for our typed fields, `limits[cpu]` for core maps. */
export type ResourceNameStyle = 'field' | 'mapKey';

const named = (path: FieldPath, name: string, style: ResourceNameStyle): FieldPath =>
  style === 'field' ? path.child(name) : path.key(name);

function parsedList(
  list: unknown,
  path: FieldPath,
  style: ResourceNameStyle,
  errors: FieldError[],
): Map<string, bigint> {
  const parsed = new Map<string, bigint>();
  for (const [name, raw] of Object.entries(dict(list))) {
    const text = typeof raw === 'number' ? String(raw) : raw;
    if (typeof text !== 'string') continue; // a type error the schema (or API server) reports
    const quantity = parseQuantity(text);
    if (quantity === undefined) errors.push(invalid(named(path, name, style), text, QUANTITY_FORMAT_MESSAGE));
    else if (quantity < 0n)
      errors.push(invalid(named(path, name, style), text, 'must be greater than or equal to 0'));
    else parsed.set(name, quantity);
  }
  return parsed;
}

/** Quantities of a {limits, requests} object valid, and each request at most its limit. */
export function checkResourceRequirements(
  resources: unknown,
  path: FieldPath,
  style: ResourceNameStyle,
): FieldError[] {
  if (!isDict(resources)) return [];
  const errors: FieldError[] = [];
  const limits = parsedList(resources.limits, path.child('limits'), style, errors);
  const requests = parsedList(resources.requests, path.child('requests'), style, errors);
  for (const [name, request] of requests) {
    const limit = limits.get(name);
    if (limit !== undefined && request > limit) {
      const limitText = String(dict(resources.limits)[name]);
      const requestText = String(dict(resources.requests)[name]);
      const detail = `must be less than or equal to ${name} limit of ${limitText}`;
      errors.push(invalid(named(path.child('requests'), name, style), requestText, detail));
    }
  }
  return errors;
}

export function checkResources(server: unknown, path: FieldPath = FieldPath.of('spec')): FieldError[] {
  return checkResourceRequirements(specOf(server).resources, path.child('resources'), 'field');
}
