// Process-group bookkeeping with real processes (sleep), no cluster: what `dev down` and the
// watchdog rely on to leave no stray processes behind.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import {
  isAlive,
  readPids,
  runToCompletion,
  spawnLogged,
  stopGroups,
} from '../../../controlplane/processes.ts';
import { repoRoot } from '../../../controlplane/versions.ts';

async function until(pred: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return pred();
}

describe('control plane processes', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'mcp-proc-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records each started process and stops its whole group, children included', async () => {
    // bash forks a grandchild sleep: stopping only the direct child would leave it running
    const p = spawnLogged(dir, {
      name: 'shell',
      command: 'bash',
      args: ['-c', 'sleep 60 & echo started; wait'],
    });
    expect(readPids(dir)).to.deep.equal([{ pid: p.pid, name: 'shell' }]);
    expect(await until(() => isAlive(p.pid), 2000)).to.equal(true);
    await stopGroups([p.pid]);
    expect(isAlive(p.pid)).to.equal(false);
    expect(await p.exited).to.equal('SIGTERM');
  });

  it('falls back to SIGKILL for a group that ignores SIGTERM', async () => {
    const p = spawnLogged(dir, {
      name: 'stubborn',
      command: 'bash',
      args: ['-c', "trap '' TERM; sleep 60 & wait"],
    });
    await until(() => isAlive(p.pid), 2000);
    await stopGroups([p.pid], 300);
    expect(isAlive(p.pid)).to.equal(false);
  });

  it('has the watchdog end the processes and the state folder once the owner dies', async () => {
    const owner = spawn('sleep', ['60'], { stdio: 'ignore' });
    const target = spawnLogged(dir, { name: 'target', command: 'sleep', args: ['60'] });
    const watchdog = spawn(
      'bash',
      [path.join(repoRoot, 'controlplane', 'watchdog.sh'), String(owner.pid), dir],
      {
        stdio: 'ignore',
      },
    );
    const watchdogExited = new Promise((r) => watchdog.once('exit', r));
    await new Promise((r) => setTimeout(r, 300));
    expect(isAlive(target.pid), 'target still alive while the owner lives').to.equal(true);
    owner.kill('SIGKILL');
    expect(await until(() => !isAlive(target.pid), 5000), 'target ended').to.equal(true);
    expect(await until(() => !existsSync(dir), 5000), 'state folder removed').to.equal(true);
    await watchdogExited;
  });

  it('runs a command to its end with its input, and reports output and a failing exit code', async () => {
    const r = await runToCompletion('bash', ['-c', 'cat; echo oops >&2; exit 3'], 'hello');
    expect(r).to.deep.equal({ code: 3, stdout: 'hello', stderr: 'oops\n' });
  });
});
