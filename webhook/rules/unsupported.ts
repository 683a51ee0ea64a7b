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
export const NOT_YET_WIRED: readonly string[] = [];

export const UNSUPPORTED_FIELDS: readonly string[] = [
  ...Object.entries(schemaJson.$defs.MCPServerSpec.properties as Record<string, { $ref?: string }>)
    .filter(([, prop]) => prop.$ref === UNSUPPORTED_REF)
    .map(([name]) => name),
  ...NOT_YET_WIRED,
];

// Why a field is refused, and what to use instead, where there is more to say than the generic message.
export const REFUSAL_REASONS: Readonly<Record<string, string>> = {
  authServerRef:
    'the embedded OAuth 2.0 authorization server is not implemented by this operator; authenticate clients with an external OpenID provider through spec.oidcConfigRef (an MCPOIDCConfig), and reach the server with spec.externalAuthConfigRef (tokenExchange, bearerToken or headerInjection)',
  // ToolHive's issue #315 proposed `spec.ingress` and declined it; no ToolHive release defines its shape,
  // so there is no meaning to implement.
  ingress:
    'no ToolHive release defines spec.ingress (proposed and declined in stacklok/toolhive#315); expose the server through the Gateway API instead: the annotations toolhive.stacklok.dev/expose, expose-hostname and expose-path (README "Exposing a server")',
};

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
      errors.push(forbidden(path.child(field), REFUSAL_REASONS[field] ?? 'not supported by this operator'));
  }
  return errors;
}
