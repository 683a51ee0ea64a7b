// The proxy with spec.sessionStorage in the bench: server-everything over streamable HTTP, and proxies
// started from run-config files (as in a pod) in front of it, with or without Redis; bench/proxy-redis.ts
// compares them in the same run.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunConfigFile, RunConfigSessionStorage } from '../../proxy/config.ts';
import {
  CLI,
  EVERYTHING,
  IMAGE_FLAGS,
  LOOPBACK,
  freePort,
  httpPath,
  startGroup,
  untilAnswering,
  type BenchPath,
} from './mcp-paths.ts';

export interface HttpServer {
  url: string;
  stop(): void;
}

export async function everythingHttp(): Promise<HttpServer> {
  const port = await freePort();
  const child = startGroup([LOOPBACK, EVERYTHING, 'streamableHttp'], { PORT: `${port}` });
  const url = `http://127.0.0.1:${port}/mcp`;
  await untilAnswering(url, (s) => s !== 0);
  return { url, stop: () => process.kill(-child.pid!, 'SIGTERM') };
}

/** Our proxy from a run-config file in dir, in front of serverUrl, sharing sessions in Redis when storage is given. */
export async function oursHttpFromConfig(
  name: string,
  dir: string,
  serverUrl: string,
  storage?: RunConfigSessionStorage,
): Promise<BenchPath> {
  const port = await freePort();
  const file: RunConfigFile = {
    version: 1,
    server: { name: 'bench', namespace: 'bench' },
    transport: 'streamable-http',
    proxyPort: port,
    host: '127.0.0.1',
    target: { kind: 'http', url: serverUrl },
    ...(storage ? { sessionStorage: storage } : {}),
  };
  const config = path.join(dir, `runconfig-${port}.json`);
  writeFileSync(config, JSON.stringify(file));
  const proxy = startGroup([...IMAGE_FLAGS, CLI, 'proxy', '--config', config]);
  await untilAnswering(`http://127.0.0.1:${port}/health`, (s) => s === 200);
  return httpPath(name, [proxy], new URL(`http://127.0.0.1:${port}/mcp`));
}
