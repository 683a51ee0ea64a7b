// Issue 7's security checks, on the real control plane with the operator running as it does in its pod
// (`mcp-operator run`: webhooks and controller in one child process, its log lines kept), under a
// ServiceAccount that holds only the rules the Helm chart grants (its ClusterRoles and its Role in the
// operator's namespace, rendered with helm), so a missing or wrong rule in the chart fails the tests:
// - Pod Security Admission `restricted`: the API server itself accepts every pod the operator makes,
//   for each transport and for a seed with a podTemplateSpec;
// - RBAC, asked of the API server with `kubectl auth can-i --as`: a stdio proxy may read and attach to
//   its own server's pod and nothing else; sse and streamable-http proxies and the MCP servers' own
//   ServiceAccounts get nothing beyond what every ServiceAccount gets;
// - no Secret value (nor its base64) in any ConfigMap, Event, status, child object, admission denial or
//   log line of the operator, before and after the Secret rotates.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { renderChart } from '../../manifests/generate.ts';
import { freePort, httpGet, waitUntil } from '../../controlplane/wait.ts';
import { repoRoot } from '../../controlplane/versions.ts';
import {
  desiredMutatingWebhookConfiguration,
  desiredValidatingWebhookConfiguration,
  webhookConfigurationNames,
} from '../../webhook/configuration.ts';
import {
  CHILD_RESOURCES,
  SEEDS,
  ensureNamespace,
  installCrd,
  kubectl,
  serverInPhase,
} from './controller-fixtures.ts';
import { controlPlane, eventually, tokenKubeConfig } from './harness.ts';

const RESTRICTED_NS = 'security-restricted';
const SECRETS_NS = 'security-secrets';
const OPERATOR_NS = 'security-operator';
const OPERATOR_ACCOUNT = 'mcp-operator';
const WEBHOOK_NAME = 'mcp-security-test';
const POLICY_CONFIGMAP = 'mcp-operator-policy';

// --- the operator's RBAC (the Helm chart's ClusterRole and Role) --------------------------------

/** The operator's rules exactly as the Helm chart grants them (rendered with helm for this namespace). */
async function chartRules(): Promise<{ cluster: object[]; namespace: object[]; apiServer: object[] }> {
  const objects = parseAllDocuments(await renderChart([], { namespace: OPERATOR_NS }))
    .map((d) => d.toJS() as { kind: string; metadata: { name: string }; rules?: object[] } | null)
    .filter((o) => o !== null);
  const rulesOf = (kind: string, name: string) => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!found?.rules) throw new Error(`the chart renders no ${kind} ${name}`);
    return found.rules;
  };
  return {
    cluster: [
      ...rulesOf('ClusterRole', 'mcp-operator'),
      ...rulesOf('ClusterRole', 'mcp-operator-webhook-ca'),
      ...rulesOf('ClusterRole', 'mcp-operator-namespaces'),
    ],
    namespace: rulesOf('Role', 'mcp-operator-operator'),
    apiServer: rulesOf('Role', 'mcp-operator-api-server'),
  };
}

/** The ClusterRole, Role and bindings of the operator's ServiceAccount in these tests. */
const OPERATOR_RBAC_NAME = 'mcp-security-test-operator';

/** The operator's ServiceAccount, ClusterRole, Role and their bindings. */
async function operatorRbac(): Promise<object[]> {
  const rules = await chartRules();
  const rbac = 'rbac.authorization.k8s.io/v1';
  const subjects = [{ kind: 'ServiceAccount', name: OPERATOR_ACCOUNT, namespace: OPERATOR_NS }];
  const roleRef = (kind: string) => ({
    apiGroup: 'rbac.authorization.k8s.io',
    kind,
    name: OPERATOR_RBAC_NAME,
  });
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: OPERATOR_ACCOUNT, namespace: OPERATOR_NS },
    },
    {
      apiVersion: rbac,
      kind: 'ClusterRole',
      metadata: { name: OPERATOR_RBAC_NAME },
      rules: rules.cluster,
    },
    {
      apiVersion: rbac,
      kind: 'ClusterRoleBinding',
      metadata: { name: OPERATOR_RBAC_NAME },
      roleRef: roleRef('ClusterRole'),
      subjects,
    },
    {
      apiVersion: rbac,
      kind: 'Role',
      metadata: { name: OPERATOR_RBAC_NAME, namespace: OPERATOR_NS },
      rules: rules.namespace,
    },
    {
      apiVersion: rbac,
      kind: 'RoleBinding',
      metadata: { name: OPERATOR_RBAC_NAME, namespace: OPERATOR_NS },
      roleRef: roleRef('Role'),
      subjects,
    },
    // The chart's Role in `default`: the kubernetes Service and EndpointSlice, by name.
    {
      apiVersion: rbac,
      kind: 'Role',
      metadata: { name: OPERATOR_RBAC_NAME, namespace: 'default' },
      rules: rules.apiServer,
    },
    {
      apiVersion: rbac,
      kind: 'RoleBinding',
      metadata: { name: OPERATOR_RBAC_NAME, namespace: 'default' },
      roleRef: roleRef('Role'),
      subjects,
    },
  ];
}

