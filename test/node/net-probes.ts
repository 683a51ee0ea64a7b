// Network probes run inside pods of the node suite: connections and name lookups made by a container's
// own Node (the operator and MCP server images carry it; they have no shell), and a pod that only sleeps.
import { spawn } from 'node:child_process';
import { IMAGES } from '../../realnode/node-images.ts';
import { cluster, eventually, kubectl } from './harness.ts';
import { CONNECT_SCRIPT } from './shared.ts';

const NODE = '/nodejs/bin/node';

async function nodeIn(ns: string, pod: string, container: string, args: string[]): Promise<string> {
  const r = await cluster().kubectl(['-n', ns, 'exec', pod, '-c', container, '--', NODE, ...args]);
  return r.stdout.trim() || r.stderr.trim();
}

/** Connects from a container: CONNECTED, TIMEOUT or ERROR <code> (a REJECT is ERROR ECONNREFUSED). */
export const connectFrom = (ns: string, pod: string, container: string, host: string, port: number) =>
  nodeIn(ns, pod, container, ['-e', CONNECT_SCRIPT, host, String(port)]);

const LOOKUP_SCRIPT = `require('node:dns').lookup(process.argv[1], (e, a) =>
  console.log(e ? 'ERROR ' + e.code : 'RESOLVED ' + a));`;

/** Resolves a name from a container as its libc would (cluster DNS): RESOLVED <address> or ERROR <code>. */
export const lookupFrom = (ns: string, pod: string, container: string, name: string) =>
  nodeIn(ns, pod, container, ['-e', LOOKUP_SCRIPT, name]);

const LISTEN_SCRIPT = `require('node:net').createServer((s) => s.end()).listen(Number(process.argv[1]));
setTimeout(() => process.exit(0), Number(process.argv[2]));`;

/**
 * Listens on `port` inside a running container for `ms` (a second listener beside the container's own),
 * so a refused connection to it can only be the network's doing. Resolves once it accepts locally.
 */
export async function listenIn(ns: string, pod: string, container: string, port: number, ms: number) {
  const cp = cluster();
  const child = spawn(
    cp.binaries.kubectl,
    [
      `--kubeconfig=${cp.kubeconfig}`,
      ...['-n', ns, 'exec', pod, '-c', container, '--', NODE, '-e', LISTEN_SCRIPT, String(port), String(ms)],
    ],
    { stdio: 'ignore' },
  );
  child.unref();
  await eventually(
    `a listener on ${pod}:${port}`,
    async () =>
      (await connectFrom(ns, pod, container, '127.0.0.1', port)) === 'CONNECTED' ? true : undefined,
    30_000,
    500,
  );
  return { stop: () => child.kill('SIGTERM') };
}

/** A pod that only sleeps, in the operator image (which has Node to probe with), restricted. */
export function sleeperPod(name: string, namespace: string, labels: Record<string, string> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: {
      containers: [
        {
          name: 'sleeper',
          image: IMAGES.operator,
          command: [NODE, '-e', 'setInterval(() => {}, 1 << 30)'],
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            runAsNonRoot: true,
            seccompProfile: { type: 'RuntimeDefault' },
          },
        },
      ],
    },
  });
}

/** Applies sleeperPod and waits until it is Ready. */
export async function startSleeper(name: string, namespace: string): Promise<void> {
  await kubectl(['apply', '-f', '-'], sleeperPod(name, namespace));
  await kubectl(['-n', namespace, 'wait', '--for=condition=Ready', `pod/${name}`, '--timeout=60s']);
}
