// Runs a build command (npm, tsc, ctr) to its end with its output kept for the error, logging a line when
// it starts, every 15 seconds while it runs, and when it ends: a cold `npm ci` takes a minute or more.
import { spawn } from 'node:child_process';
import type { Logger } from '../../lib/log.ts';

export const HEARTBEAT_MS = 15_000;

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  log: Logger;
  /** What the step does, for the log lines. */
  step: string;
}

/** The last lines of a command's output: enough to see why it failed. */
export function tail(output: string, lines = 40): string {
  return output.trimEnd().split('\n').slice(-lines).join('\n');
}

export function runStep(command: string, args: string[], opts: RunOptions): Promise<string> {
  const started = Date.now();
  opts.log.info({ step: opts.step }, 'Step started');
  const heartbeat = setInterval(
    () => opts.log.info({ step: opts.step, elapsedMs: Date.now() - started }, 'Step still running'),
    HEARTBEAT_MS,
  );
  return new Promise<string>((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Date.now() - started;
      if (code === 0) {
        opts.log.info({ step: opts.step, ms }, 'Step done');
        resolve(output);
      } else reject(new Error(`${opts.step}: ${command} ${args.join(' ')} exited ${code}:\n${tail(output)}`));
    });
  }).finally(() => clearInterval(heartbeat));
}
