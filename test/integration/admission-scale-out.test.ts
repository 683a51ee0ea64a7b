// Scale-out (replicas, backendReplicas, sessionStorage, rateLimiting) on the real control plane:
// - admission, through the webhook running in-process (local-webhook.ts): a scaled-out server with Redis,
//   its password Secret and rate limits is accepted and stored as written (both served versions);
//   refusals name each field at once: stdio replicas and backendReplicas, HTTP replicas without Redis,
//   rate limits without Redis, perUser without authentication, a refillPeriod that is no Go duration,
//   a Redis address that is not host:port, a missing password Secret (then key);
// - the controller (the manager in-process, watching this file's second namespace): a server with
//   backendReplicas 3, replicas 2 and sessionStorage becomes a StatefulSet of 3 under the headless
//   Service, a proxy Deployment of 2 with the password from its Secret, a run config with podUrls and
//   sessionStorage, a proxy NetworkPolicy open to Redis's port, and condition ScaleOutApplied True; a
//   changed password rolls the proxy (the Secret's event wakes the server).
import { expect } from 'chai';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { defaultControllerConfig } from '../../controller/config.ts';
import { Manager } from '../../controller/manager.ts';
import { silentLogger } from '../../lib/log.ts';
import { kubectl as mustKubectl } from './controller-fixtures.ts';
import { controlPlane, eventually, installCrd } from './harness.ts';
import { type LocalWebhook, startLocalWebhook } from './local-webhook.ts';

const NS = `admission-scale-out-${process.pid}`;
const CONTROLLER_NS = `controller-scale-out-${process.pid}`;
const GROUP = 'toolhive.stacklok.dev';

type Json = Record<string, unknown>;
const kubectl = (args: string[], stdin?: string) => controlPlane().kubectl(args, stdin);
const applyJson = (object: Json) => kubectl(['apply', '-f', '-'], JSON.stringify(object));
const getJson = async (args: string[]): Promise<Json> =>
  JSON.parse(await mustKubectl([...args, '-o', 'json'])) as Json;

const redis = { provider: 'redis', address: 'redis.cache:6379' };
const bucket = { maxTokens: 10, refillPeriod: '1m0s' };
const server = (name: string, namespace: string, spec: Json, version = 'v1alpha1'): Json => ({
  apiVersion: `${GROUP}/${version}`,
  kind: 'MCPServer',
  metadata: { name, namespace },
  spec: { image: 'ghcr.io/example/server:1', transport: 'streamable-http', ...spec },
});

describe('admission of scale-out fields on a real API server', function () {
  this.timeout(120_000);
  let webhook: LocalWebhook;

  before(async () => {
    await installCrd();
    await kubectl(['create', 'namespace', NS]);
    webhook = await startLocalWebhook('admission-scale-out');
    const secret = await kubectl([
      '-n',
      NS,
      'create',
      'secret',
      'generic',
      'redis-auth',
      '--from-literal=password=pw',
    ]);
    expect(secret.code, secret.stderr).to.equal(0);
  });
  after(async () => {
    await webhook?.remove();
    await kubectl(['delete', 'namespace', NS, '--wait=false']);
  });

  it('accepts a scaled-out server with Redis, its password Secret and rate limits, in both versions', async () => {
    const spec = {
      replicas: 2,
      backendReplicas: 3,
      sessionAffinity: 'None',
      sessionStorage: {
        ...redis,
        db: 1,
        keyPrefix: 'team-a:',
        passwordRef: { name: 'redis-auth', key: 'password' },
      },
      rateLimiting: {
        shared: bucket,
        tools: [{ name: 'search', shared: { maxTokens: 2, refillPeriod: '1.5h' } }],
      },
    };
    for (const [name, version] of [
      ['scaled', 'v1alpha1'],
      ['scaled-beta', 'v1beta1'],
    ] as const) {
      const r = await applyJson(server(name, NS, spec, version));
      expect(r.code, r.stderr).to.equal(0);
      const stored = await getJson(['-n', NS, 'get', 'mcpserver', name]);
      const got = stored.spec as Json;
      expect(got.sessionStorage).to.deep.equal(spec.sessionStorage);
      expect(got.rateLimiting).to.deep.equal(spec.rateLimiting);
      expect([got.replicas, got.backendReplicas, got.sessionAffinity]).to.deep.equal([2, 3, 'None']);
    }
  });

  it('refuses each scale-out problem at once, by field path', async () => {
    const stdio = await applyJson(
      server('stdio', NS, { transport: 'stdio', replicas: 2, backendReplicas: 2 }),
    );
    expect(stdio.code).to.not.equal(0);
    expect(stdio.stderr).to.contain('spec.replicas: Invalid value: 2: must be 0 or 1 for transport "stdio"');
    expect(stdio.stderr).to.contain(
      'spec.backendReplicas: Invalid value: 2: must be 0 or 1 for transport "stdio"',
    );

    const noRedis = await applyJson(
      server('no-redis', NS, {
        replicas: 3,
        rateLimiting: {
          perUser: { maxTokens: 1, refillPeriod: 'a minute' },
          tools: [{ name: 't', perUser: bucket }],
        },
      }),
    );
    expect(noRedis.code).to.not.equal(0);
    for (const line of [
      'spec.replicas: Invalid value: 3: more than 1 needs spec.sessionStorage with provider "redis"',
      'spec.rateLimiting: Forbidden: needs spec.sessionStorage with provider "redis"',
      'spec.rateLimiting.perUser: Forbidden: needs authentication',
      'spec.rateLimiting.tools[0].perUser: Forbidden: needs authentication',
      'spec.rateLimiting.perUser.refillPeriod: Invalid value: "a minute": must be a Go duration',
    ])
      expect(noRedis.stderr).to.contain(line);

    const badRedis = await applyJson(
      server('bad-redis', NS, {
        sessionStorage: {
          provider: 'redis',
          address: 'redis:70000',
          passwordRef: { name: 'absent', key: 'password' },
        },
      }),
    );
    expect(badRedis.code).to.not.equal(0);
    expect(badRedis.stderr).to.contain('spec.sessionStorage.address: Invalid value: "redis:70000"');
    expect(badRedis.stderr).to.contain('spec.sessionStorage.passwordRef.name: Not found: "absent"');

    const badKey = await applyJson(
      server('bad-key', NS, {
        sessionStorage: { ...redis, passwordRef: { name: 'redis-auth', key: 'pass' } },
      }),
    );
    expect(badKey.code).to.not.equal(0);
    expect(badKey.stderr).to.contain('spec.sessionStorage.passwordRef.key: Not found: "pass"');

    const got = await kubectl(['-n', NS, 'get', 'mcpserver', 'stdio', 'no-redis', 'bad-redis', 'bad-key']);
    expect(got.stdout.trim()).to.equal('');
  });
});

