// The admission handlers webhook/server.ts calls: the pure decisions of webhook/review.ts, fed with the
// facts the lookup reads and the policy current at the time of the review. A lookup that throws makes
// the handler throw, which the server answers as Errored (500) with the request's uid: a flaky API
// server must never make a valid MCPServer look invalid.
import { admissionTarget, reviewMutate, reviewValidate } from './review.ts';
import { type ClusterLookup, gatherFacts, skippedFacts } from './facts.ts';
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
} {
  return {
    async validate(body) {
      const target = admissionTarget(body);
      const facts = target ? await gatherFacts(target.object, deps.lookup, target.namespace) : skippedFacts();
      return reviewValidate(body, facts, deps.policy());
    },
    mutate(body) {
      return Promise.resolve(reviewMutate(body, deps.policy()));
    },
  };
}
