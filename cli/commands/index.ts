// Every subcommand, in the order `mcp-operator help` lists them. Add one entry per new command.
// Each command's module is imported only when that command runs: the Kubernetes client, the webhook and
// the MCP SDK together take seconds to load, which `dev status` or `validate --offline` should not pay.
import type { Command } from '../command.ts';

function lazy(name: string, summary: string, load: () => Promise<Command>): Command {
  return { name, summary, run: async (args) => (await load()).run(args) };
}

export const commands: Command[] = [
  lazy(
    'run',
    'Run the operator: admission webhooks and the controller',
    async () => (await import('./run.ts')).runCommand,
  ),
  lazy(
    'dev',
    'Run a local Kubernetes control plane (up | down | status | kubeconfig)',
    async () => (await import('./dev.ts')).devCommand,
  ),
  lazy(
    'validate',
    'Run the admission defaults and rules on MCPServer manifests (for CI)',
    async () => (await import('./validate.ts')).validateCommand,
  ),
  lazy(
    'webhook',
    'Serve the MCPServer admission webhooks (validation and defaulting) alone',
    async () => (await import('./webhook.ts')).webhookCommand,
  ),
  lazy(
    'controller',
    'Run the MCPServer controller alone (reconcile MCPServers into their workloads)',
    async () => (await import('./controller.ts')).controllerCommand,
  ),
  lazy(
    'proxy',
    'Serve one MCP server over streamable HTTP (/mcp) and SSE (/sse), whatever its transport',
    async () => (await import('./proxy.ts')).proxyCommand,
  ),
];
