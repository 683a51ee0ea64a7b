// The admission handlers webhook/server.ts calls: the pure decisions of webhook/review.ts, fed with the
// facts the lookup reads and the policy current at the time of the review. A lookup that throws makes
// the handler throw, which the server answers as Errored (500) with the request's uid: a flaky API
// server must never make a valid MCPServer look invalid.
import { finishValidation, forbiddenReview, reviewMutate, startValidation } from './review.ts';
import { reviewConfigValidate } from './config-review.ts';
import { type ClusterLookup, gatherFacts, referencedConfigMaps, referencedSecrets } from './facts.ts';
import { authConfigRefs } from './rules/auth-references.ts';
import type { AdmissionPolicy } from './policy.ts';
import type { AdmissionHandler } from './server.ts';

export interface AdmissionHandlerDeps {
  lookup: ClusterLookup;
  /** The policy to apply to this review (PolicySource.current, or a constant). */
  policy: () => AdmissionPolicy;
}

export function createAdmissionHandlers(deps: AdmissionHandlerDeps): {
  validate: AdmissionHandler;
  mutate: AdmissionHandler;
  validateConfig: AdmissionHandler;
} {
  return {
    async validate(body) {
      // The envelope is read once: reviewValidate's two halves, with the lookups in between.
      const started = startValidation(body);
      if ('answer' in started) return started.answer;
      const { object, namespace, userInfo, operation } = started;
      const reads =
        referencedSecrets(object).length +
          referencedConfigMaps(object).length +
          authConfigRefs(object).length >
        0;
      const verb = operation === 'UPDATE' ? 'update' : 'create';
      if (reads && deps.lookup.requesterMay && !(await deps.lookup.requesterMay(userInfo, namespace, verb))) {
        // The same answer whatever exists in that namespace: nothing was read.
        const who = userInfo.username || '(no user)';
        return forbiddenReview(started.uid, `${who} may not ${verb} mcpservers in namespace ${namespace}`);
      }
      const facts = await gatherFacts(started.object, deps.lookup, started.namespace);
      return finishValidation(started, facts, deps.policy());
    },
    mutate(body) {
      return Promise.resolve(reviewMutate(body, deps.policy()));
    },
    validateConfig(body) {
      return Promise.resolve(reviewConfigValidate(body));
    },
  };
}
