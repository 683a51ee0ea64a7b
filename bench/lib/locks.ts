// Machine-wide locks a bench holds for its whole run, with flock(1) on a descriptor this process keeps
// open: the lock lives as long as that open file, so it ends with the process whatever the way out.
//   /tmp/bench.lock     benches do not overlap (each measures a machine the others would load)
//   /tmp/realnode.lock  one real node per machine (its host paths and addresses are fixed)
// Always taken in that order, so two holders can never wait on each other. A lock this process already
// holds through a descriptor it inherited (`flock /tmp/realnode.lock node bench/node.ts`) is not taken
// again: a second open file would wait on the first forever.
import { spawn } from 'node:child_process';
import { openSync, readdirSync, readlinkSync } from 'node:fs';

export const BENCH_LOCK = '/tmp/bench.lock';
export const REALNODE_LOCK = '/tmp/realnode.lock';

function inherited(file: string): boolean {
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) return true;
    } catch {
      // a descriptor closed while listing
    }
  }
  return false;
}

function flockFd(fd: number, wait: boolean): Promise<boolean> {
  const child = spawn('flock', [...(wait ? [] : ['-n']), '3'], {
    stdio: ['ignore', 'ignore', 'inherit', fd],
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve(code === 0));
  });
}

/** Takes each lock in order, saying on stderr when one is busy and how long it waited. */
export async function holdLocks(files: string[], say: (line: string) => void): Promise<void> {
  for (const file of files) {
    if (inherited(file)) {
      say(`${file}: held by the command that started this one`);
      continue;
    }
    const fd = openSync(file, 'a'); // never closed: the lock is this open file's
    if (await flockFd(fd, false)) continue;
    say(`waiting for ${file} (someone else holds it)`);
    const started = performance.now();
    const ticker = setInterval(
      () => say(`still waiting for ${file}, ${((performance.now() - started) / 1000).toFixed(0)} s`),
      60_000,
    );
    try {
      if (!(await flockFd(fd, true))) throw new Error(`flock ${file} failed`);
    } finally {
      clearInterval(ticker);
    }
    say(`took ${file} after ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
}
