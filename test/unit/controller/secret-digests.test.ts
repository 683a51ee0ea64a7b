// The Secrets an MCPServer references, reduced to keyed digests (secret-digests.ts), and the rollout
// key they are keyed with (rollout-key.ts), against a fake API client that answers from a script.
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import type { Dict } from '../../../controller/desired/types.ts';
import { ApiError } from '../../../controller/io.ts';
import type { KubeRequest } from '../../../lib/kube/client.ts';
import {
  getOrCreateRolloutKey,
  keyOf,
  lazyRolloutKey,
  ROLLOUT_KEY_SECRET,
  type ApiRequester,
} from '../../../controller/rollout-key.ts';
import { digestData, SecretDigests } from '../../../controller/secret-digests.ts';

const KEY = Buffer.alloc(32, 7);
const OTHER_KEY = Buffer.alloc(32, 8);

/** Answers each request with the next scripted answer (an object, or an ApiError to throw). */
class FakeApi implements ApiRequester {
  readonly requests: KubeRequest[] = [];
  readonly answers: Array<Dict | ApiError>;
  constructor(answers: Array<Dict | ApiError>) {
    this.answers = answers;
  }
  request<T>(req: KubeRequest): Promise<T> {
    this.requests.push(req);
    const next = this.answers.shift();
    if (next === undefined) return Promise.reject(new Error(`unscripted ${req.method} ${req.path}`));
    return next instanceof ApiError ? Promise.reject(next) : Promise.resolve(next as T);
  }
}

const secret = (rv: string, data: Record<string, string>): Dict => ({
  metadata: { name: 's', namespace: 'ns', resourceVersion: rv },
  data,
});
const notFound = () => new ApiError(404, 'NotFound', 'not found');

describe('digestData', () => {
  it('gives each key a keyed digest: not the value, not its unsalted hash, and another per key', () => {
    const digests = digestData(KEY, { token: 'b25l', other: 'b25l' });
    expect(Object.keys(digests)).to.deep.equal(['token', 'other']);
    expect(digests.token).to.match(/^[0-9a-f]{64}$/);
    expect(digests.token).to.equal(digests.other); // the same value, the same digest
    expect(digestData(OTHER_KEY, { token: 'b25l' }).token).to.not.equal(digests.token);
    expect(digestData(KEY, { token: 'dHdv' }).token).to.not.equal(digests.token);
    // Before issue 14 the annotation hashed the values with no key: anyone could test a guess.
    expect(digests.token).to.not.equal(createHash('sha256').update('b25l').digest('hex'));
  });

  it('has nothing for a Secret without data', () => {
    expect(digestData(KEY, undefined)).to.deep.equal({});
  });
});

describe('SecretDigests', () => {
  const digests = (api: FakeApi) =>
    new SecretDigests({ client: api, rolloutKey: () => Promise.resolve(KEY) });

  it('reads a Secret once per resourceVersion, and again when it moves', async () => {
    const api = new FakeApi([secret('5', { token: 'b25l' }), secret('6', { token: 'dHdv' })]);
    const d = digests(api);
    const first = await d.of('ns', 's', '5');
    expect(await d.of('ns', 's', '5')).to.equal(first);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal([
      'GET /api/v1/namespaces/ns/secrets/s',
    ]);
    const second = await d.of('ns', 's', '6');
    expect(second?.token).to.not.equal(first?.token);
    expect(api.requests).to.have.length(2);
  });

  it('shares one read among concurrent reconciles of the same version', async () => {
    const api = new FakeApi([secret('5', { token: 'b25l' })]);
    const d = digests(api);
    const [a, b] = await Promise.all([d.of('ns', 's', '5'), d.of('ns', 's', '5')]);
    expect(a).to.deep.equal(b);
    expect(api.requests).to.have.length(1);
  });

  it('answers undefined for a Secret deleted since the cache saw it, and forgets it', async () => {
    const api = new FakeApi([secret('5', { token: 'b25l' }), notFound(), secret('9', { token: 'b25l' })]);
    const d = digests(api);
    await d.of('ns', 's', '5');
    expect(await d.of('ns', 's', '8')).to.equal(undefined);
    expect(await d.of('ns', 's', '9')).to.have.keys('token');
    expect(api.requests).to.have.length(3);
  });

  it('reads again after forget()', async () => {
    const api = new FakeApi([secret('5', { token: 'b25l' }), secret('5', { token: 'b25l' })]);
    const d = digests(api);
    await d.of('ns', 's', '5');
    d.forget('ns', 's');
    await d.of('ns', 's', '5');
    expect(api.requests).to.have.length(2);
  });

  it('throws what the read throws (the reconcile is retried), and reads again next time', async () => {
    const api = new FakeApi([new ApiError(500, 'InternalError', 'boom'), secret('5', { token: 'b25l' })]);
    const d = digests(api);
    let failed: unknown;
    await d.of('ns', 's', '5').catch((err: unknown) => (failed = err));
    expect((failed as ApiError).code).to.equal(500);
    expect(await d.of('ns', 's', '5')).to.have.keys('token');
  });
});

