// One local cluster with a real node for the whole node suite (started by hooks.ts), the operator
// installed on it by `helm install` from the working tree, and what the tests share: kubectl and helm
// against it, polling, and port-forwards.
import { spawn, type ChildProcess } from 'node:child_process';
import type { ControlPlane } from '../../controlplane/cluster.ts';
import { runToCompletion } from '../../controlplane/processes.ts';
import { eventually as waitFor, freePort } from '../../controlplane/wait.ts';

export { OPERATOR_NS, RELEASE } from '../../cli/real-node-operator.ts';

let current: ControlPlane | undefined;

export function setCluster(cp: ControlPlane | undefined): void {
  current = cp;
}

export function cluster(): ControlPlane {
  if (!current) throw new Error('the node suite cluster is not running (see test/node/hooks.ts)');
  return current;
}

/** Runs kubectl; resolves with stdout, or rejects with its stderr when it fails. */
export async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await cluster().kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

export async function helm(args: string[]): Promise<string> {
  const cp = cluster();
  const r = await runToCompletion(cp.binaries.helm, [`--kubeconfig=${cp.kubeconfig}`, ...args]);
  if (r.code !== 0) throw new Error(`helm ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** controlplane/wait.ts's eventually, with the node suite's longer defaults (pods start, images load). */
export const eventually = <T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> => waitFor(what, probe, timeoutMs, intervalMs);

export interface PortForward {
  localPort: number;
  url: string;
  stop(): void;
}

/** `kubectl port-forward <target> <local>:<remote>`, resolved once kubectl says it is forwarding. */
export async function portForward(
  namespace: string,
  target: string,
  remotePort: number,
): Promise<PortForward> {
  const cp = cluster();
  const localPort = await freePort();
  const child: ChildProcess = spawn(
    cp.binaries.kubectl,
    [`--kubeconfig=${cp.kubeconfig}`, '-n', namespace, 'port-forward', target, `${localPort}:${remotePort}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`port-forward ${target}: no answer in 30 s: ${output}`)),
      30_000,
    );
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (output.includes('Forwarding from')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`port-forward ${target} exited ${code}: ${output}`));
    });
  });
  return { localPort, url: `http://127.0.0.1:${localPort}`, stop: () => child.kill('SIGTERM') };
}

interface PodList {
  items: {
    metadata: { name: string; deletionTimestamp?: string };
    status: { phase?: string; podIP?: string };
  }[];
}

/** The running pods matching a label selector (not terminating). */
export async function runningPods(namespace: string, selector: string): Promise<PodList['items']> {
  const list = JSON.parse(
    await kubectl(['-n', namespace, 'get', 'pods', '-l', selector, '-o', 'json']),
  ) as PodList;
  return list.items.filter((p) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp);
}

/** The name of the one running pod matching a label selector, once there is exactly one. */
export async function podName(namespace: string, selector: string): Promise<string> {
  return eventually(`one running pod ${selector} in ${namespace}`, async () => {
    const pods = await runningPods(namespace, selector);
    return pods.length === 1 ? pods[0]!.metadata.name : undefined;
  });
}

export async function mcpServerPhase(namespace: string, name: string): Promise<string> {
  return (
    await kubectl(['-n', namespace, 'get', 'mcpserver', name, '-o', 'jsonpath={.status.phase}'])
  ).trim();
}

export async function waitReady(namespace: string, name: string, timeoutMs = 120_000): Promise<void> {
  await eventually(
    `MCPServer ${namespace}/${name} Ready`,
    async () => ((await mcpServerPhase(namespace, name)) === 'Ready' ? true : undefined),
    timeoutMs,
    500,
  );
}
