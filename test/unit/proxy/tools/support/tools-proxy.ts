// A real proxy (proxy/proxy.ts runProxy) in front of the paged-tools stdio server, with a `tools`
// section and optionally Cedar authorization, and helpers that read every page of tools/list and
// record log lines. For test/unit/proxy/tools/.
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { pino } from 'pino';
import { silentLogger, type Logger } from '../../../../../lib/log.ts';
import {
  DEFAULT_LIMITS,
  allowedNames,
  type ProxyConfig,
  type RunConfigFile,
  type RunConfigTools,
} from '../../../../../proxy/config.ts';
import { runProxy, type StartedProxy } from '../../../../../proxy/proxy.ts';

export const PAGED_TOOLS_SERVER = fileURLToPath(new URL('./paged-tools-server.ts', import.meta.url));

/** The run-config file a controller would write for the paged-tools server, with `tools`. */
export function pagedToolsFile(tools?: RunConfigTools, extra: Partial<RunConfigFile> = {}): RunConfigFile {
  return {
    version: 1,
    server: { name: 'paged', namespace: 'tools-test' },
    transport: 'stdio',
    proxyPort: 0,
    host: '127.0.0.1',
    target: { kind: 'command', command: [process.execPath, PAGED_TOOLS_SERVER] },
    limits: { pingIntervalMs: 500 },
    ...(tools ? { tools } : {}),
    ...extra,
  };
}

export function startToolsProxy(
  tools: RunConfigTools | undefined,
  extra: Partial<ProxyConfig> = {},
  log: Logger = silentLogger(),
): Promise<StartedProxy> {
  const config: ProxyConfig = {
    name: 'paged',
    namespace: 'tools-test',
    transport: 'stdio',
    host: '127.0.0.1',
    port: 0,
    target: { kind: 'command', command: [process.execPath, PAGED_TOOLS_SERVER] },
    allowed: allowedNames(undefined, undefined, [], []),
    limits: { ...DEFAULT_LIMITS, pingIntervalMs: 500 },
    ...(tools ? { tools } : {}),
    ...extra,
  };
  return runProxy(config, { log, processMetrics: false });
}

/** Every page of tools/list, and how many pages there were. */
export async function allTools(client: Client): Promise<{ tools: Tool[]; pages: number }> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor });
    tools.push(...page.tools);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== undefined);
  return { tools, pages };
}

export const namesOf = (tools: Tool[]): string[] => tools.map((t) => t.name);

/** A logger that keeps each line, parsed, for tests that look at what was logged. */
export function recordingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n'))
        if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines };
}
