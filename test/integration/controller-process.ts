// `mcp-operator controller` as a separate process, the way it runs in a pod: for tests that kill it
// (SIGKILL leaves no chance to clean up) or run two replicas against one Lease. Its JSON log lines are
// kept; its metrics endpoint is read over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort, httpGet } from '../../controlplane/wait.ts';
import { repoRoot } from '../../controlplane/versions.ts';
import { controlPlane } from './harness.ts';
import { sumSamples } from '../../lib/prometheus-text.ts';

export interface ControllerProcess {
  readonly pid: number;
  /** Parsed log lines so far. */
  readonly logs: Array<{ msg?: string; [k: string]: unknown }>;
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<void>;
  /** The value of every sample of a metric family, summed over the samples `keep` accepts. */
  metric(name: string, keep?: (labels: string) => boolean): Promise<number>;
}

export interface ControllerProcessOptions {
  namespaces: string[];
  /** Turns leader election on, with the Lease in this namespace. */
  leaseNamespace?: string;
  workers?: number;
  /** Node flags before the script (e.g. --inspect=127.0.0.1:0 to take heap snapshots). */
  nodeArgs?: string[];
}

export async function startControllerProcess(o: ControllerProcessOptions): Promise<ControllerProcess> {
  const metricsPort = await freePort();
  const args = [
    'cli/main.ts',
    'controller',
    `--kubeconfig=${controlPlane().kubeconfig}`,
    `--namespaces=${o.namespaces.join(',')}`,
    `--metrics-port=${metricsPort}`,
    `--workers=${o.workers ?? 4}`,
    '--proxy-image=example.invalid/mcp-operator:test',
    ...(o.leaseNamespace ? ['--leader-elect', `--leader-elect-namespace=${o.leaseNamespace}`] : []),
  ];
  const child: ChildProcess = spawn(
    path.join(repoRoot, 'node_modules/.bin/node'),
    [...(o.nodeArgs ?? []), ...args],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'info' },
    },
  );
  const logs: ControllerProcess['logs'] = [];
  // The JSON log is on stderr (lib/log.ts); stdout is parsed the same way in case anything prints there.
  const collectLines = (stream: NodeJS.ReadableStream | null, name: string): void => {
    let partial = '';
    stream?.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        try {
          logs.push(JSON.parse(line) as ControllerProcess['logs'][number]);
        } catch {
          logs.push({ msg: line, stream: name });
        }
      }
    });
  };
  collectLines(child.stdout, 'stdout');
  collectLines(child.stderr, 'stderr');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    pid: child.pid ?? -1,
    logs,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    async metric(name, keep = () => true) {
      const res = await httpGet(`http://127.0.0.1:${metricsPort}/metrics`);
      if (res.status !== 200) throw new Error(`metrics answered ${res.status}`);
      return sumSamples(res.body, name, keep);
    },
  };
}
