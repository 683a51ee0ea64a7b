// `mcp-operator proxy`: one MCP endpoint (/mcp, /sse) in front of an MCP server, whatever its transport.
// In a pod it reads the controller's run config (--config); locally, flags say everything, and a stdio
// server is the command after `--`. Serves until SIGTERM or SIGINT.
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { createLogger } from '../../lib/log.ts';
import {
  DEFAULT_LIMITS,
  allowedNames,
  checkRunConfigFile,
  configFromFile,
  isPort,
  type PodTarget,
  type ProxyConfig,
  type Transport,
} from '../../proxy/config.ts';
import { watchRunConfig } from '../../proxy/config-watch.ts';
import { runProxy } from '../../proxy/proxy.ts';
import type { Command } from '../command.ts';
import { untilSignal } from '../signals.ts';

const USAGE = `Usage:
  mcp-operator proxy --config FILE [--host ADDR] [--port N] [--kubeconfig PATH]
  mcp-operator proxy --transport stdio [--port N] [--host ADDR] -- COMMAND [ARGS...]
  mcp-operator proxy --transport sse|streamable-http --target-url URL [--port N] [--host ADDR]

  --allowed-host NAME     also accept this Host (repeatable); loopback names are always accepted
  --allowed-origin ORIGIN also accept this Origin (repeatable)
  Locally the proxy binds 127.0.0.1 unless --host says otherwise; from --config, 0.0.0.0.
`;

const OPTIONS = {
  config: { type: 'string' },
  transport: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'target-url': { type: 'string' },
  'allowed-host': { type: 'string', multiple: true },
  'allowed-origin': { type: 'string', multiple: true },
  kubeconfig: { type: 'string' },
} satisfies ParseArgsOptionsConfig;

interface Flags {
  transport?: string;
  'target-url'?: string;
}

/** The configuration args describe (reading --config through readText), or what is wrong with them. */
export async function proxyConfigFromArgs(
  args: string[],
  readText: (path: string) => Promise<string>,
): Promise<ProxyConfig | { problem: string }> {
  const dashes = args.indexOf('--');
  const command = dashes === -1 ? [] : args.slice(dashes + 1);
  const { values } = parseArgs({
    args: dashes === -1 ? args : args.slice(0, dashes),
    options: OPTIONS,
    strict: true,
  });
  const base = values.config ? await fromFile(values.config, readText) : fromFlags(values, command);
  if ('problem' in base) return base;
  const port = values.port === undefined ? base.port : Number(values.port);
  if (!isPort(port)) return { problem: `--port ${values.port} is not a port` };
  const hosts = [...base.allowed.hosts, ...(values['allowed-host'] ?? []).map((h) => h.toLowerCase())];
  const allowed = { hosts, origins: [...base.allowed.origins, ...(values['allowed-origin'] ?? [])] };
  return { ...base, port, host: values.host ?? base.host, allowed, kubeconfig: values.kubeconfig };
}

async function fromFile(
  path: string,
  readText: (path: string) => Promise<string>,
): Promise<ProxyConfig | { problem: string }> {
  let json: unknown;
  try {
    json = JSON.parse(await readText(path));
  } catch (err) {
    return { problem: `cannot read run config ${path}: ${(err as Error).message}` };
  }
  const file = checkRunConfigFile(json);
  return 'problem' in file ? { problem: `${path}: ${file.problem}` } : configFromFile(file);
}

function fromFlags(values: Flags, command: string[]): ProxyConfig | { problem: string } {
  const transport = values.transport as Transport | undefined;
  if (transport === 'stdio') {
    if (command.length === 0) return { problem: '--transport stdio needs the server command after --' };
    return local(transport, { kind: 'command', command });
  }
  if (transport === 'sse' || transport === 'streamable-http') {
    if (!values['target-url']) return { problem: `--transport ${transport} needs --target-url` };
    return local(transport, { kind: 'http', url: values['target-url'] });
  }
  return { problem: 'give --config FILE, or --transport stdio|sse|streamable-http' };
}

function local(transport: Transport, target: ProxyConfig['target']): ProxyConfig {
  return {
    name: 'local',
    transport,
    host: '127.0.0.1',
    port: 8080,
    target,
    allowed: allowedNames(undefined, undefined, [], []),
    limits: DEFAULT_LIMITS,
  };
}

export const proxyCommand: Command = {
  name: 'proxy',
  summary: 'Serve one MCP server over streamable HTTP (/mcp) and SSE (/sse), whatever its transport',
  async run(args) {
    let config: ProxyConfig | { problem: string };
    // The run config as read at start: the watcher applies later changes of its tools section.
    let started: { path: string; text: string } | undefined;
    try {
      config = await proxyConfigFromArgs(args, async (path) => {
        started = { path, text: await readFile(path, 'utf8') };
        return started.text;
      });
    } catch (err) {
      config = { problem: (err as Error).message };
    }
    if ('problem' in config) {
      process.stderr.write(`mcp-operator proxy: ${config.problem}\n\n${USAGE}`);
      return 2;
    }
    const log = createLogger('proxy');
    const { kubeconfig } = config;
    // client-node is loaded only for pod targets: it would triple the proxy's resident memory.
    const podIO =
      config.target.kind === 'attach' || config.target.kind === 'exec'
        ? await import('../../proxy/backends/pod-io.ts')
        : undefined;
    const attachStream = (target: PodTarget) => podIO!.kubernetesPodStream(target, { kubeconfig, log });
    const proxy = await runProxy(config, { log, attachStream });
    const file = started && checkRunConfigFile(JSON.parse(started.text));
    const watcher =
      file && !('problem' in file)
        ? watchRunConfig(started!.path, file, { log, apply: proxy.applyTools })
        : undefined;
    const signal = await untilSignal();
    log.info({ signal }, 'Stopping MCP proxy');
    watcher?.close();
    await proxy.close();
    return 0;
  },
};
