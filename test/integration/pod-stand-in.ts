// Runs a Deployment's container on this machine, as a kubelet would run it, for the pods KWOK only
// pretends to run: the container's own args and env from the live Deployment (downward-API fields
// resolved for one of its pods), the pod's ServiceAccount identity (a token from the TokenRequest API,
// so the chart's RBAC is what the process gets), and its Secret volumes written to a folder that stands in
// for the mount path. Combined with a local route for the pod network (see routePodNetworkHere), the API
// server reaches the process at the pod's IP, as it would reach the pod.
// The image is not run: its entrypoint is `mcp-operator`, which is this repository's cli/main.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runToCompletion } from '../../controlplane/processes.ts';
import { repoRoot } from '../../controlplane/versions.ts';
import type { ControlPlane } from '../../controlplane/cluster.ts';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
interface Container {
  name: string;
  args?: string[];
  env?: EnvVar[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Deployment {
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: {
      spec: {
        serviceAccountName?: string;
        containers: Container[];
        volumes?: { name: string; secret?: { secretName: string } }[];
      };
    };
  };
}

export interface StandIn {
  pid: number;
  /** The pod this process stands in for. */
  podName: string;
  /** Resolves when the process has exited, however it ended. */
  exited: Promise<void>;
  /** Everything the process wrote to stderr (its JSON log) so far. */
  output(): string;
  /** Its exit code (or the signal's name) once it has exited; null while it runs. */
  exitCode(): number | string | null;
  /** Resolves when the process has exited (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
}

async function kubectlJson<T>(cp: ControlPlane, args: string[]): Promise<T> {
  const r = await cp.kubectl([...args, '-o', 'json']);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as T;
}

async function kubectlText(cp: ControlPlane, args: string[]): Promise<string> {
  const r = await cp.kubectl(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** A kubeconfig that authenticates as the ServiceAccount, with a bound token from the TokenRequest API. */
async function serviceAccountKubeconfig(
  cp: ControlPlane,
  namespace: string,
  account: string,
  dir: string,
): Promise<string> {
  const token = await kubectlText(cp, ['-n', namespace, 'create', 'token', account, '--duration=2h']);
  const file = path.join(dir, 'kubeconfig');
  const ca = Buffer.from(cp.adminTls.ca).toString('base64');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'local', cluster: { server: cp.server, 'certificate-authority-data': ca } }],
      users: [{ name: account, user: { token } }],
      contexts: [{ name: 'local', context: { cluster: 'local', user: account, namespace } }],
      'current-context': 'local',
    }),
    { mode: 0o600 },
  );
  return file;
}

function resolveEnv(vars: EnvVar[], pod: { namespace: string; name: string }): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.namespace': pod.namespace, 'metadata.name': pod.name };
  const env: Record<string, string> = {};
  for (const v of vars) {
    if (v.value !== undefined) env[v.name] = v.value;
    else if (v.valueFrom?.fieldRef) {
      const value = fields[v.valueFrom.fieldRef.fieldPath];
      if (value === undefined)
        throw new Error(`env ${v.name}: fieldRef ${v.valueFrom.fieldRef.fieldPath} not supported here`);
      env[v.name] = value;
    } else throw new Error(`env ${v.name}: only value and fieldRef are supported here`);
  }
  return env;
}

/** Writes each Secret volume's keys into a folder; returns mountPath -> folder. */
async function materializeSecretMounts(
  cp: ControlPlane,
  namespace: string,
  deployment: Deployment,
  container: Container,
  dir: string,
): Promise<Map<string, string>> {
  const mounts = new Map<string, string>();
  for (const mount of container.volumeMounts ?? []) {
    const volume = deployment.spec.template.spec.volumes?.find((v) => v.name === mount.name);
    if (!volume?.secret) continue;
    const secret = await kubectlJson<{ data?: Record<string, string> }>(cp, [
      '-n',
      namespace,
      'get',
      'secret',
      volume.secret.secretName,
    ]);
    const folder = path.join(dir, 'mounts', mount.name);
    mkdirSync(folder, { recursive: true });
    for (const [key, value] of Object.entries(secret.data ?? {})) {
      writeFileSync(path.join(folder, key), Buffer.from(value, 'base64'), { mode: 0o600 });
    }
    mounts.set(mount.mountPath, folder);
  }
  return mounts;
}

