// Benchmark: what the operator and the proxy hold in memory before any work, compiled to JavaScript with
// the image's Node flags and environment, as their pods run them.
//   1. Each heavy dependency imported alone into an otherwise empty Node (and Node by itself): VmRSS,
//      RssAnon and the V8 heap in use after three full GCs: what loading it at start costs a process.
//   2. `mcp-operator run` (webhook and controller; --local-ca-file certificates, so nothing is written to
//      the cluster) on one local control plane with our CRDs and no MCPServer, and `mcp-operator proxy`
//      from a run config with a plain HTTP target: RSS 30 s (run) and 5 s (proxy) after start.
// STARTUP_BASELINE=<another tree of this repository> measures that tree's commands too, alternating with
// this one's, STARTUP_ROUNDS times (3). Holds /tmp/bench.lock; stops everything it started.
// Run with `node_modules/.bin/node bench/startup-memory.ts`.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { startControlPlane } from '../controlplane/cluster.ts';
import { repoRoot } from '../controlplane/versions.ts';
import { imageEnv, imageNodeFlags } from '../lib/dockerfile.ts';
import { createLogger } from '../lib/log.ts';
import { compileServers, compiledPath } from './lib/compile.ts';
import { BENCH_LOCK, holdLocks } from './lib/locks.ts';
import { freePort } from './lib/mcp-paths.ts';
import { installCrd } from './lib/soak-cluster.ts';

const NODE = path.join(repoRoot, 'node_modules/.bin/node');
const ROUNDS = Number(process.env.STARTUP_ROUNDS ?? 3);
const BASELINE = process.env.STARTUP_BASELINE;
const MODULES = [
  '@kubernetes/client-node',
  '@modelcontextprotocol/sdk/client/index.js',
  '@cedar-policy/cedar-wasm/nodejs',
  'express',
  'yaml',
  'node-forge',
  'ajv',
  'ioredis',
  'jose',
];
const env = { ...process.env, ...imageEnv(), LOG_LEVEL: 'warn' };
const run = promisify(execFile);

const MiB = (kB: string | undefined) => (Number(kB ?? 0) / 1024).toFixed(1);
function memory(pid: number): string {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => MiB(new RegExp(`${name}:\\s+(\\d+)`).exec(s)?.[1]);
  return `RSS ${field('VmRSS')} MiB (anonymous ${field('RssAnon')}, files ${field('RssFile')})`;
}

/** Part 1: one module imported alone; `none`: Node by itself. */
async function importAlone(specifier: string): Promise<string> {
  const script = `${specifier === 'none' ? '' : `await import(${JSON.stringify(specifier)});`}
for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 300)); }
const s = (await import('node:fs')).readFileSync('/proc/self/status', 'utf8');
const kB = (n) => Number(new RegExp(n + ':\\\\s+(\\\\d+)').exec(s)[1]) / 1024;
console.log(JSON.stringify({ rss: kB('VmRSS'), anon: kB('RssAnon'), heap: process.memoryUsage().heapUsed / 1048576 }));`;
  const flags = [...imageNodeFlags(), '--expose-gc', '--input-type=module', '-e', script];
  const { stdout } = await run(NODE, flags, { cwd: repoRoot, env });
  const m = JSON.parse(stdout) as { rss: number; anon: number; heap: number };
  return `| ${specifier} | ${m.rss.toFixed(1)} | ${m.anon.toFixed(1)} | ${m.heap.toFixed(1)} |`;
}

/** Starts `args` of tree's compiled CLI, waits, returns its memory line, stops it. */
async function idle(tree: string, args: string[], waitMs: number): Promise<string> {
  const child = spawn(
    NODE,
    [...imageNodeFlags(), compiledPath(path.join(tree, 'cli/main.ts'), tree), ...args],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await sleep(waitMs);
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${stderr.slice(0, 300)}`);
    return memory(child.pid!);
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }
}

async function main(): Promise<void> {
  await holdLocks([BENCH_LOCK], (line) => process.stderr.write(`${line}\n`));
  const trees: [string, string][] = [
    ['this tree', repoRoot],
    ...(BASELINE ? [['baseline', BASELINE] as [string, string]] : []),
  ];
  console.log(
    `load average before: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  console.log('1. Imported alone with the image flags, after 3 GCs, MiB:');
  console.log('| module | RSS | anonymous | V8 heap used |\n|---|--:|--:|--:|');
  for (const m of ['none', ...MODULES]) console.log(await importAlone(m));

  for (const [, tree] of trees) await compileServers([path.join(tree, 'cli/main.ts')], tree);
  const dir = mkdtempSync(path.join(tmpdir(), 'startup-memory-'));
  const cp = await startControlPlane({ log: createLogger('bench', 'warn') });
  try {
    await installCrd(cp);
    const proxyConfig = path.join(dir, 'runconfig.json');
    const proxyPort = await freePort();
    const target = { kind: 'http', url: 'http://127.0.0.1:9/mcp' };
    const config = {
      version: 1,
      server: { name: 'b', namespace: 'b' },
      transport: 'streamable-http',
      proxyPort,
      host: '127.0.0.1',
      target,
    };
    writeFileSync(proxyConfig, JSON.stringify(config));
    console.log(`2. Idle, compiled, ${ROUNDS} rounds alternating (run: 30 s after start; proxy: 5 s):`);
    for (let round = 1; round <= ROUNDS; round++)
      for (const [name, tree] of trees) {
        const [port, metrics] = [await freePort(), await freePort()];
        const operator = await idle(
          tree,
          [
            'run',
            `--kubeconfig=${cp.kubeconfig}`,
            `--port=${port}`,
            '--host=127.0.0.1',
            `--local-ca-file=${path.join(dir, `ca-${round}.pem`)}`,
            `--metrics-port=${metrics}`,
            '--namespaces=default',
            '--proxy-image=example.invalid/x:1',
            '--verify-proxies=off',
          ],
          30_000,
        );
        const proxy = await idle(tree, ['proxy', '--config', proxyConfig], 5_000);
        console.log(`  round ${round}, ${name}: mcp-operator run ${operator}; mcp-operator proxy ${proxy}`);
      }
  } finally {
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `load average after: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
}

await main();
