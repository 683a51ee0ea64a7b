// webhook/rules/scale-out.ts: replicas, backendReplicas, sessionStorage and rateLimiting, each refusal
// and each acceptance; and the same rules through validateMCPServer (the webhook's and `validate`'s
// whole decision), where the schema adds its own (maxTokens >= 1, required bucket fields).
import { expect } from 'chai';
import { skippedFacts, type AdmissionFacts } from '../../../../webhook/facts.ts';
import {
  duplicate,
  FieldPath,
  forbidden,
  formatFieldError,
  invalid,
  notFound,
  required,
  type FieldError,
} from '../../../../webhook/field.ts';
import { defaultPolicy } from '../../../../webhook/policy.ts';
import {
  ADDRESS_FORMAT,
  checkScaleOut,
  isRedisAddress,
  PER_USER_NEEDS_AUTH,
  RATE_LIMITS_NEED_REDIS,
  REFILL_PERIOD,
  REPLICAS_NEED_REDIS,
  sessionStorageSecrets,
  STDIO_BACKEND_REPLICAS,
  STDIO_REPLICAS,
} from '../../../../webhook/rules/scale-out.ts';
import { referencedSecrets } from '../../../../webhook/facts.ts';
import { validateMCPServer } from '../../../../webhook/validate.ts';
import { factsMissing, factsWith, mcpServer, withSpec } from '../builders.ts';

const spec = FieldPath.of('spec');
const redis = { provider: 'redis', address: 'redis.cache:6379' };
const bucket = { maxTokens: 10, refillPeriod: '1m0s' };
const http = (fields: Record<string, unknown>) =>
  mcpServer('s', withSpec({ transport: 'streamable-http', ...fields }));
const oidc = { oidcConfigRef: { name: 'idp', audience: 's' } };

