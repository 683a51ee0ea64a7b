// Objects nested deeper than anything real but within what the API server accepts (its JSON decoder stops
// at 10,000 levels): both webhooks must still answer them. Found by test/fuzz/admission.fuzz.test.ts: the
// mutating webhook deep-cloned the spec and overflowed the stack at about 3,000 levels, so the review
// came back Errored and, with failurePolicy Ignore, the object was stored without its defaults.
import { expect } from 'chai';
import { reviewMutate, reviewValidate } from '../../../webhook/review.ts';
import { defaultPolicy } from '../../../webhook/policy.ts';
import { skippedFacts } from '../../../webhook/facts.ts';

const DEPTH = 9_000;

/** A review whose spec.podTemplateSpec holds `depth` nested objects (built as text: no recursion here). */
function deepReview(depth: number): unknown {
  const deep = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const text = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"deep",
    "kind":{"group":"toolhive.stacklok.dev","version":"v1alpha1","kind":"MCPServer"},"operation":"CREATE",
    "namespace":"team-a","object":{"apiVersion":"toolhive.stacklok.dev/v1alpha1","kind":"MCPServer",
    "metadata":{"name":"deep","namespace":"team-a"},"spec":{"image":"ghcr.io/example/server:1.0",
    "podTemplateSpec":{"metadata":${deep}}}}}}`;
  return JSON.parse(text) as unknown;
}

describe(`reviews of objects nested ${DEPTH} levels deep`, () => {
  it('mutating: answers with the defaults patch', () => {
    const { httpStatus, body } = reviewMutate(deepReview(DEPTH), defaultPolicy());
    const response = (body as { response: { uid: string; allowed: boolean; patch?: string } }).response;
    expect([httpStatus, response.uid, response.allowed]).to.deep.equal([200, 'deep', true]);
    const patch = JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString()) as { path: string }[];
    expect(patch.map((op) => op.path)).to.include.members(['/spec/transport', '/spec/proxyPort']);
  });

  it('validating: answers with a verdict', () => {
    const { httpStatus, body } = reviewValidate(deepReview(DEPTH), skippedFacts(), defaultPolicy());
    const response = (body as { response: { uid: string; allowed: boolean } }).response;
    expect([httpStatus, response.uid, typeof response.allowed]).to.deep.equal([200, 'deep', 'boolean']);
  });
});
