// The URLs of authentication settings: where the proxy fetches keys and introspects tokens (issuer,
// jwksUrl, introspectionUrl), which must be https unless the config says insecureAllowHTTP, as in
// ToolHive; and the resource URL clients are told (RFC 9728), which must be an absolute http(s) URL.
// An empty string is unset (Go's omitempty), never an error.
import { invalid, type FieldPath, type FieldError } from '../field.ts';
import { str, type Dict } from './shape.ts';

function parsed(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** issuer, jwksUrl and introspectionUrl of `config` (those present): https, or http when allowed. */
export function checkEndpointUrls(
  config: Dict,
  path: FieldPath,
  allowHttp: boolean,
  fields: readonly string[] = ['issuer', 'jwksUrl', 'introspectionUrl'],
): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of fields) {
    const value = str(config[field]);
    if (!value) continue;
    const url = parsed(value);
    const ok = url && (url.protocol === 'https:' || (allowHttp && url.protocol === 'http:')) && url.host;
    if (!ok)
      errors.push(
        invalid(
          path.child(field),
          value,
          allowHttp
            ? 'must be an absolute http or https URL'
            : 'must be an absolute https URL (insecureAllowHTTP allows http, for development only)',
        ),
      );
  }
  return errors;
}

/** resourceUrl: an absolute http or https URL. */
export function checkResourceUrl(value: unknown, path: FieldPath): FieldError[] {
  const text = str(value);
  if (!text) return [];
  const url = parsed(text);
  if (url && (url.protocol === 'https:' || url.protocol === 'http:') && url.host) return [];
  return [invalid(path, text, 'must be an absolute http or https URL')];
}
