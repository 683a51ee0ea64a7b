// A real proxy (runProxy, as the CLI assembles it) with a `webhooks` section in front of the recording
// stdio MCP server of the authz tests, and the SDK client to talk to it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { silentLogger } from '../../../../../lib/log.ts';
import { runProxy, type StartedProxy } from '../../../../../proxy/proxy.ts';
import type {
  RunConfigWebhook,
  RunConfigWebhooks,
} from '../../../../../proxy/traffic-webhooks/run-config.ts';
import { recordingProxyConfig } from '../../authz/support/authorized-proxy.ts';
import { firstText } from '../../support/servers.ts';

export interface Hooked {
  proxy: StartedProxy;
  client: Client;
  close(): Promise<void>;
}

/** env: the proxy's environment (HMAC keys), as ProxyIO gives it; process.env when absent. */
export async function startHooked(
  webhooks: Partial<RunConfigWebhooks>,
  env?: NodeJS.ProcessEnv,
): Promise<Hooked> {
  const config = recordingProxyConfig({
    name: 'hooked',
    namespace: 'team-a',
    webhooks: { mutating: [], validating: [], ...webhooks },
  });
  const proxy = await runProxy(config, {
    log: silentLogger(),
    processMetrics: false,
    ...(env ? { env } : {}),
  });
  const client = new Client({ name: 'webhooks-test', version: '1' });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(`${proxy.url}/mcp`)));
  } catch (err) {
    await proxy.close();
    throw err;
  }
  return {
    proxy,
    client,
    close: async () => {
      await client.close().catch(() => undefined);
      await proxy.close();
    },
  };
}

/** A webhook entry with failurePolicy fail unless told otherwise. */
export const webhook = (
  name: string,
  url: string,
  extra: Partial<RunConfigWebhook> = {},
): RunConfigWebhook => ({
  name,
  url,
  failurePolicy: 'fail',
  ...extra,
});

/** Writes PEM text to a new temporary file and returns its path. */
export function pemFile(pem: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'webhook-ca-')), 'ca.crt');
  writeFileSync(file, pem);
  return file;
}

/** A refusal as the client got it: the HTTP status of a plain-JSON answer, and the JSON-RPC error. */
export interface Refused {
  status?: number;
  code: unknown;
  message: string;
}

/** echo's answer, or the refusal when the call is refused. */
export async function echo(client: Client, message: string): Promise<string | Refused> {
  try {
    return firstText(await client.callTool({ name: 'echo', arguments: { message } }));
  } catch (err) {
    return refusalOf(err);
  }
}

/**
 * The SDK throws a StreamableHTTPError (code: the HTTP status, the body in its message) for a non-2xx
 * answer, an McpError (code: the JSON-RPC code) for an error that came with 200 or on a stream.
 */
export function refusalOf(err: unknown): Refused {
  const e = err as { code?: unknown; message: string };
  const at = e.message.indexOf('{"jsonrpc"');
  if (at < 0) return { code: e.code, message: e.message };
  const body = JSON.parse(e.message.slice(at)) as { error: { code: number; message: string } };
  return { status: e.code as number, code: body.error.code, message: body.error.message };
}

/** What the recording server was asked for, by method and name. */
export async function seen(client: Client): Promise<string[]> {
  return JSON.parse(firstText(await client.callTool({ name: 'seen' }))) as string[];
}