describe('the rollout key', () => {
  const stored = (key: Buffer): Dict => ({ data: { key: key.toString('base64') } });

  it('is read when its Secret exists', async () => {
    const api = new FakeApi([stored(KEY)]);
    expect((await getOrCreateRolloutKey(api, 'ops')).equals(KEY)).to.equal(true);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal([
      `GET /api/v1/namespaces/ops/secrets/${ROLLOUT_KEY_SECRET}`,
    ]);
  });

  it("is made, 32 random bytes in an immutable Secret owned by the release's Lease, when there is none", async () => {
    const lease = { metadata: { name: 'mcp-operator-controller', uid: 'lease-uid' } };
    const api = new FakeApi([notFound(), lease]);
    api.answers.push(stored(KEY)); // the API server answers the create with the object it stored
    await getOrCreateRolloutKey(api, 'ops');
    expect(api.requests[1]?.path).to.equal(
      '/apis/coordination.k8s.io/v1/namespaces/ops/leases/mcp-operator-controller',
    );
    const create = api.requests[2]!;
    expect([create.method, create.path]).to.deep.equal(['POST', '/api/v1/namespaces/ops/secrets']);
    const body = create.body as { metadata: Dict; immutable: boolean; data: { key: string } };
    expect(body.metadata.name).to.equal(ROLLOUT_KEY_SECRET);
    expect(body.metadata.ownerReferences).to.deep.equal([
      {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        name: 'mcp-operator-controller',
        uid: 'lease-uid',
      },
    ]);
    expect(body.immutable).to.equal(true);
    expect(Buffer.from(body.data.key, 'base64')).to.have.length(32);
  });

  it('is made without an owner when there is no Lease to own it', async () => {
    const api = new FakeApi([notFound(), notFound(), stored(KEY)]);
    await getOrCreateRolloutKey(api, 'ops');
    expect((api.requests[2]?.body as { metadata: Dict }).metadata).to.not.have.property('ownerReferences');
  });

  it("is another replica's when that one created it first (409), read again", async () => {
    const api = new FakeApi([
      notFound(),
      notFound(),
      new ApiError(409, 'AlreadyExists', 'exists'),
      stored(OTHER_KEY),
    ]);
    expect((await getOrCreateRolloutKey(api, 'ops')).equals(OTHER_KEY)).to.equal(true);
  });

  it('is refused when the Secret holds no key of 32 bytes', () => {
    expect(() => keyOf({ data: { key: Buffer.alloc(8).toString('base64') } })).to.throw(/no rollout key/);
    expect(() => keyOf({})).to.throw(/no rollout key/);
  });

  it('is loaded once, and again after a failure', async () => {
    const api = new FakeApi([new ApiError(403, 'Forbidden', 'no'), stored(KEY)]);
    const load = lazyRolloutKey(api, 'ops');
    let failed: unknown;
    await load().catch((err: unknown) => (failed = err));
    expect((failed as ApiError).code).to.equal(403);
    expect((await load()).equals(KEY)).to.equal(true);
    expect((await load()).equals(KEY)).to.equal(true);
    expect(api.requests).to.have.length(2);
  });
});
