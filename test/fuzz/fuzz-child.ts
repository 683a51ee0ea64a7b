// The parent side of a fuzzed child process: spawn it with this Node, learn its port (a JSON line on
// stdout, or a log line on stderr), keep the tail of its logs for failure messages, read its resident
// memory from /proc and, over IPC, its heap after a full GC (child-memory.ts), and see whether it is
// still alive. Stopping closes the IPC channel (the child exits on its own), then SIGTERM, then SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { imageEnv, imageNodeFlags } from '../../lib/dockerfile.ts';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { MemoryReport } from './child-memory.ts';

export interface FuzzChild {
  process: ChildProcess;
  port: number;
  /** The last lines the child wrote to stderr. */
  logTail(): string[];
  /** How many stderr lines looked like pino errors (level 50 and up). */
  errorLines(): number;
  alive(): boolean;
  /** Resident set size in bytes, from /proc/<pid>/status (Linux). */
  rssBytes(): number;
  /** User and system CPU time the child has used, from /proc/<pid>/stat: a figure the machine's load does not inflate. */
  cpuSeconds(): number;
  /** Memory after a full GC, when the child serves reports over IPC. */
  memoryAfterGc(): Promise<MemoryReport>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  args: string[];
  env?: Record<string, string>;
  /** Finds the bound port in a line of stdout or stderr; undefined while not seen. */
  portFrom: (line: string) => number | undefined;
  /** How long to wait for the port. */
  startTimeoutMs?: number;
  /** Whether the child serves memory reports over IPC and exits when it closes (child-memory.ts); else SIGTERM stops it. */
  ipc?: boolean;
}

const TAIL_LINES = 40;

export function spawnFuzzChild(options: SpawnOptions): Promise<FuzzChild> {
  const child = spawn(process.execPath, [...imageNodeFlags(), ...options.args], {
    // The image's environment and Node flags (its V8 memory settings): memory is judged as the pods use it.
    env: { ...process.env, ...imageEnv(), ...options.env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  let errors = 0;
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(
      () => fail(new Error('child did not announce its port in time')),
      options.startTimeoutMs ?? 30_000,
    );
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n${tail.join('\n')}`));
    };
    const onLine = (line: string): void => {
      tail.push(line.length > 500 ? `${line.slice(0, 500)}...` : line);
      if (tail.length > TAIL_LINES) tail.shift();
      if (/"level":(5|6)\d/.test(line)) errors += 1;
      const port = settled ? undefined : options.portFrom(line);
      if (port === undefined) return;
      settled = true;
      clearTimeout(timer);
      resolve(handle(child, port, tail, () => errors));
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code, signal) =>
      fail(new Error(`child exited early (code ${code}, signal ${signal})`)),
    );
    child.once('error', fail);
  });
}

function handle(child: ChildProcess, port: number, tail: string[], errorLines: () => number): FuzzChild {
  return {
    process: child,
    port,
    logTail: () => [...tail],
    errorLines,
    alive: () => child.exitCode === null && child.signalCode === null,
    rssBytes: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      if (!kib) throw new Error('no VmRSS in /proc status');
      return Number(kib) * 1024;
    },
    cpuSeconds: () => {
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
    },
    memoryAfterGc: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no memory report')), 10_000);
        child.once('message', (message: MemoryReport) => {
          clearTimeout(timer);
          resolve(message);
        });
        child.send({ type: 'memory' });
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child.connected) child.disconnect();
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export const MIB = 1024 * 1024;
export const mib = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MiB`;

/** FUZZ_SEED, or the default: printed by the tests so any failure can be replayed. */
export function fuzzSeed(defaultSeed: number): number {
  const seed = process.env.FUZZ_SEED;
  return seed === undefined ? defaultSeed : Number(seed);
}

/** FUZZ_RUNS, or the default. */
export function fuzzRuns(defaultRuns: number): number {
  const runs = process.env.FUZZ_RUNS;
  return runs === undefined ? defaultRuns : Number(runs);
}
