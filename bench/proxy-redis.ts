// Benchmark: the proxy with spec.sessionStorage (Redis) against the same proxy keeping sessions in
// memory, in the same run, both from run-config files in front of one server-everything over streamable
// HTTP: tools/call of echo in closed loops at 1 and 32 sessions, with the SDK client and a bare node:http
// client. The two paths take turns of 250 ms (ABBA, PROXY_REDIS_SLICES turns each), so whatever else the
// machine does falls on both alike; the ratio is of their summed calls. Then the memory that the replay
// store holds after the load: each proxy's resident memory, and Redis's used_memory and key count (a
// tools/call answer is a stream: its events are kept 100 per stream, a finished stream for a minute).
// Redis is Debian's redis-server from the cache (`bash controlplane/build-binaries.sh redis`).
// Run with `node_modules/.bin/node bench/proxy-redis.ts`.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startRedis } from '../test/support/redis.ts';
import { rssMiB, withPlainClient, type BenchPath, type BenchSession } from './lib/mcp-paths.ts';
import { everythingHttp, oursHttpFromConfig } from './lib/redis-path.ts';

const LEVELS = (process.env.PROXY_REDIS_SESSIONS ?? '1,32').split(',').map(Number);
const SLICES = Number(process.env.PROXY_REDIS_SLICES ?? 24);
const SLICE_MS = 250;

async function closedLoop(sessions: BenchSession[], ms: number): Promise<number> {
  const deadline = performance.now() + ms;
  let calls = 0;
  await Promise.all(
    sessions.map(async (session) => {
      for (let i = 0; performance.now() < deadline; i++, calls++) await session.echo(`m${i}`);
    }),
  );
  return calls;
}

async function turns(a: BenchPath, b: BenchPath, sessions: number): Promise<{ a: number; b: number }> {
  const connect = (p: BenchPath) => Promise.all(Array.from({ length: sessions }, () => p.connect()));
  const [sa, sb] = [await connect(a), await connect(b)];
  await closedLoop(sa, 500);
  await closedLoop(sb, 500);
  let [ca, cb] = [0, 0];
  for (let turn = 0; turn < SLICES; turn++) {
    if (turn % 2 === 1) cb += await closedLoop(sb, SLICE_MS);
    ca += await closedLoop(sa, SLICE_MS);
    if (turn % 2 === 0) cb += await closedLoop(sb, SLICE_MS);
  }
  await Promise.all([...sa, ...sb].map((s) => s.close()));
  const seconds = (SLICES * SLICE_MS) / 1000;
  return { a: ca / seconds, b: cb / seconds };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-redis-'));
  const redis = await startRedis();
  const server = await everythingHttp();
  const storage = { provider: 'redis' as const, address: redis.address, db: 0, keyPrefix: 'bench:' };
  const memory = await oursHttpFromConfig('ours (streamable-http, sessions in memory)', dir, server.url);
  const shared = await oursHttpFromConfig(
    'ours (streamable-http, sessions in Redis)',
    dir,
    server.url,
    storage,
  );
  const inspect = new Redis({ host: '127.0.0.1', port: redis.port });
  try {
    const before = { memory: rssMiB(memory.pid!), shared: rssMiB(shared.pid!) };
    console.log(
      `load average before: ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
    console.log(`${SLICES} alternating turns of ${SLICE_MS} ms per path and client, calls/s:`);
    for (const sessions of LEVELS) {
      for (const [label, a, b] of [
        ['SDK client', memory, shared],
        ['node:http client', withPlainClient(memory), withPlainClient(shared)],
      ] as const) {
        const figures = await turns(a, b, sessions);
        console.log(
          `  ${String(sessions).padStart(2)} sessions, ${label.padEnd(16)} in memory ${figures.a.toFixed(0).padStart(6)}` +
            `  Redis ${figures.b.toFixed(0).padStart(6)}  Redis/memory ${(figures.b / figures.a).toFixed(2)}x`,
        );
      }
    }
    const info = await inspect.info('memory');
    const used = Number(/used_memory:(\d+)/u.exec(info)?.[1] ?? 0) / 1024 / 1024;
    console.log('after the load (every tools/call answer is a stored stream):');
    console.log(
      `  proxy RSS in memory ${before.memory.toFixed(1)} -> ${rssMiB(memory.pid!).toFixed(1)} MiB (at most 2,000 streams kept);` +
        ` with Redis ${before.shared.toFixed(1)} -> ${rssMiB(shared.pid!).toFixed(1)} MiB`,
    );
    console.log(
      `  Redis: ${await inspect.dbsize()} keys, used_memory ${used.toFixed(1)} MiB (finished streams expire after 60 s)`,
    );
    console.log(
      `load average after: ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    inspect.disconnect();
    await Promise.all([memory.stop(), shared.stop()]);
    server.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
