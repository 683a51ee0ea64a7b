// MCPServer's telemetry fields: spec.telemetryConfigRef (an MCPTelemetryConfig, whose own rules its
// webhook checks; the lead's generic rule denies a missing one) and the older inline spec.telemetry,
// which ToolHive removed from its v1beta1 CRD (#4819) and this operator still serves for older objects.
// ToolHive's CEL rule with its message: not both. The inline shape is checked as the schema would
// (it is kept as an open object there): endpoint host[:port], samplingRate 0..1 as ToolHive's pattern,
// headers as "key=value" strings. Pure.
import { FieldPath, forbidden, invalid, type FieldError } from '../field.ts';
import { dict, isDict, specOf, str } from './shape.ts';

const SPEC = FieldPath.of('spec');
export const BOTH_TELEMETRY =
  'telemetry and telemetryConfigRef are mutually exclusive; migrate to telemetryConfigRef';
export const INLINE_DEPRECATED =
  'spec.telemetry is deprecated (ToolHive removed it from its v1beta1 API): move it to an MCPTelemetryConfig named by spec.telemetryConfigRef';
const SAMPLING_RATE = /^(0(\.\d+)?|1(\.0+)?)$/;
const ENDPOINT = /^(https?:\/\/)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?(\/\S*)?$/;

export function checkTelemetry(server: unknown): FieldError[] {
  const spec = specOf(server);
  if (spec.telemetry === undefined) return [];
  if (spec.telemetryConfigRef !== undefined) return [forbidden(SPEC.child('telemetry'), BOTH_TELEMETRY)];
  return checkInline(dict(spec.telemetry), SPEC.child('telemetry'));
}

export function telemetryWarnings(server: unknown): string[] {
  return specOf(server).telemetry === undefined ? [] : [INLINE_DEPRECATED];
}

function checkInline(telemetry: Record<string, unknown>, path: FieldPath): FieldError[] {
  const otel = dict(telemetry.openTelemetry);
  const at = path.child('openTelemetry');
  const errors: FieldError[] = [];
  const endpoint = str(otel.endpoint);
  if (endpoint && !ENDPOINT.test(endpoint))
    errors.push(
      invalid(
        at.child('endpoint'),
        endpoint,
        'must be host[:port] (an http:// or https:// prefix is allowed)',
      ),
    );
  const rate = dict(otel.tracing).samplingRate;
  if (rate !== undefined && !(typeof rate === 'string' && SAMPLING_RATE.test(rate)))
    errors.push(
      invalid(
        at.child('tracing', 'samplingRate'),
        rate,
        'must be a decimal from 0 to 1, as a string ("0.05")',
      ),
    );
  if (otel.headers !== undefined && !Array.isArray(otel.headers))
    errors.push(invalid(at.child('headers'), otel.headers, 'must be a list of "key=value" strings'));
  (Array.isArray(otel.headers) ? (otel.headers as unknown[]) : []).forEach((h, i) => {
    if (typeof h !== 'string' || h.indexOf('=') < 1)
      errors.push(invalid(at.child('headers').index(i), h, 'must be "key=value"'));
  });
  if (telemetry.prometheus !== undefined && !isDict(telemetry.prometheus))
    errors.push(invalid(path.child('prometheus'), telemetry.prometheus, 'must be an object'));
  return errors;
}
