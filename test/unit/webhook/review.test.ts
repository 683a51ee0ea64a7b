import { expect } from 'chai';
import jsonPatch from 'fast-json-patch';
import { skippedFacts } from '../../../webhook/facts.ts';
import { FieldPath, notFound, required } from '../../../webhook/field.ts';
import { defaultPolicy } from '../../../webhook/policy.ts';
import {
  admissionTarget,
  aggregateMessage,
  invalidStatus,
  reviewMutate,
  reviewValidate,
  type ReviewResult,
} from '../../../webhook/review.ts';
import { PORT_MOVED } from '../../../webhook/rules/warnings.ts';
import { factsMissing, mcpServer, withSecret, withSpec } from './builders.ts';

const policy = defaultPolicy();

function review(object: unknown, request: Record<string, unknown> = {}) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'uid-1',
      kind: { group: 'toolhive.stacklok.dev', version: 'v1alpha1', kind: 'MCPServer' },
      operation: 'CREATE',
      name: 's',
      namespace: 'team-a',
      object,
      ...request,
    },
  };
}

const responseOf = (result: ReviewResult) => (result.body as { response: Record<string, unknown> }).response;

describe('review envelope', () => {
  const bad: Record<string, unknown> = {
    'a non-object': 'hello',
    'another apiVersion': { ...review(mcpServer('s')), apiVersion: 'admission.k8s.io/v1beta1' },
    'another kind': { ...review(mcpServer('s')), kind: 'Pod' },
    'no request': { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' },
    'no uid': review(mcpServer('s'), { uid: '' }),
    'a request for another resource': review(mcpServer('s'), {
      kind: { group: '', version: 'v1', kind: 'Pod' },
    }),
    'an unknown operation': review(mcpServer('s'), { operation: 'PATCH' }),
    'a CREATE without object': review(undefined),
  };
  for (const [name, body] of Object.entries(bad)) {
    it(`answers 400 to ${name}, for both webhooks`, () => {
      for (const result of [reviewValidate(body, skippedFacts(), policy), reviewMutate(body, policy)]) {
        expect(result.httpStatus).to.equal(400);
        expect(result.body).to.include({ kind: 'Status', code: 400, reason: 'BadRequest' });
      }
    });
  }
  for (const operation of ['DELETE', 'CONNECT']) {
    it(`lets ${operation} through without looking at the object`, () => {
      const body = review(null, { operation });
      expect(reviewValidate(body, skippedFacts(), policy)).to.deep.equal({
        httpStatus: 200,
        body: {
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: { uid: 'uid-1', allowed: true },
        },
      });
      expect(responseOf(reviewMutate(body, policy))).to.deep.equal({ uid: 'uid-1', allowed: true });
    });
  }
});

describe('reviewValidate', () => {
  it('allows a valid server, echoing the uid', () => {
    expect(responseOf(reviewValidate(review(mcpServer('s')), skippedFacts(), policy))).to.deep.equal({
      uid: 'uid-1',
      allowed: true,
    });
  });
  it('denies with every error as NewInvalid would, warnings included', () => {
    const server = mcpServer('s', withSecret('gone', 'k'), withSpec({ port: 1, image: undefined }));
    const result = reviewValidate(review(server), factsMissing(['gone']), policy);
    expect(responseOf(result)).to.deep.equal({
      uid: 'uid-1',
      allowed: false,
      warnings: ['spec.port is deprecated: use spec.proxyPort'],
      status: {
        status: 'Failure',
        code: 422,
        reason: 'Invalid',
        message:
          'MCPServer.toolhive.stacklok.dev "s" is invalid: [spec.image: Required value, spec.secrets[0].name: Not found: "gone"]',
        details: {
          name: 's',
          group: 'toolhive.stacklok.dev',
          kind: 'MCPServer',
          causes: [
            { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.image' },
            { reason: 'FieldValueNotFound', message: 'Not found: "gone"', field: 'spec.secrets[0].name' },
          ],
        },
      },
    });
  });
  it('gives the same answer to a dry run', () => {
    const server = mcpServer('s', withSecret('gone', 'k'));
    const wet = reviewValidate(review(server), factsMissing(['gone']), policy);
    const dry = reviewValidate(review(server, { dryRun: true }), factsMissing(['gone']), policy);
    expect(dry).to.deep.equal(wet);
  });
  it('validates the new object on UPDATE', () => {
    const result = reviewValidate(
      review(mcpServer('s', withSpec({ transport: 'x' })), {
        operation: 'UPDATE',
        oldObject: mcpServer('s'),
      }),
      skippedFacts(),
      policy,
    );
    expect(responseOf(result).allowed).to.be.false;
  });
  it('checks the namespace of the request when the object names none', () => {
    const server = mcpServer('s');
    delete (server.metadata as Record<string, unknown>).namespace;
    const result = reviewValidate(review(server, { namespace: 'elsewhere' }), skippedFacts(), {
      servedNamespaces: ['team-a'],
    });
    expect((responseOf(result).status as { message: string }).message).to.contain(
      'namespace "elsewhere" is not served',
    );
    expect(admissionTarget(review(server, { namespace: 'elsewhere' }))?.namespace).to.equal('elsewhere');
  });
});

describe('reviewMutate', () => {
  it('answers a JSON patch that turns the object into the defaulted one', () => {
    const server = mcpServer('s', withSpec({ transport: 'sse', port: 9090 }));
    const response = responseOf(reviewMutate(review(server), policy));
    expect(response).to.include({ uid: 'uid-1', allowed: true, patchType: 'JSONPatch' });
    expect(response.warnings).to.deep.equal([PORT_MOVED]);
    const ops = JSON.parse(Buffer.from(String(response.patch), 'base64').toString()) as jsonPatch.Operation[];
    const patched = jsonPatch.applyPatch(structuredClone(server), ops).newDocument;
    expect(patched.spec).to.deep.equal({
      image: 'ghcr.io/example/server:1.0',
      transport: 'sse',
      proxyPort: 9090,
      mcpPort: 8080,
    });
  });
  it('answers no patch when there is nothing to default', () => {
    const server = mcpServer('s', withSpec({ transport: 'stdio', proxyMode: 'sse', proxyPort: 8080 }));
    expect(responseOf(reviewMutate(review(server), policy))).to.deep.equal({ uid: 'uid-1', allowed: true });
  });
});

describe('invalidStatus message', () => {
  it('prints one error without brackets and drops repeated messages', () => {
    const e = required(FieldPath.of('spec.image'));
    expect(aggregateMessage([e])).to.equal('spec.image: Required value');
    expect(aggregateMessage([e, e, notFound(FieldPath.of('x'), 'y')])).to.equal(
      '[spec.image: Required value, x: Not found: "y"]',
    );
    expect(invalidStatus('n', [e]).message).to.equal(
      'MCPServer.toolhive.stacklok.dev "n" is invalid: spec.image: Required value',
    );
  });
});

describe('review on random input', () => {
  it('always answers 200 or 400 with a body, never throws', () => {
    const values: unknown[] = [null, 0, 'x', [], {}, { a: 1 }, [{}], true];
    let seed = 7;
    const pick = () => values[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % values.length];
    for (let i = 0; i < 500; i++) {
      const body = review(
        {
          metadata: pick(),
          spec: {
            image: pick(),
            secrets: pick(),
            podTemplateSpec: { spec: { containers: pick() } },
            resources: pick(),
          },
        },
        { operation: i % 2 ? 'CREATE' : 'UPDATE', name: pick() },
      );
      for (const result of [reviewValidate(body, skippedFacts(), policy), reviewMutate(body, policy)]) {
        expect([200, 400]).to.include(result.httpStatus);
        expect(result.body).to.be.an('object');
      }
    }
  });
});
