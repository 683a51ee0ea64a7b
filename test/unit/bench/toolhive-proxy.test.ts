// bench/toolhive-proxy.ts's pure parts: the run config and environment ToolHive's proxy runner gets, the
// ABBA order and median of the load turns, and how the conformance suite's checks are summed up.
import assert from 'node:assert/strict';
import {
  outcome,
  scenarioOf,
  summarize,
  type Check,
  type Outcome,
} from '../../../bench/toolhive/proxy-conformance.ts';
import {
  complaints,
  proxyRunnerEnv,
  proxyRunnerRunConfig,
  unusedKubeconfig,
} from '../../../bench/toolhive/proxy-runner.ts';
import { verdict } from '../../../bench/toolhive/proxy-rebinding.ts';
import { order, p50 } from '../../../bench/toolhive/proxy-turns.ts';

describe('bench/toolhive-proxy: the proxy runner', () => {
  it('gets the run config of an MCPRemoteProxy in front of the server, in runner.RunConfig field names', () => {
    assert.deepEqual(proxyRunnerRunConfig('bench', 'http://127.0.0.1:4000/mcp', 8080), {
      schema_version: 'v0.1.0',
      name: 'bench',
      base_name: 'bench',
      remote_url: 'http://127.0.0.1:4000/mcp',
      transport: 'streamable-http',
      host: '127.0.0.1',
      port: 8080,
    });
    assert.equal(proxyRunnerRunConfig('bench', 'http://127.0.0.1:4000/mcp', 8080, '0.0.0.0').host, '0.0.0.0');
  });

  it('refuses a URL that is not HTTP and a port out of range, naming the field', () => {
    assert.throws(
      () => proxyRunnerRunConfig('b', 'ftp://127.0.0.1/mcp', 8080),
      /^Error: remote_url: .*"ftp:"/u,
    );
    assert.throws(
      () => proxyRunnerRunConfig('b', 'http://127.0.0.1/mcp', 0),
      /^Error: port: Invalid value: 0/u,
    );
    assert.throws(() => proxyRunnerRunConfig('b', 'http://127.0.0.1/mcp', 70000), /^Error: port: /u);
  });

  it('runs with the environment the operator gives a proxy pod, its kubeconfig and no usage reports', () => {
    const env = proxyRunnerEnv('/tmp/x', '/tmp/x/kubeconfig');
    assert.equal(env.TOOLHIVE_RUNTIME, 'kubernetes');
    assert.equal(env.UNSTRUCTURED_LOGS, 'false');
    assert.equal(env.HOME, '/tmp/x');
    assert.equal(env.XDG_CONFIG_HOME, '/tmp/x');
    assert.equal(env.KUBECONFIG, '/tmp/x/kubeconfig');
    assert.equal(env.TOOLHIVE_USAGE_METRICS_ENABLED, 'false');
    assert.equal(env.TOOLHIVE_REMOTE_HEALTHCHECKS, 'true');
    assert.equal(env.KUBERNETES_SERVICE_HOST, undefined, 'no in-cluster config');
  });

  it('writes a kubeconfig whose current context names the server and no credentials', () => {
    const config = JSON.parse(unusedKubeconfig('https://127.0.0.1:1')) as {
      'current-context': string;
      contexts: { name: string; context: { cluster: string; user: string } }[];
      clusters: { name: string; cluster: { server: string } }[];
      users: { name: string; user: object }[];
    };
    const context = config.contexts.find((c) => c.name === config['current-context'])!;
    const cluster = config.clusters.find((c) => c.name === context.context.cluster)!;
    assert.equal(cluster.cluster.server, 'https://127.0.0.1:1');
    assert.deepEqual(config.users.find((u) => u.name === context.context.user)!.user, {});
  });

  it("picks the warnings and errors out of the runner's JSON log", () => {
    const log = [
      '{"time":"t","level":"INFO","msg":"workload started"}',
      '{"time":"t","level":"WARN","msg":"no authentication configured"}',
      'not json',
      '{"time":"t","level":"ERROR","msg":"transparent proxy error"}',
    ].join('\n');
    assert.deepEqual(complaints(log), [
      '{"time":"t","level":"WARN","msg":"no authentication configured"}',
      '{"time":"t","level":"ERROR","msg":"transparent proxy error"}',
    ]);
  });
});

describe('bench/toolhive-proxy: the turns', () => {
  it('alternates A B B A A B', () => {
    assert.deepEqual([0, 1, 2].flatMap(order), ['a', 'b', 'b', 'a', 'a', 'b']);
  });

  it('takes the median of the latencies without reordering them', () => {
    const ms = [5, 1, 3, 2, 4];
    assert.equal(p50(ms), 3);
    assert.deepEqual(ms, [5, 1, 3, 2, 4]);
    assert.equal(p50([2, 1]), 2);
    assert.ok(Number.isNaN(p50([])));
  });
});

describe('bench/toolhive-proxy: the conformance suite', () => {
  const check = (name: string, status: Check['status'], errorMessage?: string): Check => ({
    name,
    status,
    description: `${name} works`,
    ...(errorMessage ? { errorMessage } : {}),
  });

  it('reads the scenario from a result directory name', () => {
    assert.equal(
      scenarioOf('server-tools-call-with-progress-2026-12-05T23-46-39-123Z'),
      'tools-call-with-progress',
    );
    assert.equal(scenarioOf('checks.json'), undefined);
  });

  it('counts successes, failures and warnings with their messages, and informational checks', () => {
    const got = outcome([
      check('a', 'SUCCESS'),
      check('b', 'FAILURE', 'got 406'),
      check('c', 'WARNING'),
      check('d', 'INFO'),
      check('e', 'SKIPPED'),
    ]);
    assert.deepEqual(got, {
      passed: 1,
      problems: ['FAILURE b: got 406', 'WARNING c: c works'],
      infos: ['d'],
    });
  });

  it('passes a scenario with a success and no problem; names the rest, the unfinished and new INFO checks', () => {
    const results = new Map<string, Outcome>([
      ['ok', { passed: 2, problems: [], infos: ['SSE'] }],
      ['bad', { passed: 1, problems: ['FAILURE x: y'], infos: [] }],
      ['empty', { passed: 0, problems: [], infos: [] }],
    ]);
    const direct = new Map<string, Outcome>([['ok', { passed: 3, problems: [], infos: [] }]]);
    assert.deepEqual(summarize(['ok', 'bad', 'empty', 'hung'], results, direct), {
      scenarios: 4,
      passedScenarios: 1,
      passedChecks: 3,
      failing: [
        'bad (1 passed): FAILURE x: y',
        'empty (0 passed): no successful check',
        'hung: unfinished after 20 s',
      ],
      newInfos: ['ok/SSE'],
    });
  });
});

describe('bench/toolhive-proxy: the DNS-rebinding probe', () => {
  it("tells the server's refusal from the proxy's, and a request that went through", () => {
    const server =
      '{"jsonrpc":"2.0","error":{"code":-32000,"message":"Forbidden: Host and Origin must be loopback"},"id":null}';
    assert.equal(verdict(403, server), 'refused by the server behind it');
    assert.equal(verdict(403, 'Forbidden: Origin not allowed'), 'refused by the proxy');
    assert.equal(verdict(421, ''), 'refused by the proxy');
    assert.equal(verdict(200, '{"result":{}}'), 'accepted');
  });
});
