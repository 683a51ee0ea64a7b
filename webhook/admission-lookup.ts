// Everything admission reads from the cluster, assembled once for the webhook server (cli/commands/
// webhook.ts) and the integration tests' local webhook: Secret keys and ConfigMaps by GET
// (cluster-lookup.ts), namespaces' Pod Security labels from a watch (namespace-levels.ts), and whether the
// user a review names may make it (requester-access.ts).
import type { KubeClient } from '../lib/kube/client.ts';
import { authorizationCalls, coreCalls, customObjectCalls } from '../lib/kube/typed-calls.ts';
import type { Logger } from '../lib/log.ts';
import { authConfigLookupFrom, clusterLookupFrom } from './cluster-lookup.ts';
import type { ClusterLookup } from './facts.ts';
import { NamespaceLevels, namespaceInformer } from './namespace-levels.ts';
import { requesterCheck } from './requester-access.ts';

export interface AdmissionLookup {
  lookup: ClusterLookup;
  /** What is not ready yet, for /readyz. */
  readiness(): string[];
  stop(): Promise<void>;
}

/** Starts the namespace watch (not awaited: a missing RBAC rule shows as not ready, not as a crash). */
export function startAdmissionLookup(client: KubeClient, log: Logger): AdmissionLookup {
  const levels = new NamespaceLevels(namespaceInformer(client, log));
  levels.start().catch((err: unknown) => log.error({ err }, 'Failed to start the namespace watch'));
  return {
    lookup: {
      ...clusterLookupFrom(coreCalls(client)),
      ...authConfigLookupFrom(customObjectCalls(client)),
      namespaceEnforceLevel: (namespace) => levels.levelOf(namespace),
      requesterMay: requesterCheck(authorizationCalls(client)),
    },
    readiness: () => (levels.synced() ? [] : ['namespace Pod Security labels']),
    stop: () => levels.stop(),
  };
}

/** Resolves once the namespace watch has listed, for callers that must not race it (tests). */
export async function waitUntilReady(lookup: AdmissionLookup, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (lookup.readiness().length > 0) {
    if (Date.now() > until) throw new Error(`not ready: ${lookup.readiness().join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
