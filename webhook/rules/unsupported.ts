// ToolHive fields this operator does not implement (auth, authz, telemetry, tool filtering, groups, ...).
// The schema keeps them so the API server does not prune them silently; this rule denies them, naming the
// field, so nobody believes an auth setting is in force when it is not. The list comes from the schema
// (properties pointing at $defs/Unsupported), so adding a field there is the only edit needed.
import schemaJson from '../../schemas/mcpserver.schema.json' with { type: 'json' };
import { FieldPath, forbidden, type FieldError } from '../field.ts';
import { isDict, specOf } from './shape.ts';

const UNSUPPORTED_REF = '#/$defs/Unsupported';

// Fields whose schema is in place (so the CRD keeps their shape) but whose feature is still being built:
// refused like the unsupported ones until it works end to end; each work removes its own entries.
export const NOT_YET_WIRED: readonly string[] = [
  'telemetry',
  'telemetryConfigRef',
  'tools',
  'toolConfigRef',
  'externalAuthConfigRef',
  'webhookConfigRef',
  'trustProxyHeaders',
  'endpointPrefix',
  'groupRef',
  'proxyReadTimeout',
  'proxyWriteTimeout',
];

export const UNSUPPORTED_FIELDS: readonly string[] = [
  ...Object.entries(schemaJson.$defs.MCPServerSpec.properties as Record<string, { $ref?: string }>)
    .filter(([, prop]) => prop.$ref === UNSUPPORTED_REF)
    .map(([name]) => name),
  ...NOT_YET_WIRED,
];

// Go's omitempty zero values: ToolHive itself treats these as unset (and its CRD defaults
// trustProxyHeaders to false), so an object exported from a ToolHive cluster is not denied for them.
function isZeroValue(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '' || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isDict(value) && Object.keys(value).length === 0;
}

export function checkUnsupportedFields(
  server: unknown,
  path: FieldPath = FieldPath.of('spec'),
): FieldError[] {
  const spec = specOf(server);
  const errors: FieldError[] = [];
  for (const field of UNSUPPORTED_FIELDS) {
    if (!isZeroValue(spec[field]))
      errors.push(forbidden(path.child(field), 'not supported by this operator'));
  }
  return errors;
}
