// A review the API server did not send (POSTed straight to the webhook's port) must learn nothing about
// the Secrets of a namespace: whether they exist must not change the answer.
import { expect } from 'chai';
import type { ClusterLookup, RequestUser } from '../../../webhook/facts.ts';
import { createAdmissionHandlers } from '../../../webhook/handlers.ts';
import { defaultPolicy } from '../../../webhook/policy.ts';
import { accessReviewFor, requesterCheck } from '../../../webhook/requester-access.ts';

const EXISTING = 'db-password';

function review(secret: string, opts: { requestNamespace?: string; username?: string } = {}) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'forged',
      operation: 'CREATE',
      kind: { group: 'toolhive.stacklok.dev', version: 'v1alpha1', kind: 'MCPServer' },
      name: 'probe',
      namespace: opts.requestNamespace ?? 'victim',
      userInfo: { username: opts.username ?? 'mallory', groups: ['system:authenticated'] },
      object: {
        apiVersion: 'toolhive.stacklok.dev/v1alpha1',
        kind: 'MCPServer',
        metadata: { name: 'probe', namespace: 'victim' },
        spec: { image: 'ghcr.io/a/b:1', secrets: [{ name: secret, key: 'password' }] },
      },
    },
  };
}

/** The victim namespace holds EXISTING with key password; only `admin` may create MCPServers there. */
function lookup(asked: string[]): ClusterLookup {
  return {
    getSecretKeys: (namespace, name) => {
      asked.push(`${namespace}/${name}`);
      return Promise.resolve(name === EXISTING ? ['password'] : undefined);
    },
    getConfigMapData: () => Promise.resolve(undefined),
    requesterMay: (user: RequestUser, namespace) =>
      Promise.resolve(user.username === 'admin' && namespace === 'victim'),
  };
}

async function answerFor(body: unknown, asked: string[]): Promise<unknown> {
  const { validate } = createAdmissionHandlers({ lookup: lookup(asked), policy: defaultPolicy });
  return (await validate(body)).body;
}

describe('forged AdmissionReviews', () => {
  it('answers a user who may not create MCPServers there the same whether the Secret exists or not, reading nothing', async () => {
    const asked: string[] = [];
    const existing = await answerFor(review(EXISTING), asked);
    const missing = await answerFor(review('no-such-secret'), asked);
    expect(existing).to.deep.equal(missing);
    expect(asked).to.deep.equal([]);
    expect(JSON.stringify(existing)).to.include('mallory may not create mcpservers in namespace victim');
  });

  it('answers a review whose object names another namespace than the request without any lookup', async () => {
    const asked: string[] = [];
    const existing = await answerFor(
      review(EXISTING, { requestNamespace: 'mine', username: 'admin' }),
      asked,
    );
    const missing = await answerFor(review('nope', { requestNamespace: 'mine', username: 'admin' }), asked);
    expect(asked).to.deep.equal([]);
    expect(JSON.stringify(existing)).to.include('metadata.namespace: Invalid value: \\"victim\\"');
    expect(JSON.stringify(existing).replace(EXISTING, 'X')).to.equal(
      JSON.stringify(missing).replace('nope', 'X'),
    );
  });

  it('still tells a user who may create MCPServers there which Secret is missing', async () => {
    const asked: string[] = [];
    const answer = JSON.stringify(await answerFor(review('no-such-secret', { username: 'admin' }), asked));
    expect(asked).to.deep.equal(['victim/no-such-secret']);
    expect(answer).to.include('spec.secrets[0].name: Not found');
  });
});

describe('requesterCheck', () => {
  it('asks a LocalSubjectAccessReview for the user, groups and extra of the review, and caches the answer', async () => {
    const bodies: unknown[] = [];
    const api = {
      createNamespacedLocalSubjectAccessReview: (p: { namespace: string; body: unknown }) => {
        bodies.push(p.body);
        return Promise.resolve({ spec: {}, status: { allowed: true } });
      },
    };
    const check = requesterCheck(api);
    const user = { username: 'ann', uid: 'u1', groups: ['devs'], extra: { scopes: ['a'] } };
    expect([await check(user, 'team-a', 'create'), await check(user, 'team-a', 'create')]).to.deep.equal([
      true,
      true,
    ]);
    expect(bodies).to.deep.equal([accessReviewFor(user, 'team-a', 'create')]);
    expect(accessReviewFor(user, 'team-a', 'create').spec).to.deep.equal({
      user: 'ann',
      uid: 'u1',
      groups: ['devs'],
      extra: { scopes: ['a'] },
      resourceAttributes: {
        namespace: 'team-a',
        verb: 'create',
        group: 'toolhive.stacklok.dev',
        resource: 'mcpservers',
      },
    });
    expect(await check({ username: '', groups: [], extra: {} }, 'team-a', 'create')).to.equal(false);
  });
});
