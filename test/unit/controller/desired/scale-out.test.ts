// controller/desired/scale-out.ts and where its pieces land: the StatefulSet's replicas, the run
// config's target.podUrls, sessionStorage and rateLimiting, the proxy's password variable and its
// checksum, the proxy's egress to Redis; and a golden file of a whole scaled-out server
// (test/golden/scale-out/, UPDATE_GOLDEN=1 rewrites it).
import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { desiredChildren } from '../../../../controller/desired/children.ts';
import { RUNCONFIG_KEY } from '../../../../controller/desired/configmap.ts';
import { desiredProxyDeployment } from '../../../../controller/desired/deployment.ts';
import { desiredNetworkPolicy } from '../../../../controller/desired/networkpolicy.ts';
import { DNS_PEER, desiredProxyNetworkPolicy } from '../../../../controller/desired/proxy-networkpolicy.ts';
import {
  backendReplicas,
  podUrls,
  REDIS_PASSWORD_ENV,
  redisEgress,
  SCALE_OUT_CONDITION,
  scaleOutFinding,
  SESSION_STORAGE_CHECKSUM_ANNOTATION,
} from '../../../../controller/desired/scale-out.ts';
import { desiredStatefulSet } from '../../../../controller/desired/statefulset.ts';
import { statusFor } from '../../../../controller/status.ts';
import type { ChildObject, Dict } from '../../../../controller/desired/types.ts';
import { referencedBy } from '../../../../controller/informers.ts';
import type { MCPServerSpec } from '../../../../schemas/generated/mcpserver.ts';
import { config, facts, mcpServer, withSpec } from '../builders.ts';

const redis = { provider: 'redis' as const, address: 'redis.cache:6379' };
const password = { name: 'redis-auth', key: 'password' };
const http = (fields: Partial<MCPServerSpec> = {}) =>
  mcpServer('s', withSpec({ transport: 'streamable-http', ...fields }));
const byKind = (objects: ChildObject[], kind: string, name?: string) =>
  objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name))!;
const runConfigOf = (objects: ChildObject[]) =>
  JSON.parse((byKind(objects, 'ConfigMap').data as Record<string, string>)[RUNCONFIG_KEY]!) as Dict;
const podTemplate = (deployment: ChildObject) =>
  (deployment.spec as { template: { metadata: { annotations: Dict }; spec: { containers: Dict[] } } })
    .template;

