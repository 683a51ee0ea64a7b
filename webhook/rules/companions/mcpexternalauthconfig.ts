// The validating decision for an MCPExternalAuthConfig (CREATE and UPDATE): its schema, ToolHive's CEL
// rules (the member type names is set, and only it; ToolHive's messages), the https token endpoint, the
// header names, and the types this operator does not implement, refused with why and what to use.
// All errors at once, by field path. Pure.
import { checkConfigSchema } from '../../schema-validation.ts';
import { FieldPath, forbidden, invalid, required, type FieldError } from '../../field.ts';
import { dict, str } from '../shape.ts';
import type { ConfigVerdict } from './verdict.ts';

const MEMBERS = [
  'tokenExchange',
  'headerInjection',
  'bearerToken',
  'embeddedAuthServer',
  'awsSts',
  'upstreamInject',
  'obo',
  'xaa',
] as const;

const INSTEAD = 'use tokenExchange (RFC 8693 against your OpenID provider), bearerToken or headerInjection';

/** The types ToolHive defines that the proxy cannot do, with the reason and the alternative. */
export const REFUSED_TYPES: Readonly<Record<string, string>> = {
  embeddedAuthServer: `the embedded OAuth authorization server is not implemented by this operator; authenticate clients with an external OpenID provider (spec.oidcConfigRef on the MCPServer) and ${INSTEAD}`,
  awsSts: `AWS STS SigV4 request signing is not implemented by this operator; ${INSTEAD}`,
  upstreamInject: `upstream token injection needs the embedded authorization server, which this operator does not implement; ${INSTEAD}`,
  obo: `the on-behalf-of flow needs an enterprise handler (ToolHive's upstream build refuses it too: EnterpriseRequired) and is not implemented here; ${INSTEAD}`,
  xaa: `XAA (Cross-Application Access) is not implemented by this operator; ${INSTEAD}`,
};

// RFC 7230 token characters.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the proxy sets itself on every request to the server: an injected one would be ignored. */
const PROXY_HEADERS = [
  'accept',
  'content-type',
  'content-length',
  'host',
  'last-event-id',
  'mcp-session-id',
  'mcp-protocol-version',
];

export function validateMCPExternalAuthConfig(object: unknown): ConfigVerdict {
  const schemaErrors = checkConfigSchema('MCPExternalAuthConfig', object);
  const spec = dict(dict(object).spec);
  if (schemaErrors.length === 0) return { errors: checkExternalAuthSpec(spec), warnings: [] };
  // A refused type is said even when its member is also malformed: fixing the member would not help.
  const refused = REFUSED_TYPES[str(spec.type) ?? ''];
  const errors = refused
    ? [...schemaErrors, forbidden(FieldPath.of('spec').child('type'), refused)]
    : schemaErrors;
  return { errors, warnings: [] };
}

export function checkExternalAuthSpec(
  spec: Record<string, unknown>,
  path = FieldPath.of('spec'),
): FieldError[] {
  const type = str(spec.type) ?? '';
  const errors: FieldError[] = [];
  for (const member of MEMBERS) {
    const message = `${member} configuration must be set if and only if type is '${member}'`;
    if (type === member && spec[member] === undefined) errors.push(required(path.child(member), message));
    if (type !== member && spec[member] !== undefined) errors.push(forbidden(path.child(member), message));
  }
  if (REFUSED_TYPES[type]) errors.push(forbidden(path.child('type'), REFUSED_TYPES[type]));
  if (type === 'tokenExchange')
    errors.push(...checkTokenExchange(dict(spec.tokenExchange), path.child('tokenExchange')));
  if (type === 'headerInjection') {
    const p = path.child('headerInjection', 'headerName');
    errors.push(...checkHeaderName(str(dict(spec.headerInjection).headerName), p));
  }
  return errors;
}

function checkTokenExchange(te: Record<string, unknown>, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const url = str(te.tokenUrl) ?? '';
  if (!URL.canParse(url) || new URL(url).protocol !== 'https:')
    errors.push(
      invalid(
        path.child('tokenUrl'),
        url,
        "must be an https URL: the client secret and the caller's token are sent there",
      ),
    );
  if (te.clientSecretRef !== undefined && !str(te.clientId))
    errors.push(
      required(path.child('clientId'), 'clientSecretRef authenticates a client: name it in clientId'),
    );
  if (str(te.subjectProviderName))
    errors.push(
      forbidden(
        path.child('subjectProviderName'),
        "an upstream provider's token needs the embedded authorization server, which this operator does not implement; leave it empty: the subject token is the caller's own validated token",
      ),
    );
  const header = str(te.externalTokenHeaderName);
  if (header) errors.push(...checkHeaderName(header, path.child('externalTokenHeaderName')));
  return errors;
}

function checkHeaderName(name: string | undefined, path: FieldPath): FieldError[] {
  if (!name || !HEADER_NAME.test(name)) return [invalid(path, name ?? '', 'must be an HTTP header name')];
  if (PROXY_HEADERS.includes(name.toLowerCase()))
    return [
      forbidden(
        path,
        `the proxy sets ${name} itself on every request to the MCP server; choose another header`,
      ),
    ];
  return [];
}