function rewriteMountPaths(args: string[], mounts: Map<string, string>): string[] {
  return args.map((arg) => {
    for (const [mountPath, folder] of mounts)
      if (arg.includes(mountPath)) return arg.replace(mountPath, folder);
    return arg;
  });
}

/** Complete lines in the CRI log format a kubelet writes (`<time> <stream> F <line>`), which KWOK reads back. */
function criLogLines(lines: string[]): string {
  const time = new Date().toISOString();
  return lines.map((line) => `${time} stderr F ${line}\n`).join('');
}

export interface StandInOptions {
  /** The pod to stand in for; default: the Deployment's first pod. */
  podName?: string;
  /** Arguments added after the container's own, e.g. `--host=<pod IP>` for one replica of several. */
  extraArgs?: string[];
}

/** Starts the Deployment's first container locally, as one of its pods. */
export async function runDeploymentLocally(
  cp: ControlPlane,
  namespace: string,
  name: string,
  /** Where the container's log goes too (KWOK serves `kubectl logs` from it: controlplane/kwok.ts). */
  logFile?: string,
  options: StandInOptions = {},
): Promise<StandIn> {
  const deployment = await kubectlJson<Deployment>(cp, ['-n', namespace, 'get', 'deployment', name]);
  const container = deployment.spec.template.spec.containers[0]!;
  const selector = Object.entries(deployment.spec.selector.matchLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const podName =
    options.podName ??
    (await kubectlText(cp, [
      '-n',
      namespace,
      'get',
      'pods',
      '-l',
      selector,
      '-o',
      'jsonpath={.items[0].metadata.name}',
    ]));
  if (!podName) throw new Error(`deployment ${namespace}/${name} has no pod to stand in for`);
  const dir = mkdtempSync(path.join(tmpdir(), `stand-in-${name}-`));
  const kubeconfig = await serviceAccountKubeconfig(
    cp,
    namespace,
    deployment.spec.template.spec.serviceAccountName ?? 'default',
    dir,
  );
  const mounts = await materializeSecretMounts(cp, namespace, deployment, container, dir);
  const args = [
    ...rewriteMountPaths(container.args ?? [], mounts),
    `--kubeconfig=${kubeconfig}`,
    ...(options.extraArgs ?? []),
  ];
  const env = resolveEnv(container.env ?? [], { namespace, name: podName });
  const child: ChildProcess = spawn(
    path.join(repoRoot, 'node_modules/.bin/node'),
    [path.join(repoRoot, 'cli/main.ts'), ...args],
    {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let output = '';
  let partialLine = '';
  if (logFile) mkdirSync(path.dirname(logFile), { recursive: true });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (logFile) {
      const lines = (partialLine + chunk.toString()).split('\n');
      partialLine = lines.pop()!;
      appendFileSync(logFile, criLogLines(lines));
    }
    if (output.length > 4_000_000) output = output.slice(-2_000_000); // a long run must not grow without bound
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid!,
    podName,
    exited,
    output: () => output,
    exitCode: () => child.exitCode ?? child.signalCode,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Routes the pod network (KWOK's pod CIDR) to this host, as a CNI would make pod IPs reachable from the
 * control plane: every pod IP is then a local address, and a process listening on all interfaces answers
 * for any pod. Needs root (CAP_NET_ADMIN); returns the undo, or the reason it cannot.
 */
export async function routePodNetworkHere(
  cidr: string,
): Promise<{ undo(): Promise<void> } | { problem: string }> {
  const shown = await runToCompletion('ip', ['route', 'show', 'table', 'local', cidr]).catch((e: Error) => ({
    code: -1,
    stdout: '',
    stderr: e.message,
  }));
  if (shown.code !== 0) return { problem: `ip route: ${shown.stderr.trim()}` };
  if (shown.stdout.trim()) return { undo: async () => {} }; // already routed (by someone else): leave it
  const added = await runToCompletion('ip', ['route', 'add', 'local', cidr, 'dev', 'lo', 'table', 'local']);
  if (added.code !== 0) return { problem: `ip route add local ${cidr}: ${added.stderr.trim()}` };
  return {
    async undo() {
      await runToCompletion('ip', ['route', 'del', 'local', cidr, 'dev', 'lo', 'table', 'local']);
    },
  };
}