/** A kubeconfig file that authenticates as the operator's ServiceAccount. */
async function operatorKubeconfig(dir: string): Promise<string> {
  const token = (
    await kubectl(['-n', OPERATOR_NS, 'create', 'token', OPERATOR_ACCOUNT, '--duration=2h'])
  ).trim();
  const file = path.join(dir, 'operator.kubeconfig');
  writeFileSync(file, tokenKubeConfig(token).exportConfig());
  return file;
}

// --- the operator as a child process -----------------------------------------------------------

interface OperatorProcess {
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/** `mcp-operator run` on loopback with a local CA (written to caFile), at debug level, so it logs the most. */
async function startOperatorProcess(o: {
  kubeconfig: string;
  port: number;
  caFile: string;
  namespaces: string[];
}): Promise<OperatorProcess> {
  const child = spawn(
    path.join(repoRoot, 'node_modules/.bin/node'),
    [
      'cli/main.ts',
      'run',
      `--kubeconfig=${o.kubeconfig}`,
      `--port=${o.port}`,
      '--host=127.0.0.1',
      `--local-ca-file=${o.caFile}`,
      `--namespaces=${o.namespaces.join(',')}`,
      `--policy-configmap=${OPERATOR_NS}/${POLICY_CONFIGMAP}`,
      '--leader-elect',
      `--leader-elect-namespace=${OPERATOR_NS}`,
      '--metrics-port=0',
      '--workers=2',
      '--proxy-image=example.invalid/mcp-operator:test',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'debug' } },
  );
  const chunks: string[] = [];
  child.stdout.on('data', (d: Buffer) => chunks.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => chunks.push(d.toString()));
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(`code ${code}, signal ${signal}`)),
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killLater = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killLater);
  };
  try {
    await waitUntil(
      async () =>
        existsSync(o.caFile) &&
        (await httpGet(`https://127.0.0.1:${o.port}/healthz`, { ca: readFileSync(o.caFile, 'utf8') }))
          .status === 200,
      { what: 'the operator webhook server', timeoutMs: 60_000, exited },
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${chunks.join('')}`, { cause: err });
  }
  return { output: () => chunks.join(''), stop };
}

function webhookConfigurations(port: number, caPem: string): object[] {
  const options = {
    name: WEBHOOK_NAME,
    operatorNamespace: OPERATOR_NS,
    target: { kind: 'url' as const, port },
    caBundlePem: caPem,
  };
  return [desiredValidatingWebhookConfiguration(options), desiredMutatingWebhookConfiguration(options)];
}

// --- kubectl auth can-i --list ------------------------------------------------------------------

/**
 * The rows of `kubectl auth can-i --list`, each as "resource | non-resource URLs | names | verbs",
 * sorted and without duplicates (the table repeats some non-resource URLs). Columns are cut at the
 * header's offsets: kubectl pads them with a tabwriter, and verbs contain spaces.
 */
function canIRows(table: string): string[] {
  const [header = '', ...lines] = table.split('\n');
  const starts = ['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs'].map((h) => header.indexOf(h));
  if (starts.some((s) => s < 0)) throw new Error(`not a can-i --list table:\n${table}`);
  const rows = lines
    .filter((line) => line.trim())
    .map((line) =>
      starts
        .map((start, i) => line.slice(start, starts[i + 1]).trim())
        .join(' | ')
        .trim(),
    );
  return [...new Set(rows)].sort();
}

const serviceAccountUser = (namespace: string, name: string): string =>
  `system:serviceaccount:${namespace}:${name}`;

async function canIList(namespace: string, account: string, inNamespace = namespace): Promise<string[]> {
  return canIRows(
    await kubectl([
      'auth',
      'can-i',
      '--list',
      '-n',
      inNamespace,
      `--as=${serviceAccountUser(namespace, account)}`,
    ]),
  );
}

/** `kubectl auth can-i <args> --as=<account>`: true for "yes" (exit 0), false for "no" (exit 1). */
async function canI(namespace: string, account: string, args: string[]): Promise<boolean> {
  const r = await controlPlane().kubectl([
    'auth',
    'can-i',
    ...args,
    '-n',
    namespace,
    `--as=${serviceAccountUser(namespace, account)}`,
  ]);
  expect([0, 1], `kubectl auth can-i ${args.join(' ')}: ${r.stderr}`).to.include(r.code);
  return r.code === 0;
}

/** The resource rules every ServiceAccount has through the default ClusterRoleBindings (system:basic-user...). */
const EVERY_ACCOUNT_RESOURCE_ROWS = [
  'clustertrustbundles.certificates.k8s.io | [] | [] | [get list watch]',
  'selfsubjectaccessreviews.authorization.k8s.io | [] | [] | [create]',
  'selfsubjectreviews.authentication.k8s.io | [] | [] | [create]',
  'selfsubjectrulesreviews.authorization.k8s.io | [] | [] | [create]',
];

// --- the objects ------------------------------------------------------------------------------

async function applyObject(object: object): Promise<void> {
  await kubectl(['apply', '-f', '-'], JSON.stringify(object));
}

const mcpServer = (namespace: string, name: string, spec: object) => ({
  apiVersion: 'toolhive.stacklok.dev/v1alpha1',
  kind: 'MCPServer',
  metadata: { name, namespace },
  spec,
});

/** A seed example as a user would apply it, moved to `namespace`. */
function seedIn(file: string, namespace: string): { metadata: { name: string } } {
  const seed = parse(readFileSync(path.join(SEEDS, file), 'utf8')) as {
    metadata: { name: string; namespace: string };
  };
  seed.metadata.namespace = namespace;
  return seed;
}

async function restrictedNamespace(name: string): Promise<void> {
  await ensureNamespace(name);
  await kubectl([
    'label',
    'namespace',
    name,
    '--overwrite',
    'pod-security.kubernetes.io/enforce=restricted',
    'pod-security.kubernetes.io/enforce-version=latest',
  ]);
}

interface PodList {
  items: { metadata: { name: string; labels?: Record<string, string> } }[];
}

async function podsOf(namespace: string, instance: string): Promise<string[]> {
  const out = await kubectl([
    '-n',
    namespace,
    'get',
    'pods',
    '-l',
    `app.kubernetes.io/instance=${instance}`,
    '-o',
    'json',
  ]);
  return (JSON.parse(out) as PodList).items
    .map((p) => p.metadata.labels?.['app.kubernetes.io/component'] ?? '?')
    .sort();
}

interface EventList {
  items: { reason?: string; message?: string; note?: string; regarding?: { name?: string } }[];
}

const secretValue = (): string => `leak-canary-${randomBytes(16).toString('hex')}`;
const base64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

const githubToken = (value: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'github-token', namespace: SECRETS_NS },
  stringData: { token: value },
});

/** An MCPServer the validating webhook must deny: github-token has no key "nope". */
const wrongKeyServer = (name: string) =>
  mcpServer(SECRETS_NS, name, {
    image: 'ghcr.io/github/github-mcp-server',
    transport: 'stdio',
    secrets: [{ name: 'github-token', key: 'nope', targetEnvName: 'GITHUB_PERSONAL_ACCESS_TOKEN' }],
  });

/** The pod template's Secret checksum of the StatefulSet, and whether its rollout is done. */
async function statefulSetRollout(
  namespace: string,
  name: string,
): Promise<{ checksum: string | undefined; rolledOut: boolean }> {
  const sts = JSON.parse(await kubectl(['-n', namespace, 'get', 'statefulset', name, '-o', 'json'])) as {
    metadata: { generation: number };
    spec: { template: { metadata?: { annotations?: Record<string, string> } } };
    status?: {
      observedGeneration?: number;
      updateRevision?: string;
      currentRevision?: string;
      updatedReplicas?: number;
    };
  };
  const s = sts.status ?? {};
  return {
    checksum: sts.spec.template.metadata?.annotations?.['mcp-operator/secrets-checksum'],
    rolledOut:
      s.observedGeneration === sts.metadata.generation &&
      s.updateRevision === s.currentRevision &&
      s.updatedReplicas === 1,
  };
}

describe('security: Pod Security Admission, RBAC and Secret values', function () {
  this.timeout(180_000);
  let operator: OperatorProcess | undefined;
  let firstToken = '';
  let rotatedToken = '';

  before(async () => {
    // kubectl wait fails outright (rather than waiting) when it reads the new CRD before its first
    // status; installing again is harmless.
    await eventually('the MCPServer CRD to be served', async () => (await installCrd(), true));
    for (const ns of [RESTRICTED_NS, SECRETS_NS]) await restrictedNamespace(ns);
    await ensureNamespace(OPERATOR_NS);
    for (const object of await operatorRbac()) await applyObject(object);
    // A policy that allows everything these tests do; the operator watches it with its own rights.
    await applyObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: POLICY_CONFIGMAP, namespace: OPERATOR_NS },
      data: { 'policy.yaml': 'maxReplicas: 3\n' },
    });
    firstToken = secretValue();
    await applyObject(githubToken(firstToken));
    const dir = mkdtempSync(path.join(tmpdir(), 'mcp-security-'));
    const port = await freePort();
    const caFile = path.join(dir, 'ca.crt');
    operator = await startOperatorProcess({
      kubeconfig: await operatorKubeconfig(dir),
      port,
      caFile,
      namespaces: [RESTRICTED_NS, SECRETS_NS],
    });
    await kubectl(
      ['apply', '--server-side', '--force-conflicts', '-f', '-'],
      webhookConfigurations(port, readFileSync(caFile, 'utf8'))
        .map((o) => stringify(o))
        .join('---\n'),
    );
    // The API server picks up new webhook configurations asynchronously: wait until ours denies.
    await eventually('the validating webhook to deny an MCPServer', async () => {
      const r = await controlPlane().kubectl(
        ['apply', '--dry-run=server', '-f', '-'],
        JSON.stringify(wrongKeyServer('probe')),
      );
      if (r.code !== 0 && r.stderr.includes('spec.secrets[0].key: Not found: "nope"')) return true;
      throw new Error(`not denied yet: ${r.stderr}${r.stdout}`);
    });
  });

  after(async () => {
    await operator?.stop();
    const webhooks = webhookConfigurationNames(WEBHOOK_NAME);
    await controlPlane().kubectl([
      'delete',
      `validatingwebhookconfiguration/${webhooks.validating}`,
      `mutatingwebhookconfiguration/${webhooks.mutating}`,
      '--ignore-not-found',
    ]);
    for (const kind of ['clusterrolebinding', 'clusterrole'])
      await controlPlane().kubectl(['delete', kind, OPERATOR_RBAC_NAME, '--ignore-not-found']);
    await controlPlane().kubectl([
      '-n',
      'default',
      'delete',
      'rolebinding,role',
      OPERATOR_RBAC_NAME,
      '--ignore-not-found',
    ]);
    for (const ns of [RESTRICTED_NS, SECRETS_NS, OPERATOR_NS])
      await controlPlane().kubectl(['delete', 'namespace', ns, '--ignore-not-found', '--wait=false']);
  });

  describe('Pod Security Admission restricted', () => {
    const servers: Array<[string, object]> = [
      ['stdio-a', { image: 'ghcr.io/example/a:1', transport: 'stdio' }],
      ['stdio-b', { image: 'ghcr.io/example/b:1', transport: 'stdio' }],
      ['sse', { image: 'ghcr.io/example/sse:1', transport: 'sse', mcpPort: 9000 }],
      ['http', { image: 'ghcr.io/example/http:1', transport: 'streamable-http', mcpPort: 9000 }],
    ];

    before(async () => {
      for (const [name, spec] of servers) await applyObject(mcpServer(RESTRICTED_NS, name, spec));
      await applyObject(seedIn('mcpserver-custom-pod.yaml', RESTRICTED_NS));
    });

    it('is enforced in the test namespace: a privileged pod is refused', async () => {
      const r = await controlPlane().kubectl([
        '-n',
        RESTRICTED_NS,
        'run',
        'privileged',
        '--image=example.invalid/x:1',
        '--privileged',
        '--dry-run=server',
      ]);
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.include('violates PodSecurity "restricted:latest"');
    });

    for (const name of ['stdio-a', 'stdio-b', 'sse', 'http', 'fetch']) {
      it(`admits the MCP server and proxy pods of ${name}: both exist and the server is Ready`, async () => {
        await serverInPhase(RESTRICTED_NS, name, 'Ready', 90_000);
        expect(await podsOf(RESTRICTED_NS, name)).to.deep.equal(['mcp-server', 'proxy']);
      });
    }

    it('records no FailedCreate event for a PodSecurity violation', async () => {
      const events = JSON.parse(
        await kubectl(['-n', RESTRICTED_NS, 'get', 'events', '-o', 'json']),
      ) as EventList;
      const violations = events.items.filter(
        (e) => e.reason === 'FailedCreate' || (e.message ?? '').includes('violates PodSecurity'),
      );
      expect(violations.map((e) => e.message)).to.deep.equal([]);
    });
  });

  describe('RBAC of the ServiceAccounts the operator makes', () => {
    let everyAccount: string[] = [];

    before(async () => {
      for (const name of ['stdio-a', 'stdio-b', 'sse', 'http'])
        await serverInPhase(RESTRICTED_NS, name, 'Ready', 90_000);
      // A ServiceAccount nobody bound anything to: what every ServiceAccount may do.
      await applyObject({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'nobody', namespace: RESTRICTED_NS },
      });
      everyAccount = await canIList(RESTRICTED_NS, 'nobody');
      expect(everyAccount.filter((row) => !row.startsWith('|'))).to.deep.equal(EVERY_ACCOUNT_RESOURCE_ROWS);
    });

    it("lets a stdio proxy get, watch and attach to its own server's pod, and nothing more", async () => {
      expect(await canIList(RESTRICTED_NS, 'stdio-a-proxy-runner')).to.deep.equal(
        [
          ...everyAccount,
          'pods | [] | [stdio-a-0] | [get watch]',
          'pods/attach | [] | [stdio-a-0] | [create get]',
        ].sort(),
      );
      const proxy = (args: string[]) => canI(RESTRICTED_NS, 'stdio-a-proxy-runner', args);
      expect(await proxy(['get', 'pods/stdio-a-0'])).to.equal(true);
      expect(await proxy(['create', 'pods/stdio-a-0', '--subresource=attach'])).to.equal(true);
    });

    it("denies a stdio proxy another server's pod, exec, Secrets, pod creation and anything cluster-wide", async () => {
      const proxy = (args: string[]) => canI(RESTRICTED_NS, 'stdio-a-proxy-runner', args);
      const denied: string[][] = [
        ['get', 'pods/stdio-b-0'],
        ['create', 'pods/stdio-b-0', '--subresource=attach'],
        ['create', 'pods/stdio-a-0', '--subresource=exec'],
        ['list', 'pods'],
        ['create', 'pods'],
        ['delete', 'pods/stdio-a-0'],
        ['list', 'secrets'],
        ['get', 'secrets/github-token'],
        ['get', 'configmaps/stdio-a-runconfig'],
        ['create', 'statefulsets'],
        ['create', 'roles'],
        ['list', 'pods', '--all-namespaces'],
        ['list', 'nodes'],
        ['*', '*', '--all-namespaces'],
      ];
      for (const args of denied) expect(await proxy(args), args.join(' ')).to.equal(false);
      // Its Role is namespaced: elsewhere it is an account like any other.
      expect(await canIList(RESTRICTED_NS, 'stdio-a-proxy-runner', 'default')).to.deep.equal(
        await canIList(RESTRICTED_NS, 'nobody', 'default'),
      );
    });

    for (const name of ['sse', 'http']) {
      it(`gives the ${name} proxy no rights beyond every ServiceAccount's (it calls no API)`, async () => {
        expect(await canIList(RESTRICTED_NS, `${name}-proxy-runner`)).to.deep.equal(everyAccount);
      });
    }

    for (const name of ['stdio-a', 'sse', 'http', 'fetch']) {
      it(`gives the MCP server's ServiceAccount ${name}-sa no rights beyond every ServiceAccount's`, async () => {
        expect(await canIList(RESTRICTED_NS, `${name}-sa`)).to.deep.equal(everyAccount);
        expect(await canI(RESTRICTED_NS, `${name}-sa`, ['get', 'pods'])).to.equal(false);
      });
    }
  });

  describe('Secret values', () => {
    const name = 'github';
    let denial = '';

    before(async () => {
      await applyObject(seedIn('mcpserver-with-secrets.yaml', SECRETS_NS));
      await serverInPhase(SECRETS_NS, name, 'Ready', 90_000);
      const before = await statefulSetRollout(SECRETS_NS, name);
      expect(before.checksum, 'the secrets checksum annotation').to.be.a('string');
      // Rotation: the server must roll to the new value, so the operator reads it again.
      rotatedToken = secretValue();
      await applyObject(githubToken(rotatedToken));
      await eventually(
        'the StatefulSet to roll out the rotated Secret',
        async () => {
          const now = await statefulSetRollout(SECRETS_NS, name);
          return now.checksum !== before.checksum && now.rolledOut ? now : undefined;
        },
        90_000,
      );
      await serverInPhase(SECRETS_NS, name, 'Ready', 90_000);
      // An admission denial about that Secret: a key it does not have.
      const r = await controlPlane().kubectl(
        ['apply', '-f', '-'],
        JSON.stringify(wrongKeyServer('wrong-key')),
      );
      expect(r.code, 'the wrong-key MCPServer must be denied').to.not.equal(0);
      denial = r.stderr;
    });

    /** Each place a value must never be, by name. */
    async function haystacks(): Promise<Array<[string, string]>> {
      const get = (args: string[]) => kubectl(['get', ...args, '-o', 'json']);
      return [
        ['every ConfigMap', await get(['configmaps', '--all-namespaces'])],
        ['every core/v1 Event', await get(['events', '--all-namespaces'])],
        ['every events.k8s.io Event', await get(['events.events.k8s.io', '--all-namespaces'])],
        ['the MCPServer with its status', await get(['-n', SECRETS_NS, 'mcpserver', name])],
        [
          'the children, pods, ReplicaSets and ControllerRevisions',
          await get(['-n', SECRETS_NS, `${CHILD_RESOURCES},pods,replicasets,controllerrevisions`]),
        ],
        ['the admission denial', denial],
        ["the operator's log", operator?.output() ?? ''],
      ];
    }

    const needles = (): Array<[string, string]> =>
      [firstToken, rotatedToken].flatMap((v): Array<[string, string]> => [
        [`value ${v}`, v],
        [`base64 of ${v}`, base64(v)],
      ]);

    it('denies a missing key by name, and the search would find the value where it is', async () => {
      expect(denial).to.include('spec.secrets[0].key: Not found: "nope"');
      // The needles are right: the Secret itself holds the rotated value's base64.
      expect(await kubectl(['-n', SECRETS_NS, 'get', 'secret', 'github-token', '-o', 'json'])).to.include(
        base64(rotatedToken),
      );
      // The operator's log was captured, from both its jobs.
      const log = operator?.output() ?? '';
      expect(log).to.include('Started MCPServer controller');
      expect(log).to.include('Started webhook server');
    });

    it('writes no Secret value, nor its base64, to ConfigMaps, Events, status, children, denials or logs', async () => {
      const leaks: string[] = [];
      for (const [where, text] of await haystacks()) {
        expect(text.length, `${where} is empty`).to.be.greaterThan(0);
        for (const [what, needle] of needles()) if (text.includes(needle)) leaks.push(`${what} in ${where}`);
      }
      expect(leaks).to.deep.equal([]);
    });

    it('puts the Secret in the pod only as a secretKeyRef (names, not the value)', async () => {
      const sts = JSON.parse(await kubectl(['-n', SECRETS_NS, 'get', 'statefulset', name, '-o', 'json'])) as {
        spec: { template: { spec: { containers: { name: string; env?: object[] }[] } } };
      };
      const mcp = sts.spec.template.spec.containers.find((c) => c.name === 'mcp');
      expect(mcp?.env).to.deep.include({
        name: 'GITHUB_PERSONAL_ACCESS_TOKEN',
        valueFrom: { secretKeyRef: { name: 'github-token', key: 'token' } },
      });
    });
  });

  describe("the operator's own RBAC", () => {
    it('was enough: no request of the operator was forbidden', () => {
      const log = operator?.output() ?? '';
      expect(log).to.include('Acquired leadership');
      expect(log).to.include('Loaded admission policy');
      const forbidden = log.split('\n').filter((line) => /is forbidden|"code":403|HTTP-Code: 403/.test(line));
      expect(forbidden).to.deep.equal([]);
    });

    it('let it record its Events', async () => {
      const events = JSON.parse(
        await kubectl([
          '-n',
          RESTRICTED_NS,
          'get',
          'events',
          '--field-selector',
          'source=mcp-operator',
          '-o',
          'json',
        ]),
      ) as EventList;
      expect(events.items.map((e) => e.reason)).to.include.members(['Created', 'Ready']);
    });
  });
});
