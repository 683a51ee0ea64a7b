// Exposure through the Gateway API at admission (lib/exposure.ts has the model): an MCPServer whose
// `toolhive.stacklok.dev/expose` annotation asks for a Gateway the admission policy does not offer to its
// namespace, a hostname outside the entry's patterns, or a malformed path is denied, each problem at
// `metadata.annotations[<key>]`. The controller checks the same again (the policy may change later) and
// then builds no route.
// One rule of its own: an sse server's clients are handed the proxy's message endpoint as an absolute
// path (`/messages?sessionId=...`), which a path prefix would send outside the route; ToolHive's
// spec.endpointPrefix is what prefixes it, so it must name the same path.
import {
  EXPOSE_ANNOTATION,
  exposureRequest,
  resolveExposure,
  type ExposurePolicy,
  type ExposureProblem,
} from '../../lib/exposure.ts';
import { FieldPath, forbidden, invalid, notSupported, required, type FieldError } from '../field.ts';
import { metadataOf, specOf, str } from './shape.ts';

const ANNOTATIONS = FieldPath.of('metadata').child('annotations');

function fieldError(p: ExposureProblem): FieldError {
  const at = ANNOTATIONS.key(p.annotation);
  switch (p.type) {
    case 'Required':
      return required(at, p.detail);
    case 'Forbidden':
      return forbidden(at, p.value === undefined ? p.detail : `${JSON.stringify(p.value)}: ${p.detail}`);
    case 'NotSupported':
      return notSupported(at, p.value, p.allowed ?? []);
    default:
      return invalid(at, p.value, p.detail);
  }
}

function checkSsePrefix(server: unknown, path: string): FieldError[] {
  const spec = specOf(server);
  const transport = str(spec.transport) ?? 'stdio';
  const sse = transport === 'sse' || (transport === 'stdio' && spec.proxyMode === 'sse');
  const prefix = path.replace(/\/$/, '');
  if (!sse || path === '/' || str(spec.endpointPrefix)?.replace(/\/$/, '') === prefix) return [];
  return [
    invalid(
      FieldPath.of('spec').child('endpointPrefix'),
      spec.endpointPrefix ?? '',
      `an sse server exposed under ${prefix} (${EXPOSE_ANNOTATION}) needs endpointPrefix: ${prefix}, or its clients post their messages outside the route`,
    ),
  ];
}

export function checkExposure(server: unknown, exposure: ExposurePolicy | undefined): FieldError[] {
  const metadata = metadataOf(server);
  const request = exposureRequest(metadata.annotations);
  if (!request) return [];
  const outcome = resolveExposure(request, exposure, str(metadata.namespace) ?? '');
  if ('problems' in outcome) return outcome.problems.map(fieldError);
  return checkSsePrefix(server, outcome.resolved.path);
}
