// The proxy with tool control and telemetry in the bench (bench/proxy-features.ts): our proxy from a
// run-config file with extra sections, and sessions that call a tool by the name clients see (`say` is
// server-everything's echo renamed), with the SDK client or a bare node:http client, as mcp-paths.ts's
// sessions do for echo.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { imageEnv } from '../../lib/dockerfile.ts';
import type { RunConfigFile } from '../../proxy/config.ts';
import {
  CLI,
  IMAGE_FLAGS,
  freePort,
  httpPath,
  plainHttpSession,
  startGroup,
  untilAnswering,
  type BenchPath,
  type BenchSession,
} from './mcp-paths.ts';
import { parseProcStatCpuSeconds } from './soak-memory.ts';

/** Our proxy (cli: from source, or compiled) from a run-config file in dir, in front of serverUrl, with the extra sections given. */
export async function oursWith(
  name: string,
  dir: string,
  serverUrl: string,
  extra: Pick<RunConfigFile, 'tools' | 'telemetry'> = {},
  { nodeFlags = [], cli = CLI }: { nodeFlags?: string[]; cli?: string } = {},
): Promise<BenchPath> {
  const port = await freePort();
  const file: RunConfigFile = {
    version: 1,
    server: { name: 'bench', namespace: 'bench' },
    transport: 'streamable-http',
    proxyPort: port,
    host: '127.0.0.1',
    target: { kind: 'http', url: serverUrl },
    ...extra,
  };
  const config = path.join(dir, `runconfig-${port}.json`);
  writeFileSync(config, JSON.stringify(file));
  // The image's environment too (MALLOC_ARENA_MAX): an http target has no child that it would reach.
  const env = { MALLOC_ARENA_MAX: imageEnv().MALLOC_ARENA_MAX ?? '' };
  const proxy = startGroup([...IMAGE_FLAGS, ...nodeFlags, cli, 'proxy', '--config', config], env);
  await untilAnswering(`http://127.0.0.1:${port}/health`, (s) => s === 200);
  return httpPath(name, [proxy], new URL(`http://127.0.0.1:${port}/mcp`));
}

/** A path whose sessions call `tool` (echo, or its new name) with the SDK client or the bare node:http client. */
export function calling(p: BenchPath, tool: string, plain: boolean): BenchPath {
  const connect = () => (plain ? plainHttpSession(p.url!, {}, tool) : sdkSession(p.url!, tool));
  return { ...p, name: `${p.name}${plain ? ', node:http' : ''}`, connect };
}

export async function sdkSession(url: URL, tool: string): Promise<BenchSession & { client: Client }> {
  const client = new Client({ name: 'bench', version: '1' });
  const transport = new StreamableHTTPClientTransport(url);
  await client.connect(transport);
  return {
    client,
    async echo(message) {
      const result = await client.callTool({ name: tool, arguments: { message } });
      if (!JSON.stringify(result.content).includes(message)) throw new Error(`${tool} did not echo`);
    },
    close: async () => {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    },
  };
}

/** User + system seconds of one process (0 once it is gone). */
export function cpuSeconds(pid: number): number {
  try {
    return parseProcStatCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return 0;
  }
}

/** The pid of this process's child whose command line contains `part`, if any. */
export function childWith(part: string): number | undefined {
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (ppid === process.pid && cmdline.includes(part)) return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}
