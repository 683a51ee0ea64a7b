// The proxy behind an ingress: spec.endpointPrefix (a URL path the ingress strips, put back in front of
// the URLs the proxy hands out) and spec.proxyReadTimeout, spec.proxyWriteTimeout (Go durations, as
// ToolHive's metav1.Duration-like strings). trustProxyHeaders is a boolean the schema checks. Pure.
// Zero durations are accepted: ToolHive reads zero as "the default" (30 s to read a request, no write
// timeout), never as "unlimited". Negative ones are refused, as ToolHive refuses them at start.
import { endpointPrefixProblem } from '../../lib/endpoint-prefix.ts';
import { parseGoDuration } from '../../lib/go-duration.ts';
import { FieldPath, invalid, type FieldError } from '../field.ts';
import { specOf } from './shape.ts';

export const TIMEOUT_FORMAT =
  'must be a Go duration of zero or more, e.g. "30s", "5m", "1m30s" (zero: the default)';

export function checkProxyEdge(server: unknown, path: FieldPath = FieldPath.of('spec')): FieldError[] {
  const spec = specOf(server);
  const errors: FieldError[] = [];
  const prefix = spec.endpointPrefix;
  if (typeof prefix === 'string' && prefix !== '') {
    const problem = endpointPrefixProblem(prefix);
    if (problem) errors.push(invalid(path.child('endpointPrefix'), prefix, problem));
  }
  for (const field of ['proxyReadTimeout', 'proxyWriteTimeout']) {
    const value = spec[field];
    if (typeof value !== 'string' || value === '') continue;
    const nanos = parseGoDuration(value);
    if (nanos === undefined || nanos < 0) errors.push(invalid(path.child(field), value, TIMEOUT_FORMAT));
  }
  return errors;
}
