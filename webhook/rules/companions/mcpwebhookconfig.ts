// The validating decision for an MCPWebhookConfig (CREATE and UPDATE): its schema, ToolHive's CEL rule
// with its message, the `format: uri` of url, and what ToolHive's operator checks before it runs the
// webhooks (controllerutil.ValidateMCPWebhookConfigSpec -> webhook.Config.ValidateDefinition): url https
// unless tlsConfig.insecureSkipVerify, timeout a Go duration from 1s to 30s (0 or unset: 10s). All
// errors at once, by field path. Where ToolHive accepts and then quietly does something else, we warn:
// a client certificate without its key (ToolHive sends neither), insecureSkipVerify, duplicate names.
import { parseGoDuration } from '../../../lib/go-duration.ts';
import { FieldPath, invalid, type FieldError } from '../../field.ts';
import { checkConfigSchema } from '../../schema-validation.ts';
import { dict, dictsOf, isDict, str, type Dict } from '../shape.ts';
import type { ConfigVerdict } from './verdict.ts';

const SPEC = FieldPath.of('spec');
export const AT_LEAST_ONE = 'at least one validating or mutating webhook must be defined';
export const HTTPS_ONLY =
  'webhook URL must use HTTPS (set tlsConfig.insecureSkipVerify to allow HTTP for development/in-cluster use)';
export const TIMEOUT_RANGE = 'must be a duration between 1s and 30s (e.g. "5s"); unset means 10s';
const NANOS_PER_SECOND = 1e9;

export function validateMCPWebhookConfig(object: unknown): ConfigVerdict {
  const schema = checkConfigSchema('MCPWebhookConfig', object);
  const spec = dict(dict(object).spec);
  const errors = [...schema];
  const warnings: string[] = [];
  const size = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  if (isDict(dict(object).spec) && size(spec.validating) + size(spec.mutating) === 0)
    errors.push(invalid(SPEC, 'object', AT_LEAST_ONE));
  for (const type of ['validating', 'mutating'] as const) {
    const seen = new Set<string>();
    dictsOf(spec[type]).forEach(([webhook, i]) => {
      const path = SPEC.child(type).index(i);
      errors.push(...checkWebhook(webhook, path));
      warnings.push(...webhookWarnings(webhook, path));
      const name = str(webhook.name);
      if (name && seen.has(name))
        warnings.push(
          `${String(path.child('name'))}: ${JSON.stringify(name)} is used twice in ${type}: the proxy calls both`,
        );
      if (name) seen.add(name);
    });
  }
  return { errors: dedupe(errors), warnings };
}

function checkWebhook(webhook: Dict, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const url = str(webhook.url);
  if (url !== undefined) {
    const parsed = URL.parse(url);
    const insecure = dict(webhook.tlsConfig).insecureSkipVerify === true;
    if (!parsed || !parsed.host || !['http:', 'https:'].includes(parsed.protocol))
      errors.push(invalid(path.child('url'), url, 'must be an absolute http or https URL (format "uri")'));
    else if (parsed.protocol === 'http:' && !insecure)
      errors.push(invalid(path.child('url'), url, HTTPS_ONLY));
  }
  const timeout = str(webhook.timeout);
  if (timeout !== undefined && !timeoutFits(timeout))
    errors.push(invalid(path.child('timeout'), timeout, TIMEOUT_RANGE));
  return errors;
}

/** ToolHive: 0 is the default; otherwise from MinTimeout to MaxTimeout. */
function timeoutFits(text: string): boolean {
  const nanos = parseGoDuration(text);
  if (nanos === undefined) return false;
  return nanos === 0 || (nanos >= 1 * NANOS_PER_SECOND && nanos <= 30 * NANOS_PER_SECOND);
}

function webhookWarnings(webhook: Dict, path: FieldPath): string[] {
  const tls = dict(webhook.tlsConfig);
  const warnings: string[] = [];
  const at = String(path.child('tlsConfig'));
  if (isDict(tls.clientCertSecretRef) !== isDict(tls.clientKeySecretRef))
    warnings.push(
      `${at}: clientCertSecretRef and clientKeySecretRef go together; with only one, no client certificate is sent`,
    );
  if (tls.insecureSkipVerify === true)
    warnings.push(`${at}.insecureSkipVerify: the webhook's certificate is not checked; for development only`);
  return warnings;
}

/** The schema and the rules may both find a bad url type; one error per field and type is enough. */
function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.field}|${e.type}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
