// A real redis-server (Debian's, linked into the cache by `controlplane/build-binaries.sh redis`) on a
// loopback port, for the tests and benchmarks of the proxy's shared state: no persistence, its own
// folder, stopped by stop(). restart() kills it and starts a new one on the same port, which is how a
// Redis pod restart looks to a client (everything it held is gone).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cacheDir, parseEnvFile, repoRoot } from '../../controlplane/versions.ts';
import { readFileSync } from 'node:fs';

export interface RunningRedis {
  /** redis://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT, as spec.sessionStorage.address names it. */
  address: string;
  port: number;
  /** Kills the server (SIGKILL: no goodbye to clients) and starts a new, empty one on the same port. */
  restart(): Promise<void>;
  /** Kills the server; resolves once it is gone. */
  kill(): Promise<void>;
  /** Starts it again after kill(). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The redis-server the build put in the cache; throws with the command that makes it. */
export function redisServerPath(): string {
  const env = parseEnvFile(readFileSync(path.join(repoRoot, 'controlplane', 'versions.env'), 'utf8'));
  const file = path.join(cacheDir(), 'bin', `redis-${env.REDIS_DEBIAN_VERSION}`, 'redis-server');
  if (!existsSync(file)) throw new Error(`${file} is missing: run bash controlplane/build-binaries.sh redis`);
  return file;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once the port answers PING with PONG. */
async function untilPong(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const pong = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
      });
      socket.once('error', () => resolve(false));
    });
    if (pong) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server on port ${port} did not answer PING`);
}

export async function startRedis(options: { password?: string } = {}): Promise<RunningRedis> {
  const binary = redisServerPath();
  const dir = await mkdtemp(path.join(tmpdir(), 'mcp-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    if (options.password) args.push('--requirepass', options.password);
    const started = spawn(binary, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child = started;
    await untilPong(port, started);
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const gone = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await gone;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    address: `127.0.0.1:${port}`,
    port,
    kill,
    start,
    restart: async () => {
      await kill();
      await start();
    },
    stop: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
