import type { V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { expect } from 'chai';
import { type SecretAndConfigMapReader, clusterLookupFrom } from '../../../webhook/cluster-lookup.ts';

const apiError = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code });

/** Objects keyed by "namespace/name"; anything else reads as 404, and "ns/broken" as a 500. */
function fakeReader(
  secrets: Record<string, V1Secret>,
  configMaps: Record<string, V1ConfigMap>,
): SecretAndConfigMapReader {
  const read = <T>(store: Record<string, T>, p: { name: string; namespace: string }): Promise<T> => {
    const key = `${p.namespace}/${p.name}`;
    if (key === 'ns/broken') return Promise.reject(apiError(500));
    return key in store ? Promise.resolve(store[key]!) : Promise.reject(apiError(404));
  };
  return {
    readNamespacedSecret: (p) => read(secrets, p),
    readNamespacedConfigMap: (p) => read(configMaps, p),
  };
}

describe('clusterLookupFrom', () => {
  const lookup = clusterLookupFrom(
    fakeReader(
      { 'ns/github': { data: { token: Buffer.from('s3cr3t-value').toString('base64'), user: 'dQ==' } } },
      { 'ns/profile': { data: { 'profile.json': '{}' } } },
    ),
  );

  it('returns the key names of a Secret and nothing of its values', async () => {
    const keys = await lookup.getSecretKeys('ns', 'github');
    expect({ keys, leaks: JSON.stringify(keys).includes('s3cr3t') }).to.deep.equal({
      keys: ['token', 'user'],
      leaks: false,
    });
  });

  it('reads a missing Secret or ConfigMap as undefined', async () => {
    expect([
      await lookup.getSecretKeys('ns', 'nope'),
      await lookup.getConfigMapData('ns', 'nope'),
    ]).to.deep.equal([undefined, undefined]);
  });

  it('returns ConfigMap data whole', async () => {
    expect(await lookup.getConfigMapData('ns', 'profile')).to.deep.equal({ 'profile.json': '{}' });
  });

  it('rethrows errors other than not found, so the review answers Errored', async () => {
    const err = await lookup.getSecretKeys('ns', 'broken').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as { code?: number }).code).to.equal(500);
  });
});
