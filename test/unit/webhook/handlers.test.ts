import { expect } from 'chai';
import type { ClusterLookup } from '../../../webhook/facts.ts';
import { createAdmissionHandlers } from '../../../webhook/handlers.ts';
import { defaultPolicy } from '../../../webhook/policy.ts';

const review = {
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: 'u-1',
    operation: 'CREATE',
    kind: { group: 'toolhive.stacklok.dev', version: 'v1alpha1', kind: 'MCPServer' },
    name: 'github',
    namespace: 'team-a',
    object: {
      apiVersion: 'toolhive.stacklok.dev/v1alpha1',
      kind: 'MCPServer',
      metadata: { name: 'github', namespace: 'team-a' },
      spec: {
        image: 'ghcr.io/github/github-mcp-server:1.0.0',
        secrets: [{ name: 'github-token', key: 'token', targetEnvName: 'GITHUB_TOKEN' }],
      },
    },
  },
};

/** Records which Secrets were asked for, in which namespace; every Secret has the key "token". */
function recordingLookup(asked: string[]): ClusterLookup {
  return {
    getSecretKeys: (namespace, name) => {
      asked.push(`${namespace}/${name}`);
      return Promise.resolve(['token']);
    },
    getConfigMapData: () => Promise.resolve(undefined),
  };
}

describe('createAdmissionHandlers', () => {
  it('looks up the referenced Secret in the request namespace before validating', async () => {
    const asked: string[] = [];
    const { validate } = createAdmissionHandlers({ lookup: recordingLookup(asked), policy: defaultPolicy });
    const result = await validate(review);
    const response = (result.body as { response: { uid: string; allowed: boolean } }).response;
    expect({
      asked,
      httpStatus: result.httpStatus,
      uid: response.uid,
      allowed: response.allowed,
    }).to.deep.equal({
      asked: ['team-a/github-token'],
      httpStatus: 200,
      uid: 'u-1',
      allowed: true,
    });
  });

  it('throws when a lookup fails, for the server to answer Errored', async () => {
    const failing: ClusterLookup = {
      getSecretKeys: () => Promise.reject(new Error('API down')),
      getConfigMapData: () => Promise.resolve(undefined),
    };
    const { validate } = createAdmissionHandlers({ lookup: failing, policy: defaultPolicy });
    const err = await validate(review).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as Error).message).to.equal('API down');
  });
});