describe('checkScaleOut', () => {
  const none = factsWith();
  const cases: Record<string, { server: unknown; facts?: AdmissionFacts; want: FieldError[] }> = {
    'accepts a server that does not scale out': { server: mcpServer('s'), want: [] },
    'accepts one or zero replicas of a stdio server': {
      server: mcpServer('s', withSpec({ transport: 'stdio', replicas: 1, backendReplicas: 0 })),
      want: [],
    },
    'refuses two proxy replicas of a stdio server': {
      server: mcpServer('s', withSpec({ transport: 'stdio', replicas: 2 })),
      want: [invalid(spec.child('replicas'), 2, STDIO_REPLICAS)],
    },
    'treats a missing transport as stdio': {
      server: mcpServer('s', withSpec({ replicas: 3, backendReplicas: 2 })),
      want: [
        invalid(spec.child('replicas'), 3, STDIO_REPLICAS),
        invalid(spec.child('backendReplicas'), 2, STDIO_BACKEND_REPLICAS),
      ],
    },
    'refuses two stdio server pods even with Redis': {
      server: mcpServer('s', withSpec({ transport: 'stdio', backendReplicas: 2, sessionStorage: redis })),
      want: [invalid(spec.child('backendReplicas'), 2, STDIO_BACKEND_REPLICAS)],
    },
    'refuses several proxy replicas of an HTTP server without session storage': {
      server: http({ replicas: 3 }),
      want: [invalid(spec.child('replicas'), 3, REPLICAS_NEED_REDIS)],
    },
    'refuses several proxy replicas with memory session storage (each replica its own)': {
      server: mcpServer(
        's',
        withSpec({ transport: 'sse', replicas: 2, sessionStorage: { provider: 'memory' } }),
      ),
      want: [invalid(spec.child('replicas'), 2, REPLICAS_NEED_REDIS)],
    },
    'accepts several proxy replicas and server pods with Redis': {
      server: http({ replicas: 3, backendReplicas: 5, sessionStorage: redis }),
      want: [],
    },
    'accepts several server pods behind one proxy without Redis': {
      server: http({ replicas: 1, backendReplicas: 3 }),
      want: [],
    },
    'requires the address of a Redis': {
      server: http({ sessionStorage: { provider: 'redis' } }),
      want: [required(spec.child('sessionStorage', 'address'), 'address is required for provider "redis"')],
    },
    'refuses an address that is not host:port': {
      server: http({ sessionStorage: { provider: 'redis', address: 'redis:99999' } }),
      want: [invalid(spec.child('sessionStorage', 'address'), 'redis:99999', ADDRESS_FORMAT)],
    },
    'does not read an address for memory storage': {
      server: http({ sessionStorage: { provider: 'memory', address: 'not an address' } }),
      want: [],
    },
    'refuses a password Secret that does not exist': {
      server: http({ sessionStorage: { ...redis, passwordRef: { name: 'redis-auth', key: 'password' } } }),
      facts: factsMissing(['redis-auth']),
      want: [
        notFound(
          spec.child('sessionStorage', 'passwordRef', 'name'),
          'redis-auth',
          "no Secret of that name in the MCPServer's namespace",
        ),
      ],
    },
    'refuses a password key the Secret does not have': {
      server: http({ sessionStorage: { ...redis, passwordRef: { name: 'redis-auth', key: 'password' } } }),
      facts: factsWith({ 'redis-auth': ['pass'] }),
      want: [
        notFound(
          spec.child('sessionStorage', 'passwordRef', 'key'),
          'password',
          'Secret "redis-auth" has no such key',
        ),
      ],
    },
    'accepts a password Secret and key that exist': {
      server: http({ sessionStorage: { ...redis, passwordRef: { name: 'redis-auth', key: 'password' } } }),
      facts: factsWith({ 'redis-auth': ['password'] }),
      want: [],
    },
    'skips the Secret offline': {
      server: http({ sessionStorage: { ...redis, passwordRef: { name: 'redis-auth', key: 'password' } } }),
      facts: skippedFacts(),
      want: [],
    },
    'accepts rate limits counted in Redis': {
      server: http({
        sessionStorage: redis,
        rateLimiting: {
          shared: bucket,
          tools: [{ name: 'search', shared: { maxTokens: 1, refillPeriod: '1.5h' } }],
        },
      }),
      want: [],
    },
    'refuses rate limits without Redis': {
      server: http({ rateLimiting: { shared: bucket } }),
      want: [forbidden(spec.child('rateLimiting'), RATE_LIMITS_NEED_REDIS)],
    },
    'refuses rate limits with memory storage': {
      server: http({ sessionStorage: { provider: 'memory' }, rateLimiting: { shared: bucket } }),
      want: [forbidden(spec.child('rateLimiting'), RATE_LIMITS_NEED_REDIS)],
    },
    'refuses per-user limits without authentication, server-wide and per tool': {
      server: http({
        sessionStorage: redis,
        rateLimiting: { perUser: bucket, tools: [{ name: 'a', perUser: bucket }] },
      }),
      want: [
        forbidden(spec.child('rateLimiting', 'perUser'), PER_USER_NEEDS_AUTH),
        forbidden(spec.child('rateLimiting', 'tools').index(0).child('perUser'), PER_USER_NEEDS_AUTH),
      ],
    },
    'accepts per-user limits with oidcConfigRef': {
      server: http({
        ...oidc,
        sessionStorage: redis,
        rateLimiting: { perUser: bucket, tools: [{ name: 'a', perUser: bucket }] },
      }),
      want: [],
    },
    'accepts per-user limits with the legacy oidcConfig': {
      server: http({
        oidcConfig: { type: 'kubernetes' },
        sessionStorage: redis,
        rateLimiting: { perUser: bucket },
      }),
      want: [],
    },
    'refuses refill periods that are not Go durations longer than zero': {
      server: http({
        sessionStorage: redis,
        rateLimiting: {
          shared: { maxTokens: 1, refillPeriod: '1 minute' },
          tools: [{ name: 'a', shared: { maxTokens: 1, refillPeriod: '0s' } }],
        },
      }),
      want: [
        invalid(spec.child('rateLimiting', 'shared', 'refillPeriod'), '1 minute', REFILL_PERIOD),
        invalid(
          spec.child('rateLimiting', 'tools').index(0).child('shared', 'refillPeriod'),
          '0s',
          REFILL_PERIOD,
        ),
      ],
    },
    'refuses a tool named twice and a tool entry with no bucket': {
      server: http({
        sessionStorage: redis,
        rateLimiting: { tools: [{ name: 'a', shared: bucket }, { name: 'a' }] },
      }),
      want: [
        duplicate(spec.child('rateLimiting', 'tools').index(1).child('name'), 'a'),
        required(
          spec.child('rateLimiting', 'tools').index(1),
          'at least one of shared or perUser must be configured',
        ),
      ],
    },
    'refuses a rate limit that limits nothing': {
      server: http({ sessionStorage: redis, rateLimiting: { tools: [] } }),
      want: [
        required(spec.child('rateLimiting'), 'at least one of shared, perUser, or tools must be configured'),
      ],
    },
    'reports every problem at once': {
      server: http({ replicas: 2, rateLimiting: { perUser: { maxTokens: 1, refillPeriod: 'x' } } }),
      want: [
        invalid(spec.child('replicas'), 2, REPLICAS_NEED_REDIS),
        forbidden(spec.child('rateLimiting'), RATE_LIMITS_NEED_REDIS),
        invalid(spec.child('rateLimiting', 'perUser', 'refillPeriod'), 'x', REFILL_PERIOD),
        forbidden(spec.child('rateLimiting', 'perUser'), PER_USER_NEEDS_AUTH),
      ],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(checkScaleOut(c.server, c.facts ?? none)).to.deep.equal(c.want));
  }

  it('reads addresses as the proxy does: host:port, [IPv6]:port, host', () => {
    for (const ok of [
      'redis:6379',
      '10.0.0.5:6380',
      'redis.cache.svc.cluster.local',
      '[::1]:6379',
      '[fd00::5]',
    ])
      expect(isRedisAddress(ok), ok).to.equal(true);
    for (const bad of [
      '::1',
      'redis:0',
      'redis:65536',
      'redis:',
      ':6379',
      'redis:6379/0',
      'redis://x:1',
      'a b:1',
    ])
      expect(isRedisAddress(bad), bad).to.equal(false);
  });

  it("looks up the password's Secret only when Redis is used", () => {
    const ref = { passwordRef: { name: 'redis-auth', key: 'password' } };
    expect(sessionStorageSecrets(http({ sessionStorage: { ...redis, ...ref } }))).to.deep.equal([
      'redis-auth',
    ]);
    expect(sessionStorageSecrets(http({ sessionStorage: { provider: 'memory', ...ref } }))).to.deep.equal([]);
    expect(referencedSecrets(http({ sessionStorage: { ...redis, ...ref } }))).to.deep.equal(['redis-auth']);
  });
});

