// Whether the user a review names may make the request it describes, asked of the API server with a
// LocalSubjectAccessReview before admission reads any Secret or ConfigMap for it. The API server has
// already authorized every review it sends, so for those the answer is always yes; the check is for
// reviews it did not send. The webhook's port is reachable by whatever the network lets through (the
// chart's NetworkPolicy narrows that), and a review POSTed there naming another tenant's namespace and
// Secrets would otherwise learn, from "Not found" or not, which Secrets and keys exist there. With this
// check it learns that only by naming a user who may create MCPServers there, who could see as much by
// creating one. It cannot tell a forged review that names such a user from a real one: nothing in a
// review proves who sent it. The README says so.
// Answers are cached for a short time per user, groups, namespace and verb, so a burst of applies by one
// person costs one request.
import type { AuthorizationV1Api } from '@kubernetes/client-node';
import type { RequestUser } from './facts.ts';

export type Verb = 'create' | 'update';

export type RequesterCheck = (user: RequestUser, namespace: string, verb: Verb) => Promise<boolean>;

export const GROUP = 'toolhive.stacklok.dev';
export const RESOURCE = 'mcpservers';
const TTL_MS = 10_000;
const MAX_ENTRIES = 1_000;

/** The LocalSubjectAccessReview that asks the question. */
export function accessReviewFor(user: RequestUser, namespace: string, verb: Verb) {
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'LocalSubjectAccessReview',
    metadata: { namespace },
    spec: {
      user: user.username,
      ...(user.uid ? { uid: user.uid } : {}),
      groups: user.groups,
      extra: user.extra,
      resourceAttributes: { namespace, verb, group: GROUP, resource: RESOURCE },
    },
  };
}

/** A check against the API server, with a small cache. */
export function requesterCheck(
  api: Pick<AuthorizationV1Api, 'createNamespacedLocalSubjectAccessReview'>,
): RequesterCheck {
  const cache = new Map<string, { allowed: boolean; until: number }>();
  return async (user, namespace, verb) => {
    if (!user.username) return false;
    const key = JSON.stringify([user.username, user.uid, user.groups, user.extra, namespace, verb]);
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.until > now) return hit.allowed;
    const answer = await api.createNamespacedLocalSubjectAccessReview({
      namespace,
      body: accessReviewFor(user, namespace, verb),
    });
    const allowed = answer.status?.allowed === true;
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(key, { allowed, until: now + TTL_MS });
    return allowed;
  };
}
