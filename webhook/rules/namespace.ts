// metadata.namespace: in namespace mode the operator watches and runs only some namespaces, so an MCPServer
// elsewhere would be stored and never run. Deny it, naming the namespaces that are served.
import { FieldPath, forbidden, type FieldError } from '../field.ts';
import type { AdmissionPolicy } from '../policy.ts';
import { goQuote } from '../field.ts';
import { metadataOf, str } from './shape.ts';

export function checkNamespace(
  server: unknown,
  policy: AdmissionPolicy,
  path: FieldPath = FieldPath.of('metadata'),
): FieldError[] {
  const served = policy.servedNamespaces;
  if (served === 'all') return [];
  const namespace = str(metadataOf(server).namespace) ?? '';
  if (served.includes(namespace)) return [];
  const allowed = served.length > 0 ? served.map(goQuote).join(', ') : 'none';
  return [
    forbidden(
      path.child('namespace'),
      `namespace ${goQuote(namespace)} is not served by this operator (served: ${allowed})`,
    ),
  ];
}
