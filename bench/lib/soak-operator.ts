// The operator as its pod runs it, `mcp-operator run` (webhooks and controller in one process), as a
// child of the soak: compiled JavaScript with the image's environment (as the image runs it; from
// source, Node's type stripper adds about 30 MiB), webhooks on a loopback port with a local CA (the
// webhook configurations point there), the controller watching the soak namespace, its metrics on
// another port. Its memory is read from /proc, its heap from its own /metrics (soak-memory.ts).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../controlplane/versions.ts';
import { freePort, httpGet, waitUntil } from '../../controlplane/wait.ts';
import { heapFigures, type HeapFigures } from './soak-memory.ts';

export interface SoakOperator {
  pid: number;
  webhookPort: number;
  caPem: string;
  /** The V8 heap figures of its /metrics; undefined if it does not export them. */
  heap(): Promise<HeapFigures | undefined>;
  /** Whether it is still running (an exit mid-soak is a failure worth reporting). */
  alive(): boolean;
  /** The last lines it wrote to stderr, for diagnosis. */
  lastLines(): string;
  stop(): Promise<void>;
}

export interface SoakOperatorOptions {
  kubeconfig: string;
  namespace: string;
  /** The script to run: cli/main.ts, or its compiled form (soak-image.ts). */
  script: string;
  /** Node flags before the script (the image's ENTRYPOINT's). */
  nodeFlags?: string[];
  /** Environment on top of the soak's own (the image's ENV). */
  env: Record<string, string>;
}

export async function startSoakOperator(o: SoakOperatorOptions): Promise<SoakOperator> {
  const [webhookPort, metricsPort] = [await freePort(), await freePort()];
  const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'mcp-soak-')), 'webhook-ca.crt');
  const child = spawn(
    path.join(repoRoot, 'node_modules/.bin/node'),
    [
      ...(o.nodeFlags ?? []),
      o.script,
      'run',
      `--kubeconfig=${o.kubeconfig}`,
      `--port=${webhookPort}`,
      '--host=127.0.0.1',
      `--local-ca-file=${caFile}`,
      `--namespaces=${o.namespace}`,
      `--metrics-port=${metricsPort}`,
      '--proxy-image=example.invalid/mcp-operator:soak',
    ],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...o.env, LOG_LEVEL: 'warn' },
    },
  );
  const tail: string[] = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    tail.push(...chunk.split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 40));
  });
  let running = true;
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      running = false;
      resolve(`code ${code}, signal ${signal}`);
    }),
  );
  const stop = async (): Promise<void> => {
    if (!running) return;
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
  };
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  try {
    await waitUntil(
      async () =>
        existsSync(caFile) &&
        (await httpGet(`https://127.0.0.1:${webhookPort}/healthz`, { ca: readFileSync(caFile, 'utf8') }))
          .status === 200 &&
        (await httpGet(metricsUrl)).status === 200,
      { what: 'the operator (webhook and metrics)', timeoutMs: 60_000, exited },
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${tail.join('\n')}`, { cause: err });
  }
  return {
    pid: child.pid!,
    webhookPort,
    caPem: readFileSync(caFile, 'utf8'),
    heap: () => heapFigures(metricsUrl),
    alive: () => running,
    lastLines: () => tail.join('\n'),
    stop,
  };
}
