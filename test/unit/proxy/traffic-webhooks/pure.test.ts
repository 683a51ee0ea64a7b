// The pure parts of proxy/traffic-webhooks: ToolHive's signature (a vector computed with openssl, not
// with our code), how an HTTP answer is classified, how a mutating answer is applied, and the run-config
// section's problems.
import { expect } from 'chai';
import { ANONYMOUS } from '../../../../proxy/caller.ts';
import type { RpcMessage } from '../../../../proxy/jsonrpc.ts';
import { applyAnswer, type PatchOutcome } from '../../../../proxy/traffic-webhooks/patch.ts';
import { webhooksProblems } from '../../../../proxy/traffic-webhooks/run-config.ts';
import {
  principalOf,
  readAnswer,
  signature,
  type CallResult,
} from '../../../../proxy/traffic-webhooks/wire.ts';

describe('proxy/traffic-webhooks pure parts', () => {
  it('signs as ToolHive: sha256= hex HMAC-SHA256 of "<ts>.<body>"', () => {
    // printf '%s' '1698057000.{"version":"v0.1.0","uid":"test-uid"}' | openssl dgst -sha256 -hmac my-secret
    expect(signature('my-secret', 1698057000, '{"version":"v0.1.0","uid":"test-uid"}')).to.equal(
      'sha256=0e7aa8106251123f229b7f01332a7fbbe9d298f2819bceec8a69299c858667b6',
    );
  });

  describe('readAnswer', () => {
    const cases: Record<string, { status: number; text: string; want: CallResult }> = {
      'an allowed answer': {
        status: 200,
        text: '{"allowed":true}',
        want: { ok: true, answer: { allowed: true } },
      },
      'a missing allowed is a denial (Go zero value)': {
        status: 200,
        text: '{"message":"m"}',
        want: { ok: true, answer: { allowed: false, message: 'm' } },
      },
      'null is a denial': { status: 200, text: 'null', want: { ok: true, answer: { allowed: false } } },
      'a 5xx is a network failure': {
        status: 502,
        text: '',
        want: { ok: false, failure: { kind: 'network', detail: 'webhook returned HTTP 502' } },
      },
      'a 422 is an invalid answer with its status': {
        status: 422,
        text: '{}',
        want: { ok: false, failure: { kind: 'invalid', status: 422, detail: 'webhook returned HTTP 422' } },
      },
      'a 201 is invalid too': {
        status: 201,
        text: '{"allowed":true}',
        want: { ok: false, failure: { kind: 'invalid', status: 201, detail: 'webhook returned HTTP 201' } },
      },
      'not JSON': {
        status: 200,
        text: 'ok',
        want: { ok: false, failure: { kind: 'invalid', status: 0, detail: 'answer is not JSON' } },
      },
      'allowed of another type': {
        status: 200,
        text: '{"allowed":"yes"}',
        want: {
          ok: false,
          failure: { kind: 'invalid', status: 0, detail: "answer's allowed is not a boolean" },
        },
      },
    };
    for (const [name, c] of Object.entries(cases))
      it(name, () => expect(readAnswer(c.status, c.text)).to.deep.equal(c.want));
  });

  describe('applyAnswer', () => {
    const call: RpcMessage = {
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'echo', arguments: {} },
    };
    const patch = (...ops: unknown[]) => ({ allowed: true, patchType: 'json_patch', patch: ops });
    const cases: Record<
      string,
      { answer: Parameters<typeof applyAnswer>[1]; want: PatchOutcome['kind'] | RpcMessage }
    > = {
      'no patch leaves it unchanged': { answer: { allowed: true }, want: 'unchanged' },
      'an empty patch leaves it unchanged': { answer: patch(), want: 'unchanged' },
      'an add under mcp_request applies': {
        answer: patch({ op: 'add', path: '/mcp_request/params/arguments/who', value: 'me' }),
        want: { ...call, params: { name: 'echo', arguments: { who: 'me' } } },
      },
      'another patch type is invalid': {
        answer: { allowed: true, patchType: 'merge', patch: {} },
        want: 'invalid',
      },
      'a patch that is not a list is invalid': {
        answer: { allowed: true, patchType: 'json_patch', patch: {} },
        want: 'invalid',
      },
      'an unknown op is invalid': { answer: patch({ op: 'merge', path: '/mcp_request/x' }), want: 'invalid' },
      'the root /mcp_request is out of scope': {
        answer: patch({ op: 'replace', path: '/mcp_request', value: {} }),
        want: 'invalid',
      },
      'a move from outside is out of scope': {
        answer: patch({ op: 'move', from: '/principal', path: '/mcp_request/params/p' }),
        want: 'invalid',
      },
      'a failed test op is invalid': {
        answer: patch({ op: 'test', path: '/mcp_request/method', value: 'tools/list' }),
        want: 'invalid',
      },
      'a changed id is unusable': {
        answer: patch({ op: 'replace', path: '/mcp_request/id', value: 8 }),
        want: 'unusable',
      },
      'removing the method is unusable': {
        answer: patch({ op: 'remove', path: '/mcp_request/method' }),
        want: 'unusable',
      },
    };
    for (const [name, c] of Object.entries(cases))
      it(name, () => {
        const got = applyAnswer(call, c.answer);
        if (typeof c.want === 'string') expect(got.kind).to.equal(c.want);
        else expect(got).to.deep.equal({ kind: 'patched', message: c.want });
      });
    it('never changes the message it was given', () => {
      applyAnswer(call, patch({ op: 'add', path: '/mcp_request/params/arguments/x', value: 1 }));
      expect(call).to.deep.equal({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'echo', arguments: {} },
      });
    });
  });

  it('lists every problem of a webhooks section, naming the webhook', () => {
    expect(
      webhooksProblems({
        validating: [
          { name: 'a', url: 'http://x', failurePolicy: 'fail' },
          { name: 'b', url: 'https://x', failurePolicy: 'sometimes', timeoutMs: 60_000 },
        ],
        mutating: [
          {
            name: 'c',
            url: 'http://x',
            failurePolicy: 'ignore',
            tls: { insecureSkipVerify: true, clientCertFile: '/c' },
          },
        ],
      }),
    ).to.deep.equal([
      'webhooks.mutating[0] "c": tls.clientCertFile and tls.clientKeyFile must both be set for mTLS',
      'webhooks.validating[0] "a": url must use https (http only with tls.insecureSkipVerify)',
      'webhooks.validating[1] "b": failurePolicy must be "fail" or "ignore", got "sometimes"',
      'webhooks.validating[1] "b": timeoutMs must be between 1000 and 30000',
    ]);
  });

  it('describes an authenticated caller as ToolHive PrincipalInfo, without internal claims', () => {
    const caller = {
      key: 'i|u1',
      subject: 'u1',
      issuer: 'i',
      claims: { sub: 'u1', email: 'u@x', tsid: 'secret-session', groups: ['g'] },
      scopes: [],
    };
    expect(principalOf(caller, 100)).to.deep.equal({
      sub: 'u1',
      platform_user_id: 'u1',
      email: 'u@x',
      claims: { sub: 'u1', email: 'u@x', groups: ['g'] },
    });
    expect(principalOf(ANONYMOUS, 100)).to.deep.include({ sub: 'anonymous', name: 'Anonymous User' });
  });
});
