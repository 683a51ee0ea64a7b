// The validating decision for an MCPTelemetryConfig (CREATE and UPDATE): its schema, then ToolHive's CEL
// rule and Validate() checks with their messages, all errors at once by field path:
//   - a header name cannot appear in both headers and sensitiveHeaders (CEL);
//   - an endpoint requires at least one of tracing or metrics to be enabled;
//   - sensitiveHeaders[i] needs a name, secretKeyRef.name and secretKeyRef.key;
//   - caBundleRef and insecure are mutually exclusive; caBundleRef needs configMapRef.name, at most 48
//     characters (it names a volume, otel-ca-bundle-<name>).
// Ours: the endpoint must be host[:port][/path] after its optional http(s):// prefix (the proxy builds
// the OTLP URL from it), and caBundleRef is refused: the proxy does not mount the bundle yet.
import { FieldPath, forbidden, invalid, required, type FieldError } from '../../field.ts';
import { checkConfigSchema } from '../../schema-validation.ts';
import { dict, isDict, str } from '../shape.ts';
import type { ConfigVerdict } from './verdict.ts';

const MAX_CA_BUNDLE_NAME = 63 - 'otel-ca-bundle-'.length;
const ENDPOINT =
  /^(https?:\/\/)?[A-Za-z0-9.-]+(:\d{1,5})?(\/\S*)?$|^(https?:\/\/)?\[[0-9A-Fa-f:.]+\](:\d{1,5})?(\/\S*)?$/;

export function validateMCPTelemetryConfig(object: unknown): ConfigVerdict {
  const errors = checkConfigSchema('MCPTelemetryConfig', object);
  const spec = dict(dict(object).spec);
  if (isDict(spec.openTelemetry))
    errors.push(...checkOpenTelemetry(spec.openTelemetry, FieldPath.of('spec').child('openTelemetry')));
  return { errors, warnings: [] };
}

function checkOpenTelemetry(otel: Record<string, unknown>, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const endpoint = str(otel.endpoint);
  if (endpoint && !ENDPOINT.test(endpoint))
    errors.push(
      invalid(
        path.child('endpoint'),
        endpoint,
        'must be host[:port] (an http:// or https:// prefix is allowed)',
      ),
    );
  const enabled = (k: string) => isDict(otel[k]) && (otel[k] as Record<string, unknown>).enabled === true;
  if (endpoint && !enabled('tracing') && !enabled('metrics'))
    errors.push(
      invalid(
        path.child('endpoint'),
        endpoint,
        'endpoint requires at least one of tracing or metrics to be enabled',
      ),
    );
  errors.push(...checkSensitiveHeaders(otel, path));
  if (otel.caBundleRef !== undefined) errors.push(...checkCaBundle(otel, path.child('caBundleRef')));
  return errors;
}

function checkSensitiveHeaders(otel: Record<string, unknown>, path: FieldPath): FieldError[] {
  const headers = dict(otel.headers);
  const list = Array.isArray(otel.sensitiveHeaders) ? (otel.sensitiveHeaders as unknown[]) : [];
  return list.flatMap((item, i) => {
    const at = path.child('sensitiveHeaders').index(i);
    const header = dict(item);
    const ref = dict(header.secretKeyRef);
    const errors: FieldError[] = [];
    if (!str(header.name)) errors.push(required(at.child('name'), 'must not be empty'));
    if (!str(ref.name)) errors.push(required(at.child('secretKeyRef', 'name'), 'must not be empty'));
    if (!str(ref.key)) errors.push(required(at.child('secretKeyRef', 'key'), 'must not be empty'));
    const name = str(header.name);
    if (name && Object.hasOwn(headers, name))
      errors.push(
        invalid(
          at.child('name'),
          header.name,
          'a header name cannot appear in both headers and sensitiveHeaders',
        ),
      );
    return errors;
  });
}

function checkCaBundle(otel: Record<string, unknown>, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (otel.insecure === true)
    errors.push(
      invalid(
        path,
        otel.caBundleRef,
        'caBundleRef cannot be specified when insecure is true; they are mutually exclusive',
      ),
    );
  const name = str(dict(dict(otel.caBundleRef).configMapRef).name);
  if (!name) errors.push(required(path.child('configMapRef', 'name'), 'must not be empty'));
  else if (name.length > MAX_CA_BUNDLE_NAME)
    errors.push(
      invalid(
        path.child('configMapRef', 'name'),
        name,
        `is too long (${name.length} chars); maximum is ${MAX_CA_BUNDLE_NAME}`,
      ),
    );
  errors.push(
    forbidden(
      path,
      'a CA bundle for the OTLP endpoint is not supported by this operator yet; use a collector whose certificate the system roots trust',
    ),
  );
  return errors;
}
