// bench/secrets-footprint: what unrelated Secrets cost the controller's memory (issue 14). Its own local
// control plane; for each source tree given (BENCH_TREES, e.g. an old commit's `git worktree` and this
// one), in a fresh namespace: `mcp-operator controller` from that tree watching the namespace, N
// MCPServers that all read one Secret, created and left idle once Ready; then 1,000 unrelated Secrets of
// 10 KiB each created in the same namespace (the controller watches Secrets where it serves). The
// controller's RSS (and V8 heap used, from its /metrics) before and after the Secrets, each the median
// of BENCH_SAMPLES readings a second apart after BENCH_SETTLE_SECONDS of quiet.
// The trees run one after the other against the same cluster; each controller sees only its namespace.
// Settings (environment): BENCH_TREES (comma-separated source trees, default this one; each needs
// node_modules, a symlink to this one's will do), BENCH_SERVERS (100), BENCH_SECRETS (1000),
// BENCH_SECRET_KIB (10), BENCH_SETTLE_SECONDS (15), BENCH_SAMPLES (5).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { startControlPlane, type ControlPlane } from '../controlplane/cluster.ts';
import { repoRoot } from '../controlplane/versions.ts';
import { freePort, httpGet, waitUntil } from '../controlplane/wait.ts';
import { createLogger } from '../lib/log.ts';
import type { MCPServer } from '../schemas/generated/mcpserver.ts';
import { addFakeNodes, createAll, watchUntilCount } from './lib/controller-cluster.ts';
import { BENCH_LOCK, holdLocks } from './lib/locks.ts';
import { heapFigures, processMemory } from './lib/soak-memory.ts';
import { installCrd } from './lib/soak-cluster.ts';

const env = process.env;
const settings = {
  trees: (env.BENCH_TREES ?? repoRoot).split(',').map((t) => path.resolve(t)),
  servers: Number(env.BENCH_SERVERS ?? 100),
  secrets: Number(env.BENCH_SECRETS ?? 1000),
  secretKiB: Number(env.BENCH_SECRET_KIB ?? 10),
  settleMs: Number(env.BENCH_SETTLE_SECONDS ?? 15) * 1000,
  samples: Number(env.BENCH_SAMPLES ?? 5),
};
const GROUP_PATH = '/apis/toolhive.stacklok.dev/v1alpha1';
const log = createLogger('bench', env.LOG_LEVEL ?? 'info');

interface Reading {
  rssMiB: number;
  heapUsedMiB: number | undefined;
}

interface TreeResult {
  tree: string;
  commit: string;
  readySeconds: number;
  before: Reading;
  after: Reading;
  secretsCreateSeconds: number;
  loadBefore: number[];
  loadAfter: number[];
}

interface Controller {
  pid: number;
  metricsUrl: string;
  stop(): Promise<void>;
}

/** `mcp-operator controller` from `tree`'s sources, watching `namespace`. */
async function startController(cp: ControlPlane, tree: string, namespace: string): Promise<Controller> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    path.join(tree, 'node_modules/.bin/node'),
    [
      path.join(tree, 'cli/main.ts'),
      'controller',
      `--kubeconfig=${cp.kubeconfig}`,
      `--namespaces=${namespace}`,
      `--metrics-port=${port}`,
      '--proxy-image=example.invalid/mcp-operator:bench',
    ],
    { cwd: tree, stdio: ['ignore', 'ignore', 'inherit'], env: { ...env, LOG_LEVEL: 'warn' } },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const metricsUrl = `http://127.0.0.1:${port}/metrics`;
  await waitUntil(async () => (await httpGet(metricsUrl)).status === 200, {
    what: `the controller of ${tree}`,
    timeoutMs: 60_000,
    exited: exited.then(() => 'controller exited'),
  });
  return {
    pid: child.pid!,
    metricsUrl,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The median of `samples` readings a second apart, after the settle time. */
async function settledReading(c: Controller): Promise<Reading> {
  await sleep(settings.settleMs);
  const rss: number[] = [];
  const heap: number[] = [];
  for (let i = 0; i < settings.samples; i++) {
    if (i) await sleep(1000);
    rss.push(processMemory(c.pid).rssMiB);
    const h = await heapFigures(c.metricsUrl);
    if (h) heap.push(h.usedMiB);
  }
  return { rssMiB: median(rss), heapUsedMiB: heap.length ? median(heap) : undefined };
}

function servers(namespace: string): MCPServer[] {
  const seed = parse(
    readFileSync(path.join(repoRoot, 'test/fixtures/seed-examples/mcpserver-osv.yaml'), 'utf8'),
  ) as { spec: MCPServer['spec'] };
  return Array.from({ length: settings.servers }, (_, i) => ({
    apiVersion: 'toolhive.stacklok.dev/v1alpha1',
    kind: 'MCPServer',
    metadata: { name: `fp-${String(i).padStart(4, '0')}`, namespace },
    spec: { ...seed.spec, secrets: [{ name: 'token', key: 'token', targetEnvName: 'TOKEN' }] },
  }));
}

/** Secrets of `kib` KiB of random data each (base64 on the wire: a third more). */
const secrets = (namespace: string, count: number, kib: number, prefix: string): object[] =>
  Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${prefix}-${String(i).padStart(4, '0')}`, namespace },
    data: { value: randomBytes(kib * 1024).toString('base64') },
  }));

/** The tree's commit, and whether its controller/ differs from it. */
const commitOf = (tree: string): string => {
  const git = (...args: string[]) => execFileSync('git', ['-C', tree, ...args], { encoding: 'utf8' }).trim();
  const dirty = git('status', '--porcelain', '--', 'controller', 'cli') !== '';
  return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted controller/cli changes' : ''}`;
};

