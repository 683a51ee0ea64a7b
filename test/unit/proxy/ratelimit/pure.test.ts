// The pure parts of proxy/ratelimit: the bucket plan (which buckets a call draws from,
// their keys), ToolHive's Retry-After, and the 429 answer's shape.
import { expect } from 'chai';
import { rateLimitedError } from '../../../../proxy/ratelimit/limiting-backend.ts';
import { bucketsFor, compilePlan, retryAfterSeconds } from '../../../../proxy/ratelimit/plan.ts';

describe('proxy/ratelimit pure parts', () => {
  it('compiles buckets: rate maxTokens per refillPeriod, TTL ceil(2x refillPeriod)', () => {
    const plan = compilePlan({
      shared: { maxTokens: 100, refillPeriod: '1m0s' },
      perUser: { maxTokens: 3, refillPeriod: '1500ms' },
      tools: [{ name: 'search', shared: { maxTokens: 10, refillPeriod: '10s' } }],
    });
    expect(plan.shared).to.deep.equal({ maxTokens: 100, refillRate: 100 / 60, expireSeconds: 120 });
    expect(plan.perUser).to.deep.equal({ maxTokens: 3, refillRate: 2, expireSeconds: 3 });
    expect(plan.tools.get('search')).to.deep.equal({
      shared: { maxTokens: 10, refillRate: 1, expireSeconds: 20 },
    });
    // refillPeriod in Go's grammar (lib/go-duration.ts, the one admission checks).
    const seconds = (refillPeriod: string) =>
      1 / compilePlan({ shared: { maxTokens: 1, refillPeriod } }).shared!.refillRate;
    for (const [text, s] of [
      ['1m0s', 60],
      ['1h0m0s', 3600],
      ['1.5h', 5400],
      ['1h30m', 5400],
      ['500ms', 0.5],
      ['.5s', 0.5],
    ] as const)
      expect(seconds(text), text).to.be.closeTo(s, 1e-9);
  });

  it('refuses at start what it cannot apply, naming the field', () => {
    const refused = (config: unknown) => () => compilePlan(config as never);
    expect(refused({ shared: { maxTokens: 0, refillPeriod: '1s' } })).to.throw(
      /rateLimiting\.shared\.maxTokens/,
    );
    expect(refused({ perUser: { maxTokens: 1.5, refillPeriod: '1s' } })).to.throw(/perUser\.maxTokens/);
    expect(refused({ shared: { maxTokens: 1, refillPeriod: '1' } })).to.throw(/shared\.refillPeriod/);
    expect(refused({ shared: { maxTokens: 1, refillPeriod: '0s' } })).to.throw(/shared\.refillPeriod/);
    expect(refused({ shared: { maxTokens: 1, refillPeriod: '-1s' } })).to.throw(/shared\.refillPeriod/);
    expect(refused({ tools: [{ name: '', shared: { maxTokens: 1, refillPeriod: '1s' } }] })).to.throw(
      /tools\[0\]\.name/,
    );
    expect(
      refused({
        tools: [
          { name: 'a', shared: { maxTokens: 1, refillPeriod: '1s' } },
          { name: 'a', perUser: { maxTokens: 1, refillPeriod: '1s' } },
        ],
      }),
    ).to.throw(/tools\[1\].*twice/);
    expect(refused({ tools: [{ name: 'a', perUser: { maxTokens: 1, refillPeriod: 'soon' } }] })).to.throw(
      /tools\[0\]\.perUser\.refillPeriod/,
    );
  });

  it("picks every bucket that applies, in ToolHive's order, with its keys", () => {
    const bucket = { maxTokens: 5, refillPeriod: '5s' };
    const plan = compilePlan({
      shared: bucket,
      perUser: bucket,
      tools: [
        { name: 'search', shared: bucket, perUser: bucket },
        { name: 'echo', perUser: bucket },
      ],
    });
    const keys = (tool: string | undefined, subject: string | undefined) =>
      bucketsFor(plan, 'p:ns/srv:', tool, subject).map((b) => [b.key, b.scope, b.tool]);
    expect(keys('search', 'alice')).to.deep.equal([
      ['p:ns/srv:rl:shared', 'shared', ''],
      ['p:ns/srv:rl:shared:tool:search', 'shared', 'search'],
      ['p:ns/srv:rl:user:alice', 'perUser', ''],
      ['p:ns/srv:rl:user-tool:search:alice', 'perUser', 'search'],
    ]);
    // No authentication: no per-user bucket; an unlisted tool: the server's buckets only.
    expect(keys('search', undefined)).to.deep.equal([
      ['p:ns/srv:rl:shared', 'shared', ''],
      ['p:ns/srv:rl:shared:tool:search', 'shared', 'search'],
    ]);
    expect(keys('other', 'bob')).to.deep.equal([
      ['p:ns/srv:rl:shared', 'shared', ''],
      ['p:ns/srv:rl:user:bob', 'perUser', ''],
    ]);
    expect(keys(undefined, 'bob').map((k) => k[0])).to.deep.equal([
      'p:ns/srv:rl:shared',
      'p:ns/srv:rl:user:bob',
    ]);
    expect(keys('echo', 'bob').at(-1)).to.deep.equal(['p:ns/srv:rl:user-tool:echo:bob', 'perUser', 'echo']);
    expect(bucketsFor(compilePlan({ tools: [{ name: 'a', shared: bucket }] }), '', 'b', 'x')).to.deep.equal(
      [],
    );
  });

  it("never lets a ':' in a tool name make two per-user tool keys meet", () => {
    const bucket = { maxTokens: 1, refillPeriod: '1s' };
    const plan = compilePlan({
      tools: [
        { name: 'a:b', perUser: bucket },
        { name: 'a', perUser: bucket },
      ],
    });
    const one = bucketsFor(plan, '', 'a:b', 'c')[0]!.key;
    const two = bucketsFor(plan, '', 'a', 'b:c')[0]!.key;
    expect(one).to.equal('rl:user-tool:a%3Ab:c');
    expect(two).to.equal('rl:user-tool:a:b:c');
    expect(one).to.not.equal(two);
  });

  it("answers Retry-After as ToolHive: one token's time, whole seconds up, at least 1", () => {
    const after = (maxTokens: number, refillPeriod: string) =>
      retryAfterSeconds(compilePlan({ shared: { maxTokens, refillPeriod } }).shared!);
    expect(after(3, '1s')).to.equal(1);
    expect(after(10, '1m0s')).to.equal(6);
    expect(after(7, '1m0s')).to.equal(9); // 8.57 s
    expect(after(1, '1h')).to.equal(3600);
    expect(after(100, '1s')).to.equal(1);
  });

  it("shapes the refusal as ToolHive's JSON-RPC error", () => {
    expect(rateLimitedError(7, 2)).to.deep.equal({
      jsonrpc: '2.0',
      id: 7,
      error: { code: 429, message: 'Rate limit exceeded', data: { retryAfterSeconds: 2 } },
    });
  });
});