describe('scale-out through validateMCPServer', () => {
  const messages = (server: unknown) =>
    validateMCPServer(server, factsWith(), defaultPolicy()).errors.map(formatFieldError);

  it('adds the schema: maxTokens of at least 1, refillPeriod required', () => {
    const errors = messages(
      http({
        sessionStorage: redis,
        rateLimiting: { shared: { maxTokens: 0, refillPeriod: '1s' }, perUser: { maxTokens: 1 } },
        ...oidc,
      }),
    );
    expect(errors.some((e) => e.startsWith('spec.rateLimiting.shared.maxTokens: Invalid value: 0'))).to.equal(
      true,
      errors.join('\n'),
    );
    expect(
      errors.some((e) => e.startsWith('spec.rateLimiting.perUser.refillPeriod: Required value')),
    ).to.equal(true, errors.join('\n'));
  });

  it('refuses a provider other than memory and redis, and an unknown field', () => {
    const errors = messages(http({ sessionStorage: { provider: 'etcd', address: 'x' } }));
    expect(errors.join('\n')).to.contain('spec.sessionStorage.provider: Unsupported value: "etcd"');
  });

  it('accepts a complete scaled-out server', () => {
    const server = http({
      ...oidc,
      replicas: 2,
      backendReplicas: 3,
      sessionAffinity: 'None',
      sessionStorage: { ...redis, db: 2, keyPrefix: 'team-a:' },
      rateLimiting: { shared: bucket, perUser: bucket, tools: [{ name: 'search', perUser: bucket }] },
    });
    expect(messages(server).filter((e) => !e.startsWith('spec.oidcConfigRef'))).to.deep.equal([]);
  });
});
