// A tenant's MCP client on the real node: a pod in the operator image (which carries the MCP SDK and
// Node) that presents its projected ServiceAccount token, when it has one, to an MCPServer's status.url.
// It first sends a bare initialize to see the proxy's status and WWW-Authenticate, then, if admitted,
// lists tools, calls echo and calls get-sum with the SDK client, and prints one RESULT line.
import { IMAGES } from '../../realnode/node-images.ts';
import { eventually, kubectl } from './harness.ts';

export interface TenantResult {
  /** The bare initialize's HTTP status, or ERROR <code> when it could not connect. */
  status: number | string;
  wwwAuthenticate: string | null;
  tools?: string[];
  echo?: string;
  /** ALLOWED, TOOL_ERROR ... or DENIED <code> <message>. */
  sum?: string;
}

const TOKEN_DIR = '/var/run/secrets/mcp';

const SCRIPT = `
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
const url = new URL(process.env.MCP_URL);
const headers = {};
if (process.env.TOKEN_FILE) headers.authorization = 'Bearer ' + readFileSync(process.env.TOKEN_FILE, 'utf8').trim();
const out = {};
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'probe', version: '1' } } };
try {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(initialize), signal: AbortSignal.timeout(15000),
    headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' } });
  out.status = res.status;
  out.wwwAuthenticate = res.headers.get('www-authenticate');
} catch (e) {
  out.status = 'ERROR ' + (e.cause?.code ?? e.name);
  out.wwwAuthenticate = null;
}
if (out.status === 200) {
  const client = new Client({ name: 'tenant', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  out.tools = (await client.listTools()).tools.map((t) => t.name);
  out.echo = (await client.callTool({ name: 'echo', arguments: { message: 'tenant says hi' } })).content?.[0]?.text;
  try {
    const r = await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } });
    out.sum = r.isError ? 'TOOL_ERROR ' + JSON.stringify(r.content) : 'ALLOWED';
  } catch (e) {
    out.sum = 'DENIED ' + e.code + ' ' + e.message;
  }
  await client.close();
}
console.log('RESULT ' + JSON.stringify(out));
`;

function clientPod(namespace: string, name: string, url: string, audience?: string): string {
  const tokenVolume = audience
    ? {
        volumes: [
          {
            name: 'mcp-token',
            projected: {
              sources: [{ serviceAccountToken: { audience, expirationSeconds: 3600, path: 'token' } }],
            },
          },
        ],
      }
    : {};
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      ...tokenVolume,
      containers: [
        {
          name: 'client',
          image: IMAGES.operator,
          command: ['/nodejs/bin/node', '--input-type=module', '-e', SCRIPT],
          workingDir: '/app',
          env: [
            { name: 'MCP_URL', value: url },
            ...(audience ? [{ name: 'TOKEN_FILE', value: `${TOKEN_DIR}/token` }] : []),
          ],
          volumeMounts: audience ? [{ name: 'mcp-token', mountPath: TOKEN_DIR, readOnly: true }] : [],
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            runAsNonRoot: true,
            seccompProfile: { type: 'RuntimeDefault' },
          },
        },
      ],
    },
  });
}

/** Runs one client pod to completion and returns what it printed; the pod is deleted afterwards. */
export async function runTenantClient(
  namespace: string,
  name: string,
  url: string,
  audience?: string,
): Promise<TenantResult> {
  await kubectl(['apply', '-f', '-'], clientPod(namespace, name, url, audience));
  try {
    const phase = await eventually(
      `client pod ${namespace}/${name} to finish`,
      async () => {
        const p = (
          await kubectl(['-n', namespace, 'get', 'pod', name, '-o', 'jsonpath={.status.phase}'])
        ).trim();
        return p === 'Succeeded' || p === 'Failed' ? p : undefined;
      },
      120_000,
    );
    const logs = await kubectl(['-n', namespace, 'logs', name]);
    const line = logs.split('\n').find((l) => l.startsWith('RESULT '));
    if (phase !== 'Succeeded' || !line) throw new Error(`client pod ${name} ${phase}: ${logs}`);
    return JSON.parse(line.slice('RESULT '.length)) as TenantResult;
  } finally {
    await kubectl(['-n', namespace, 'delete', 'pod', name, '--grace-period=0', '--wait=false']);
  }
}
