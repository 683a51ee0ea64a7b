// Shape validation of a whole MCPServer against schemas/mcpserver.schema.json (the same schema the CRD is
// generated from), with ajv errors turned into FieldErrors so users see one format whatever caught the
// mistake. Compiled once at import from the JSON, so there is no generated validator to drift.
//
// One difference from the CRD on purpose: here every declared object is closed (additionalProperties:
// false). The API server prunes undeclared fields before admission, so the webhook never sees them, but
// `mcp-operator validate` reads files as written and reports a typo such as `spec.tranport` the way
// `kubectl apply --validate=strict` would, instead of letting it vanish.
import { Ajv, type ErrorObject } from 'ajv';
import authzConfigSchemaJson from '../schemas/mcpauthzconfig.schema.json' with { type: 'json' };
import schemaJson from '../schemas/mcpserver.schema.json' with { type: 'json' };
import oidcConfigSchemaJson from '../schemas/mcpoidcconfig.schema.json' with { type: 'json' };
import externalAuthSchemaJson from '../schemas/mcpexternalauthconfig.schema.json' with { type: 'json' };
import groupSchemaJson from '../schemas/mcpgroup.schema.json' with { type: 'json' };
import telemetrySchemaJson from '../schemas/mcptelemetryconfig.schema.json' with { type: 'json' };
import toolConfigSchemaJson from '../schemas/mcptoolconfig.schema.json' with { type: 'json' };
import webhookConfigSchemaJson from '../schemas/mcpwebhookconfig.schema.json' with { type: 'json' };
import {
  FieldPath,
  forbidden,
  invalid,
  notSupported,
  required,
  tooLong,
  typeInvalid,
  type FieldError,
} from './field.ts';

type Schema = { [key: string]: unknown };

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A deep copy of the schema in which every object that lists its properties rejects any others. */
export function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (!isSchema(node)) return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) out[key] = closeObjects(value);
  const open = node['x-kubernetes-preserve-unknown-fields'] === true || 'additionalProperties' in node;
  if (isSchema(node.properties) && !open) out.additionalProperties = false;
  return out;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function compile(schema: unknown = schemaJson) {
  const ajv = new Ajv({ allErrors: true, strict: true });
  // Kubernetes' and our own schema extensions: annotations for the CRD and the generators, not assertions.
  ajv.addVocabulary([
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-list-type',
    'x-kubernetes-list-map-keys',
    'x-mcp-unsupported',
    'x-mcp-ts-type',
  ]);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('date-time', RFC3339);
  return ajv.compile(closeObjects(schema) as Schema);
}

const validateMCPServerSchema = compile();
// The shared auth configs' validators, compiled on first use: most webhook processes never see one.
const configValidators = new Map<string, ReturnType<typeof compile>>();
const CONFIG_SCHEMAS = {
  MCPOIDCConfig: oidcConfigSchemaJson,
  MCPAuthzConfig: authzConfigSchemaJson,
  MCPToolConfig: toolConfigSchemaJson,
  MCPTelemetryConfig: telemetrySchemaJson,
  MCPGroup: groupSchemaJson,
  MCPExternalAuthConfig: externalAuthSchemaJson,
  MCPWebhookConfig: webhookConfigSchemaJson,
};

/** `/spec/secrets/0/key` -> spec.secrets[0].key */
export function pointerToPath(pointer: string, extra?: string): FieldPath {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) segments.push(extra);
  let path: FieldPath | undefined;
  for (const segment of segments) {
    if (path && /^\d+$/.test(segment)) path = path.index(Number(segment));
    else path = path ? path.child(segment) : FieldPath.of(segment);
  }
  return path ?? FieldPath.of('<root>');
}

function valueAt(data: unknown, pointer: string): unknown {
  let current = data;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    current = isSchema(current) || Array.isArray(current) ? (current as Schema)[segment] : undefined;
  }
  return current;
}

const stringParam = (e: ErrorObject, name: string): string => String((e.params as Schema)[name]);

/** One ajv error as the FieldError the API server would report for the same violation. */
export function toFieldError(e: ErrorObject, data: unknown): FieldError {
  const path = pointerToPath(e.instancePath);
  const value = valueAt(data, e.instancePath);
  switch (e.keyword) {
    case 'required':
      return required(pointerToPath(e.instancePath, stringParam(e, 'missingProperty')));
    case 'additionalProperties':
      return forbidden(
        pointerToPath(e.instancePath, stringParam(e, 'additionalProperty')),
        'unknown field: not declared in the MCPServer schema, so the API server would drop it',
      );
    case 'enum':
      return notSupported(path, value, ((e.params as Schema).allowedValues as unknown[]).map(String));
    case 'type':
      return typeInvalid(path, value, `must be of type ${stringParam(e, 'type')}`);
    case 'maxLength':
      return tooLong(path, Number(stringParam(e, 'limit')));
    case 'minimum':
      return invalid(path, value, `must be greater than or equal to ${stringParam(e, 'limit')}`);
    case 'maximum':
      return invalid(path, value, `must be less than or equal to ${stringParam(e, 'limit')}`);
    case 'minLength':
      return invalid(path, value, `should be at least ${stringParam(e, 'limit')} chars long`);
    case 'pattern':
      return invalid(path, value, `should match '${stringParam(e, 'pattern')}'`);
    case 'format':
      return invalid(path, value, `must be of format ${stringParam(e, 'format')}`);
    default:
      return invalid(path, value, e.message ?? `failed ${e.keyword}`);
  }
}

/** Every shape error in the object; [] when it matches the schema. */
export function checkSchema(object: unknown): FieldError[] {
  if (validateMCPServerSchema(object)) return [];
  return (validateMCPServerSchema.errors ?? []).map((e) => toFieldError(e, object));
}

/** Every shape error of an MCPOIDCConfig or MCPAuthzConfig against its own schema. */
export type ConfigSchemaKind = keyof typeof CONFIG_SCHEMAS;

export function checkConfigSchema(kind: ConfigSchemaKind, object: unknown): FieldError[] {
  let validate = configValidators.get(kind);
  if (!validate) {
    validate = compile(CONFIG_SCHEMAS[kind]);
    configValidators.set(kind, validate);
  }
  if (validate(object)) return [];
  return (validate.errors ?? []).map((e) => toFieldError(e, object));
}
