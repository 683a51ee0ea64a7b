// The ClusterLookup our server uses in the bench: the Secrets and ConfigMaps the seed examples reference,
// held in memory. The bench measures the webhook, not the API server: a real lookup adds one GET per
// referenced object (webhook/cluster-lookup.ts), the same for every webhook that checks references.
import type { ClusterLookup } from '../../webhook/facts.ts';

const SECRET_KEYS: Record<string, string[]> = { 'github-token': ['token'] };

export const inMemoryLookup: ClusterLookup = {
  getSecretKeys: (_namespace, name) => Promise.resolve(SECRET_KEYS[name]),
  getConfigMapData: () => Promise.resolve(undefined),
};
