// The companions an MCPServer names by reference (spec.toolConfigRef, telemetryConfigRef, groupRef,
// externalAuthConfigRef, webhookConfigRef), and the rule that each exists in the server's namespace.
// Pure: AdmissionFacts.companions holds what facts.ts read (`<Kind>/<name>` -> spec, undefined when absent).
import { companionKey, companionRefs } from '../../schemas/companion-refs.ts';
import { FieldPath, notFound, type FieldError } from '../field.ts';
import type { AdmissionFacts } from '../facts.ts';

export { companionKey, companionRefs, COMPANION_REFS } from '../../schemas/companion-refs.ts';

/** Not found for each named companion that does not exist (nothing when lookups were skipped). */
export function checkCompanionReferences(
  server: unknown,
  facts: AdmissionFacts,
  path: FieldPath = FieldPath.of('spec'),
): FieldError[] {
  if (facts.lookupsSkipped || !facts.companions) return [];
  const errors: FieldError[] = [];
  for (const { field, kind, name } of companionRefs(server)) {
    const key = companionKey(kind, name);
    if (facts.companions.has(key) && facts.companions.get(key) === undefined)
      errors.push(
        notFound(path.child(field).child('name'), name, `no ${kind} of that name in this namespace`),
      );
  }
  return errors;
}
