// `mcp-operator controller` in its own process, so its RSS and CPU are its own: started from source by
// the Node the project pins (or compiled to JavaScript, BENCH_COMPILED=1), optionally with --cpu-prof (the
// profile is written when it exits on SIGTERM).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../controlplane/versions.ts';
import { freePort, httpGet, waitUntil } from '../../controlplane/wait.ts';
import { imageEnv, imageNodeFlags } from '../../lib/dockerfile.ts';
import { sumSamples } from '../../lib/prometheus-text.ts';
import { compileServers, compiledPath } from './compile.ts';
import { heapFigures, processMemory, type HeapFigures, type ProcessMemory } from './soak-memory.ts';

export interface BenchController {
  pid: number;
  rssMb(): number;
  memory(): Promise<MemoryBreakdown>;
  /** Sum of the samples of a metric family in its /metrics, over the label sets `keep` accepts. */
  metric(name: string, keep?: (labels: string) => boolean): Promise<number>;
  stop(): Promise<void>;
}

/** Where the RSS is: anonymous and file-backed pages (/proc), V8's heap and external memory (/metrics). */
export interface MemoryBreakdown {
  process: ProcessMemory;
  heap: HeapFigures | undefined;
}

export interface BenchControllerOptions {
  kubeconfig: string;
  namespace: string;
  /** --workers; the controller's default when undefined. */
  workers: number | undefined;
  /** Folder for a V8 CPU profile; none when undefined. */
  cpuProfileDir?: string;
  /** Run cli/main.ts compiled to JavaScript with the image's ENV, as the image runs it (no type stripper). */
  compiled?: boolean;
}

/** V8 flags to try (BENCH_NODE_FLAGS), on the command line: NODE_OPTIONS takes only some of them. */
const extraNodeFlags = (): string[] => (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

export async function startBenchController(o: BenchControllerOptions): Promise<BenchController> {
  const port = await freePort();
  const profile = o.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfileDir}`] : [];
  const cli = path.join(repoRoot, 'cli/main.ts');
  if (o.compiled) await compileServers([cli]);
  const child = spawn(
    path.join(repoRoot, 'node_modules/.bin/node'),
    [
      ...(o.compiled ? imageNodeFlags() : []),
      ...extraNodeFlags(),
      ...profile,
      o.compiled ? compiledPath(cli) : cli,
      'controller',
      `--kubeconfig=${o.kubeconfig}`,
      `--namespaces=${o.namespace}`,
      `--metrics-port=${port}`,
      ...(o.workers === undefined ? [] : [`--workers=${o.workers}`]),
      '--proxy-image=example.invalid/mcp-operator:bench',
    ],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
      // Compiled, it runs as the image does: with the image's environment and its ENTRYPOINT's Node flags.
      env: { ...process.env, ...(o.compiled ? imageEnv() : {}), LOG_LEVEL: 'warn' },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}/metrics`;
  await waitUntil(async () => (await httpGet(url)).status === 200, {
    what: 'the controller metrics endpoint',
    timeoutMs: 30_000,
    exited: exited.then(() => 'controller exited'),
  });
  return {
    pid: child.pid ?? -1,
    rssMb: () => processMemory(child.pid!).rssMiB,
    memory: async () => ({ process: processMemory(child.pid!), heap: await heapFigures(url) }),
    async metric(name, keep = () => true) {
      return sumSamples((await httpGet(url, undefined, 10_000)).body, name, keep);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