async function runTree(cp: ControlPlane, tree: string, index: number): Promise<TreeResult> {
  const namespace = `footprint-${index}`;
  await createAll(
    cp,
    '/api/v1/namespaces',
    [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }],
    1,
  );
  const token = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'token', namespace },
    data: { token: 'dA==' },
  };
  await createAll(cp, `/api/v1/namespaces/${namespace}/secrets`, [token], 1);
  const controller = await startController(cp, tree, namespace);
  try {
    const t0 = performance.now();
    const ready = watchUntilCount(
      cp,
      `${GROUP_PATH}/namespaces/${namespace}/mcpservers`,
      { count: settings.servers, ok: (o) => (o as MCPServer).status?.phase === 'Ready' },
      t0,
      () => undefined,
    );
    await createAll(cp, `${GROUP_PATH}/namespaces/${namespace}/mcpservers`, servers(namespace));
    const readySeconds = await ready;
    log.info({ tree, readySeconds }, 'All MCPServers Ready');
    const loadBefore = loadavg();
    const before = await settledReading(controller);
    const t1 = performance.now();
    await createAll(
      cp,
      `/api/v1/namespaces/${namespace}/secrets`,
      secrets(namespace, settings.secrets, settings.secretKiB, 'unrelated'),
    );
    const secretsCreateSeconds = (performance.now() - t1) / 1000;
    const after = await settledReading(controller);
    return {
      tree,
      commit: commitOf(tree),
      readySeconds,
      before,
      after,
      secretsCreateSeconds,
      loadBefore,
      loadAfter: loadavg(),
    };
  } finally {
    await controller.stop();
  }
}

function report(results: TreeResult[]): string {
  const mib = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(1));
  const lines = [
    '',
    `${settings.servers} MCPServers idle, then ${settings.secrets} unrelated Secrets of ${settings.secretKiB} KiB in their namespace`,
    '| tree | commit | RSS before · after, MiB | growth | V8 heap used before · after, MiB | load avg (1 min) before · after |',
    '|---|---|--:|--:|--:|--:|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.tree} | ${r.commit} | ${mib(r.before.rssMiB)} · ${mib(r.after.rssMiB)} | ${mib(r.after.rssMiB - r.before.rssMiB)} | ` +
        `${mib(r.before.heapUsedMiB)} · ${mib(r.after.heapUsedMiB)} | ${r.loadBefore[0]!.toFixed(1)} · ${r.loadAfter[0]!.toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  await holdLocks([BENCH_LOCK], (line) => process.stderr.write(`${line}\n`));
  const cp = await startControlPlane({ log });
  try {
    await installCrd(cp);
    await addFakeNodes(cp, 2 * settings.servers * settings.trees.length);
    const results: TreeResult[] = [];
    for (const [i, tree] of settings.trees.entries()) {
      results.push(await runTree(cp, tree, i));
      process.stderr.write(`${JSON.stringify(results.at(-1))}\n`);
    }
    process.stdout.write(`${report(results)}\n${JSON.stringify({ settings, results })}\n`);
  } finally {
    await cp.stop();
  }
}

await main();
