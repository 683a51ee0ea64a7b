// The admission policy's tenancy keys applied to one MCPServer (webhook/policy.ts parses them):
// - authenticationRequiredNamespaces: there an MCPServer must name an OIDC config (oidcConfigRef, or the
//   legacy oidcConfig); without one its proxy would accept every caller.
// - separateSessionsRequiredNamespaces: there transport stdio is denied, since one stdio server process
//   serves every session of the proxy: what one caller's call leaves in the process, and server-wide
//   notifications, reach the others. streamable-http and sse get one backend session per client session.
//   No transport means stdio (the mutating webhook's default, which may not have run).
// Each denial names the policy key, so the user knows what to ask the administrator about.
import { FieldPath, forbidden, required, type FieldError } from '../field.ts';
import { namespaceMatches, type AdmissionPolicy } from '../policy.ts';
import { isDict, metadataOf, specOf, str } from './shape.ts';

const SPEC = FieldPath.of('spec');

const matches = (patterns: string[] | undefined, namespace: string): boolean =>
  !!patterns?.some((pattern) => namespaceMatches(pattern, namespace));

export function checkTenancyPolicy(server: unknown, policy: AdmissionPolicy): FieldError[] {
  const spec = specOf(server);
  const namespace = str(metadataOf(server).namespace) ?? '';
  const errors: FieldError[] = [];
  if (
    matches(policy.authenticationRequiredNamespaces, namespace) &&
    !isDict(spec.oidcConfigRef) &&
    !isDict(spec.oidcConfig)
  ) {
    errors.push(
      required(
        SPEC.child('oidcConfigRef'),
        `the admission policy (authenticationRequiredNamespaces) requires authentication in namespace ${namespace}: name an MCPOIDCConfig`,
      ),
    );
  }
  const transport = spec.transport ?? 'stdio';
  if (matches(policy.separateSessionsRequiredNamespaces, namespace) && transport === 'stdio') {
    errors.push(
      forbidden(
        SPEC.child('transport'),
        `the admission policy (separateSessionsRequiredNamespaces) requires streamable-http or sse in namespace ${namespace}: one stdio process is shared by every session`,
      ),
    );
  }
  return errors;
}