describe('the controller with backendReplicas, replicas and sessionStorage', function () {
  this.timeout(120_000);
  let manager: Manager;
  const ns = CONTROLLER_NS;
  const podTemplate = async () =>
    ((await getJson(['-n', ns, 'get', 'deployment', 'scaled'])).spec as { template: Json }).template as {
      metadata: { annotations: Record<string, string> };
      spec: { containers: Json[] };
    };

  before(async () => {
    await installCrd();
    await mustKubectl(['create', 'namespace', ns]);
    await mustKubectl([
      '-n',
      ns,
      'create',
      'secret',
      'generic',
      'redis-auth',
      '--from-literal=password=first',
    ]);
    manager = new Manager({
      access: await loadApiAccess(controlPlane().kubeconfig),
      config: { ...defaultControllerConfig(), proxyImage: 'example.invalid/mcp-operator:test' },
      log: silentLogger(),
      namespaces: [ns],
      workers: 2,
    });
    await manager.start();
    const r = await applyJson(
      server('scaled', ns, {
        mcpPort: 3000,
        replicas: 2,
        backendReplicas: 3,
        sessionStorage: {
          ...redis,
          keyPrefix: 'tenant-a:',
          passwordRef: { name: 'redis-auth', key: 'password' },
        },
        rateLimiting: { shared: bucket },
      }),
    );
    expect(r.code, r.stderr).to.equal(0);
    await eventually('the proxy Deployment', async () =>
      (await kubectl(['-n', ns, 'get', 'deployment', 'scaled'])).code === 0 ? true : undefined,
    );
  });
  after(async () => {
    await manager?.stop();
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  it('runs 3 server pods under the headless Service and 2 proxies, with podUrls and sessionStorage', async () => {
    const sts = (await getJson(['-n', ns, 'get', 'statefulset', 'scaled'])).spec as Json;
    expect([sts.replicas, sts.serviceName]).to.deep.equal([3, 'mcp-scaled-headless']);
    const headless = (await getJson(['-n', ns, 'get', 'service', 'mcp-scaled-headless'])).spec as Json;
    expect(headless.clusterIP).to.equal('None');
    expect(((await getJson(['-n', ns, 'get', 'deployment', 'scaled'])).spec as Json).replicas).to.equal(2);
    const cm = await getJson(['-n', ns, 'get', 'configmap', 'scaled-runconfig']);
    const config = JSON.parse((cm.data as Record<string, string>)['runconfig.json']!) as Json;
    expect((config.target as Json).podUrls).to.deep.equal(
      [0, 1, 2].map((i) => `http://scaled-${i}.mcp-scaled-headless.${ns}.svc.cluster.local:3000/mcp`),
    );
    expect(config.sessionStorage).to.deep.equal({
      provider: 'redis',
      address: 'redis.cache:6379',
      db: 0,
      keyPrefix: 'tenant-a:',
      passwordEnv: 'THV_SESSION_REDIS_PASSWORD',
    });
    expect(config.rateLimiting).to.deep.equal({ shared: bucket });
    expect(JSON.stringify(config)).to.not.contain('first');
    const proxy = (await podTemplate()).spec.containers[0]!;
    expect(proxy.env).to.deep.equal([
      {
        name: 'THV_SESSION_REDIS_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } },
      },
    ]);
    const policy = (await getJson(['-n', ns, 'get', 'networkpolicy', 'scaled-proxy'])).spec as {
      egress: Json[];
    };
    expect(policy.egress).to.deep.include({ ports: [{ protocol: 'TCP', port: 6379 }] });
    const condition = await eventually('condition ScaleOutApplied', async () => {
      const status = (await getJson(['-n', ns, 'get', 'mcpserver', 'scaled'])).status as
        { conditions?: Json[] } | undefined;
      return status?.conditions?.find((c) => c.type === 'ScaleOutApplied');
    });
    expect([condition.status, condition.reason]).to.deep.equal(['True', 'Applied']);
  });

  it('rolls the proxy when the password changes', async () => {
    const key = 'mcp-operator/session-storage-checksum';
    const before = (await podTemplate()).metadata.annotations[key];
    expect(before).to.be.a('string');
    await mustKubectl(
      ['-n', ns, 'apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'redis-auth', namespace: ns },
        stringData: { password: 'second' },
      }),
    );
    await eventually('a new checksum on the proxy pod template', async () => {
      const now = (await podTemplate()).metadata.annotations[key];
      return now !== before ? now : undefined;
    });
  });
});
