// The verifier's key policy and caches against a JWKS served on loopback, with a clock the test moves.
// The tokens are signed here with jose: what is under test is the proxy's handling of keys, kids,
// algorithms and caching; the real issuers are in test/integration/proxy-auth*.test.ts.
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { silentLogger } from '../../../../lib/log.ts';
import { TokenCache } from '../../../../proxy/auth/token-cache.ts';
import { createVerifier, type Verifier } from '../../../../proxy/auth/verifier.ts';
import type { RunConfigAuth } from '../../../../proxy/config.ts';
import type { Caller } from '../../../../proxy/caller.ts';

type Key = { privateKey: CryptoKeyLike; jwk: JWK };
type CryptoKeyLike = Parameters<SignJWT['sign']>[0];

async function newKey(kid: string): Promise<Key> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256' } };
}

describe('verifier: keys, algorithms and caches', () => {
  let server: Server;
  let url: string;
  let served: JWK[] = [];
  let fetches = 0;
  let up = true;
  let clock = 1_800_000_000_000;
  let verifier: Verifier;
  let k1: Key;

  const sign = (key: Key, claims: Record<string, unknown> = {}, alg = 'ES256') =>
    new SignJWT({ sub: 'alice', ...claims })
      .setProtectedHeader({ alg, kid: key.jwk.kid! })
      .setIssuer(url)
      .setAudience('mcp')
      .setExpirationTime(Math.floor(clock / 1000) + 600)
      .sign(key.privateKey);

  before(async () => {
    server = createServer((_req, res) => {
      fetches += 1;
      if (!up) return void res.writeHead(500).end();
      res
        .writeHead(200, { 'content-type': 'application/jwk-set+json' })
        .end(JSON.stringify({ keys: served }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    k1 = await newKey('k1');
  });

  beforeEach(() => {
    served = [k1.jwk];
    fetches = 0;
    up = true;
    const auth: RunConfigAuth = {
      issuer: url,
      audiences: ['mcp'],
      resourceUrl: 'http://proxy/mcp',
      scopesSupported: [],
      requiredScopes: [],
      jwksUrl: `${url}/jwks`,
      insecureAllowHTTP: true,
    };
    verifier = createVerifier(auth, silentLogger(), { now: () => clock });
  });

  afterEach(() => verifier.close());
  after(() => new Promise((resolve) => server.close(resolve)));

  it('verifies once per token: the second use is a cache hit', async () => {
    const token = await sign(k1);
    const first = (await verifier.verify(token)) as Caller;
    expect(first.subject).to.equal('alice');
    expect(await verifier.verify(token)).to.equal(first);
    expect(fetches).to.equal(1);
  });

  it('refetches for an unknown kid only after the cooldown', async () => {
    await verifier.verify(await sign(k1));
    const k2 = await newKey('k2');
    served = [k1.jwk, k2.jwk];
    expect(await verifier.verify(await sign(k2))).to.have.property('reason', 'unknown-key');
    expect(fetches).to.equal(1);
    clock += 30_001;
    expect(await verifier.verify(await sign(k2))).to.have.property('subject', 'alice');
    expect(fetches).to.equal(2);
  });

  it('answers unavailable while the JWKS cannot be fetched, and recovers', async () => {
    up = false;
    expect(await verifier.verify(await sign(k1))).to.have.property('reason', 'unavailable');
    up = true;
    expect(await verifier.verify(await sign(k1, { n: 1 }))).to.have.property('reason', 'unavailable');
    clock += 2001;
    expect(await verifier.verify(await sign(k1, { n: 2 }))).to.have.property('subject', 'alice');
  });

  it('refuses HS256 and none without fetching keys', async () => {
    const hs = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setIssuer(url)
      .setAudience('mcp')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode('a shared secret that is long enough'));
    expect(await verifier.verify(hs)).to.have.property('reason', 'algorithm');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${hs.split('.')[1]}.`;
    expect(await verifier.verify(none)).to.have.property('reason', 'no-introspection');
    const noneSigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${hs.split('.')[1]}.AAAA`;
    expect(await verifier.verify(noneSigned)).to.have.property('reason', 'algorithm');
    expect(fetches).to.equal(0);
  });

  it('stops accepting a cached token once it expires', async () => {
    const token = await sign(k1);
    expect(await verifier.verify(token)).to.have.property('subject', 'alice');
    clock += 661_000; // exp (600 s) + the 60 s skew, and a second
    expect(await verifier.verify(token)).to.have.property('reason', 'expired');
  });
});

describe('TokenCache', () => {
  it('evicts the oldest entries past its bound and forgets expired ones', () => {
    let now = 0;
    const cache = new TokenCache({ maxEntries: 2, now: () => now });
    const caller = (key: string) => ({ key, subject: key, claims: {}, scopes: [] });
    cache.set('a', caller('a'), 100);
    cache.set('b', caller('b'), 100);
    cache.set('c', caller('c'), 100);
    expect(cache.size).to.equal(2);
    expect(cache.get('a')).to.equal(undefined);
    expect(cache.get('c')?.key).to.equal('c');
    now = 100;
    expect(cache.get('b')).to.equal(undefined);
  });
});