describe('scale-out children', () => {
  it('runs spec.backendReplicas MCP server pods for HTTP transports, one when unset', () => {
    expect(backendReplicas(http({ backendReplicas: 3 }))).to.equal(3);
    expect(backendReplicas(http())).to.equal(1);
    expect(backendReplicas(http({ backendReplicas: 0 }))).to.equal(0);
    const sts = desiredStatefulSet(http({ backendReplicas: 3 }), facts());
    expect((sts.spec as Dict).replicas).to.equal(3);
    expect((sts.spec as Dict).serviceName).to.equal('mcp-s-headless');
  });

  it('keeps stdio at one pod and a stopped server at none, whatever backendReplicas says', () => {
    expect(backendReplicas(mcpServer('s', withSpec({ transport: 'stdio', backendReplicas: 3 })))).to.equal(1);
    expect(backendReplicas(mcpServer('s', withSpec({ backendReplicas: 3 })))).to.equal(1);
    expect(backendReplicas(http({ replicas: 0, backendReplicas: 3 }))).to.equal(0);
  });

  it("lists one URL per server pod through the headless Service's per-pod names", () => {
    expect(podUrls(http({ backendReplicas: 3 }), 'cluster.local', 3000, '/mcp')).to.deep.equal([
      'http://s-0.mcp-s-headless.team-a.svc.cluster.local:3000/mcp',
      'http://s-1.mcp-s-headless.team-a.svc.cluster.local:3000/mcp',
      'http://s-2.mcp-s-headless.team-a.svc.cluster.local:3000/mcp',
    ]);
    const target = runConfigOf(
      desiredChildren(http({ transport: 'sse', backendReplicas: 2, mcpPort: 9000 }), facts(), config())
        .objects,
    ).target as Dict;
    expect(target).to.deep.equal({
      kind: 'http',
      url: 'http://mcp-s.team-a.svc.cluster.local:9000/sse',
      podUrls: [
        'http://s-0.mcp-s-headless.team-a.svc.cluster.local:9000/sse',
        'http://s-1.mcp-s-headless.team-a.svc.cluster.local:9000/sse',
      ],
    });
  });

  it('writes sessionStorage and rateLimiting into the run config, never the password', () => {
    const limits = {
      shared: { maxTokens: 5, refillPeriod: '1m0s' },
      tools: [{ name: 't', shared: { maxTokens: 1, refillPeriod: '30s' } }],
    };
    const server = http({
      sessionStorage: { ...redis, db: 3, keyPrefix: 'tenant-a:', passwordRef: password },
      rateLimiting: limits,
    });
    const config_ = runConfigOf(desiredChildren(server, facts(), config()).objects);
    expect(config_.sessionStorage).to.deep.equal({
      provider: 'redis',
      address: 'redis.cache:6379',
      db: 3,
      keyPrefix: 'tenant-a:',
      passwordEnv: REDIS_PASSWORD_ENV,
    });
    expect(config_.rateLimiting).to.deep.equal(limits);
    const bare = runConfigOf(desiredChildren(http({ sessionStorage: redis }), facts(), config()).objects);
    expect(bare.sessionStorage).to.deep.equal({
      provider: 'redis',
      address: 'redis.cache:6379',
      db: 0,
      keyPrefix: '',
    });
  });

  it('leaves both sections out without Redis (memory storage, or none)', () => {
    for (const server of [
      http(),
      http({
        sessionStorage: { provider: 'memory' },
        rateLimiting: { shared: { maxTokens: 1, refillPeriod: '1s' } },
      }),
    ]) {
      const cfg = runConfigOf(desiredChildren(server, facts(), config()).objects);
      expect(cfg).to.not.have.property('sessionStorage');
      expect(cfg).to.not.have.property('rateLimiting');
    }
  });

  it('gives the proxy the password from its Secret, and rolls it when the password changes', () => {
    const server = http({
      sessionStorage: { ...redis, passwordRef: password },
      resourceOverrides: {
        proxyDeployment: {
          env: [
            { name: 'A', value: '1' },
            { name: REDIS_PASSWORD_ENV, value: 'x' },
          ],
        },
      },
    });
    const template = (digest: string) =>
      podTemplate(
        desiredProxyDeployment(server, config(), undefined, facts({ 'redis-auth': { password: digest } })),
      );
    expect(template('d1').spec.containers[0]!.env).to.deep.equal([
      { name: 'A', value: '1' },
      { name: REDIS_PASSWORD_ENV, valueFrom: { secretKeyRef: password } },
    ]);
    const first = template('d1').metadata.annotations[SESSION_STORAGE_CHECKSUM_ANNOTATION];
    expect(first).to.be.a('string');
    expect(template('d1').metadata.annotations[SESSION_STORAGE_CHECKSUM_ANNOTATION]).to.equal(first);
    expect(template('d2').metadata.annotations[SESSION_STORAGE_CHECKSUM_ANNOTATION]).to.not.equal(first);
    const withoutSecret = podTemplate(desiredProxyDeployment(server, config(), undefined, facts()));
    expect(withoutSecret.metadata.annotations[SESSION_STORAGE_CHECKSUM_ANNOTATION]).to.not.equal(first);
  });

  it('adds no variable and no annotation without a password', () => {
    const template = podTemplate(
      desiredProxyDeployment(http({ sessionStorage: redis }), config(), undefined, facts()),
    );
    expect(template.spec.containers[0]).to.not.have.property('env');
    expect(template.metadata.annotations).to.not.have.property(SESSION_STORAGE_CHECKSUM_ANNOTATION);
  });

  it("wakes the server when its password's Secret changes (the informers' reference index)", () => {
    const named = (spec: Partial<MCPServerSpec>) => referencedBy(http(spec) as unknown as Dict);
    expect(named({ sessionStorage: { ...redis, passwordRef: password } })).to.include(
      'team-a/Secret/redis-auth',
    );
    expect(named({ sessionStorage: { provider: 'memory', passwordRef: password } })).to.deep.equal([]);
  });

  it('reports a missing password Secret in SecretsResolved', () => {
    const server = http({ sessionStorage: { ...redis, passwordRef: password } });
    expect(desiredChildren(server, facts(), config()).findings.secrets).to.deep.include({
      status: 'False',
      message: 'Secret redis-auth not found',
    });
    expect(
      desiredChildren(server, facts({ 'redis-auth': { password: 'd' } }), config()).findings.secrets.status,
    ).to.equal('True');
  });

  it("opens the proxy's egress to Redis: the address alone when it is an IP, the port anywhere (and DNS) for a name", () => {
    expect(
      redisEgress(http({ sessionStorage: { provider: 'redis', address: '10.1.2.3:6380' } })),
    ).to.deep.equal({
      rules: [{ to: [{ ipBlock: { cidr: '10.1.2.3/32' } }], ports: [{ protocol: 'TCP', port: 6380 }] }],
      needsDns: false,
    });
    expect(
      redisEgress(http({ sessionStorage: { provider: 'redis', address: '[fd00::7]' } })).rules,
    ).to.deep.equal([
      { to: [{ ipBlock: { cidr: 'fd00::7/128' } }], ports: [{ protocol: 'TCP', port: 6379 }] },
    ]);
    expect(redisEgress(http({ sessionStorage: redis }))).to.deep.equal({
      rules: [{ ports: [{ protocol: 'TCP', port: 6379 }] }],
      needsDns: true,
    });
    expect(redisEgress(http({ sessionStorage: { provider: 'memory', address: 'x:1' } })).rules).to.deep.equal(
      [],
    );
    // stdio has no DNS rule of its own: a Redis name brings it.
    const stdio = mcpServer('s', withSpec({ transport: 'stdio', sessionStorage: redis }));
    const egress = (desiredProxyNetworkPolicy(stdio, facts()).spec as { egress: Dict[] }).egress;
    expect(egress.map((rule) => rule.to)).to.deep.include([DNS_PEER]);
    expect(egress).to.deep.include({ ports: [{ protocol: 'TCP', port: 6379 }] });
  });

  it('lets every server pod accept its proxy: both policies select by labels, not pod names', () => {
    const server = http({ backendReplicas: 3 });
    const serverPolicy = desiredNetworkPolicy(server, facts()).object.spec as {
      podSelector: Dict;
      ingress: Dict[];
    };
    const sts = desiredStatefulSet(server, facts()).spec as { selector: Dict };
    expect(serverPolicy.podSelector).to.deep.equal(sts.selector);
    const proxyEgress = (desiredProxyNetworkPolicy(server, facts()).spec as { egress: Dict[] }).egress[0]!;
    expect(proxyEgress.to).to.deep.equal([{ podSelector: sts.selector }]);
  });

  it('reports no ScaleOutApplied condition for a server that does not scale out', () => {
    expect(scaleOutFinding(http())).to.equal(undefined);
    expect(scaleOutFinding(http({ replicas: 1 }))).to.equal(undefined);
    expect(desiredChildren(http(), facts(), config()).findings).to.not.have.property('scaleOut');
  });

  it('says ScaleOutApplied True with what runs, and False with what the controller did instead', () => {
    expect(scaleOutFinding(http({ replicas: 2, backendReplicas: 3, sessionStorage: redis }))).to.deep.equal({
      status: 'True',
      reason: 'Applied',
      message: 'proxy replicas: 2; MCP server pods: 3; session storage: redis at redis.cache:6379',
    });
    const cases: Array<[Partial<MCPServerSpec>, string]> = [
      [{ transport: 'stdio', replicas: 3 }, 'StdioTransportCapAt1'],
      [{ transport: 'stdio', backendReplicas: 2 }, 'StdioTransportCapAt1'],
      [{ replicas: 3 }, 'SessionStorageMissingForReplicas'],
      [{ sessionStorage: { provider: 'redis' } }, 'SessionStorageNotValid'],
      [{ rateLimiting: { shared: { maxTokens: 1, refillPeriod: '1s' } } }, 'RateLimitingNeedsRedis'],
      [
        {
          sessionStorage: redis,
          rateLimiting: { tools: [{ name: 't', perUser: { maxTokens: 1, refillPeriod: '1s' } }] },
        },
        'PerUserRequiresAuth',
      ],
    ];
    for (const [spec, reason] of cases)
      expect(scaleOutFinding(http(spec)), JSON.stringify(spec)).to.deep.include({ status: 'False', reason });
    const both = scaleOutFinding(
      http({ replicas: 2, rateLimiting: { shared: { maxTokens: 1, refillPeriod: '1s' } } }),
    );
    expect(both!.message.split('; ')).to.have.length(2);
  });

  it('puts the finding in status as condition ScaleOutApplied, without touching Ready', () => {
    const server = http({ replicas: 3 });
    const desired = desiredChildren(server, facts(), config());
    const ok = { status: 'True' as const, reason: 'Resolved', message: 'ok' };
    const workload = { spec: { replicas: 1 }, status: { readyReplicas: 1 } };
    const status = statusFor(
      server,
      {
        statefulSet: workload,
        deployment: workload,
        pods: [],
        findings: { ...desired.findings, secrets: ok },
        applyFailure: undefined,
      },
      config(),
      new Date('2026-01-01T00:00:00Z'),
    );
    const condition = status.conditions?.find((c) => c.type === SCALE_OUT_CONDITION);
    expect([condition?.status, condition?.reason]).to.deep.equal([
      'False',
      'SessionStorageMissingForReplicas',
    ]);
    expect(status.conditions?.find((c) => c.type === 'Ready')?.status).to.equal('True');
  });

  it('renders a scaled-out server as test/golden/scale-out/mcpserver-scaled-out.yaml', () => {
    const server = http({
      mcpPort: 3000,
      replicas: 2,
      backendReplicas: 3,
      sessionAffinity: 'None',
      sessionStorage: { ...redis, keyPrefix: 'team-a:', passwordRef: password },
      rateLimiting: { shared: { maxTokens: 100, refillPeriod: '1m0s' } },
    });
    const desired = desiredChildren(server, facts({ 'redis-auth': { password: 'digest' } }), config());
    const text = stringify(
      { findings: desired.findings, objects: desired.objects },
      { aliasDuplicateObjects: false },
    );
    const file = 'test/golden/scale-out/mcpserver-scaled-out.yaml';
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
    expect(text).to.equal(readFileSync(file, 'utf8'));
  });
});
