// Each server under test runs in its own child process, so its CPU time (utime + stime in
// /proc/<pid>/stat) and resident memory (VmRSS in /proc/<pid>/status) are its own and not the load
// generator's. Children get the TLS material through the environment and tell their port on stdout
// (bench/servers/child.ts); their stderr goes to a log file, shown when they fail to start.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

// The kernel's USER_HZ, the unit of utime and stime; 100 on every Linux architecture we run on.
const CLOCK_TICKS_PER_SECOND = 100;
const START_TIMEOUT_MS = 60_000;

export interface ServerProcess {
  pid: number;
  cpuSeconds(): number;
  rssBytes(): number;
  stop(): Promise<void>;
}

export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[14 - 3]) + Number(fields[15 - 3])) / CLOCK_TICKS_PER_SECOND;
}

export function rssBytesOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

export interface SpawnOptions {
  script: string;
  env: Record<string, string>;
  logFile: string;
  /** Where the child's stdout goes: read for its port, or dropped (a server that logs there). */
  stdout: 'port' | 'ignore';
  /** Node flags before the script. */
  nodeFlags?: string[];
}

export function spawnServer(options: SpawnOptions): { child: ChildProcess; process: ServerProcess } {
  const log = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), options.script], {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', options.stdout === 'port' ? 'pipe' : 'ignore', log],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${options.script}`);
  return {
    child,
    process: {
      pid,
      cpuSeconds: () => cpuSecondsOf(pid),
      rssBytes: () => rssBytesOf(pid),
      stop: () => stopChild(child),
    },
  };
}

/** The port the child announces, or an error naming its log when it exits or stays silent first. */
export function announcedPort(child: ChildProcess, logFile: string): Promise<number> {
  const stdout = child.stdout;
  if (!stdout) return Promise.reject(new Error('child stdout is not piped'));
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => reject(new Error(`${why}; see ${logFile}:\n${tail(logFile)}`));
    const timer = setTimeout(() => fail('server did not announce its port in time'), START_TIMEOUT_MS);
    child.once('exit', (code) => fail(`server exited with code ${code}`));
    createInterface({ input: stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
}

export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Closes stdin (the child's cue to exit), then SIGTERM, then SIGKILL, each after a grace period. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    const done = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
    if (done) return;
    child.kill(signal);
  }
  await exited;
}
