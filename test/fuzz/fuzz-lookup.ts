// The cluster the admission fuzz tests pretend to run in: a Secret and two ConfigMap profiles (one good,
// one not), so generated references sometimes resolve and the lookup-driven rules run. Maps, not object
// literals: generated names include `constructor` and `__proto__`.
import type { ClusterLookup } from '../../webhook/facts.ts';

const SECRET_KEYS = new Map([
  ['github-token', ['token']],
  ['fuzz', ['a', 'b']],
]);
const CONFIG_MAPS = new Map([
  ['profile', { 'profile.json': '{"network":{"outbound":{"allow_port":[443]}}}' }],
  ['broken', { 'profile.json': '{"network":' }],
]);

export const fuzzLookup: ClusterLookup = {
  getSecretKeys: (_namespace, name) => Promise.resolve(SECRET_KEYS.get(name)),
  getConfigMapData: (_namespace, name) => Promise.resolve(CONFIG_MAPS.get(name)),
};
