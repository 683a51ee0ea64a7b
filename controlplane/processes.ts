// Starting and stopping the control plane's processes. Each runs in its own process group, with its
// output in <stateDir>/logs/<name>.log, and its pid appended to <stateDir>/pids so that `dev down`
// (or the watchdog) can end it even when the process that started it is gone.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface StartedProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (or signal) once the process ends. */
  exited: Promise<string>;
}

export interface SpawnSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function pidsFile(stateDir: string): string {
  return path.join(stateDir, 'pids');
}

export function spawnLogged(stateDir: string, spec: SpawnSpec): StartedProcess {
  const logDir = path.join(stateDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${spec.name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(spec.command, spec.args, {
    detached: true, // own process group: a Ctrl-C in the terminal reaches us, and we stop it in order
    stdio: ['ignore', fd, fd],
    env: spec.env ?? process.env,
    cwd: spec.cwd ?? stateDir,
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
  appendFileSync(pidsFile(stateDir), `${child.pid} ${spec.name}\n`);
  const exited = new Promise<string>((resolve) => {
    child.on('exit', (code, signal) => resolve(signal ?? `exit code ${code}`));
    child.on('error', (err) => resolve(`spawn error: ${err.message}`));
  });
  child.unref();
  return { name: spec.name, pid: child.pid, logFile, exited };
}

export function readPids(stateDir: string): { pid: number; name: string }[] {
  const file = pidsFile(stateDir);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim().split(' '))
    .filter(([pid]) => pid && /^\d+$/.test(pid))
    .map(([pid, name]) => ({ pid: Number(pid), name: name ?? '?' }));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// etcd and the API server drain their connections for several seconds after SIGTERM; a local
// cluster's data is thrown away anyway, so a short grace keeps `make run`'s Ctrl-C and test teardown quick.
const STOP_GRACE_MS = 2000;

/** SIGTERM each group, wait up to graceMs for all to end, then SIGKILL what is left. */
export async function stopGroups(pids: number[], graceMs = STOP_GRACE_MS): Promise<void> {
  for (const pid of pids) signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(isAlive)) await sleep(50);
  for (const pid of pids.filter(isAlive)) signalGroup(pid, 'SIGKILL');
  while (pids.some(isAlive)) await sleep(20);
}

export interface CompletedProcess {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end with `input` on stdin; resolves with its output and exit code, whatever the code. */
export function runToCompletion(command: string, args: string[], input = ''): Promise<CompletedProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    // A program that exits without reading its input (ip, helm) makes this write fail with EPIPE; that is
    // not an error of the run: its exit code and output tell how it went.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}
