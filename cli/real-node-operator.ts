// The operator in the cluster, for `make run` and the node suite: `helm install` of the chart in this
// working tree with the operator image assembled offline (realnode/images), so the operator runs in a
// pod on the real node, the API server calls its webhooks through their Service, and its proxies run
// from the same image; then the sample MCPServer (its image replaced by the local server-everything
// image) and one tools/call through its proxy Service via `kubectl port-forward`.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { parseAllDocuments } from 'yaml';
import type { ControlPlane } from '../controlplane/cluster.ts';
import { runToCompletion } from '../controlplane/processes.ts';
import { repoRoot } from '../controlplane/versions.ts';
import { freePort } from '../controlplane/wait.ts';
import type { Logger } from '../lib/log.ts';
import { IMAGES } from '../realnode/node-images.ts';

export const CHART = path.join(repoRoot, 'manifests/charts/mcp-operator');
export const RELEASE = 'mcp-operator';
export const OPERATOR_NS = 'mcp-operator-system';
const SAMPLE = path.join(repoRoot, 'manifests/samples/mcpserver-everything.yaml');
const BAD_SAMPLE = path.join(repoRoot, 'manifests/samples/mcpserver-bad.yaml');

async function must(cp: ControlPlane, args: string[], input?: string): Promise<string> {
  const r = await cp.kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** helm install of the chart with the local image; resolves once the webhook answers through its Service. */
export async function helmInstallOperator(
  cp: ControlPlane,
  log: Logger,
  extraSets: string[] = [],
): Promise<void> {
  const started = performance.now();
  const args = [
    `--kubeconfig=${cp.kubeconfig}`,
    'install',
    RELEASE,
    CHART,
    '--namespace',
    OPERATOR_NS,
    '--create-namespace',
    '--set',
    `operator.image=${IMAGES.operator}`,
    ...extraSets.flatMap((s) => ['--set', s]),
    '--wait',
    '--timeout=180s',
  ];
  const r = await runToCompletion(cp.binaries.helm, args);
  if (r.code !== 0) throw new Error(`helm install: ${r.stderr.trim()}`);
  // A bad manifest is denied with what only the webhook can know (a Secret that does not exist), in
  // the sample's namespace.
  await cp.kubectl(['create', 'namespace', 'demo']);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const dry = await cp.kubectl(['apply', '--dry-run=server', '-f', BAD_SAMPLE]);
    if (dry.code !== 0 && dry.stderr.includes('spec.secrets[0].name: Not found')) break;
    if (Date.now() > deadline)
      throw new Error(`the webhook does not answer through its Service: ${dry.stderr.trim()}`);
    await new Promise((res) => setTimeout(res, 500));
  }
  log.info(
    { ms: Math.round(performance.now() - started), image: IMAGES.operator },
    'Operator installed with helm',
  );
}

/** The sample manifest with the MCPServer's image replaced by the local server-everything image. */
export function localSample(): string {
  return parseAllDocuments(readFileSync(SAMPLE, 'utf8'))
    .map((doc) => {
      const o = doc.toJS() as { kind?: string; spec?: { image?: string } };
      if (o.kind === 'MCPServer' && o.spec) o.spec.image = IMAGES.everything;
      return JSON.stringify(o);
    })
    .join('\n---\n');
}

export interface RealNodeOperator {
  proxyUrl: string;
  echoReply: string;
  stop(): Promise<void>;
}

export async function startOperatorOnRealNode(cp: ControlPlane, log: Logger): Promise<RealNodeOperator> {
  await helmInstallOperator(cp, log);
  for (const doc of localSample().split('\n---\n')) await must(cp, ['apply', '-f', '-'], doc);
  await must(cp, [
    '-n',
    'demo',
    'wait',
    '--for=jsonpath={.status.phase}=Ready',
    'mcpserver/everything',
    '--timeout=120s',
  ]);
  const port = await freePort();
  const forward = spawn(
    cp.binaries.kubectl,
    [
      `--kubeconfig=${cp.kubeconfig}`,
      '-n',
      'demo',
      'port-forward',
      'service/mcp-everything-proxy',
      `${port}:8080`,
    ],
    { stdio: 'ignore' },
  );
  const proxyUrl = `http://127.0.0.1:${port}`;
  let echoReply: string;
  for (let attempt = 0; ; attempt++) {
    const client = new Client({ name: 'make-run', version: '1.0.0' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(`${proxyUrl}/mcp`)));
      const result = (await client.callTool({
        name: 'echo',
        arguments: { message: 'hello from make run' },
      })) as {
        content?: { text?: string }[];
      };
      echoReply = result.content?.[0]?.text ?? '';
      break;
    } catch (err) {
      if (attempt >= 40) throw err;
      await new Promise((res) => setTimeout(res, 250));
    } finally {
      await client.close().catch(() => {});
    }
  }
  log.info({ reply: echoReply }, 'Called the sample MCP server through its proxy, on the real node');
  return {
    proxyUrl,
    echoReply,
    stop() {
      forward.kill('SIGTERM');
      return Promise.resolve();
    },
  };
}
