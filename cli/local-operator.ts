// The operator on a local control plane, for `make run`: the CRD installed, the webhooks served from this
// process on loopback and registered with the production configurations rewritten to a loopback URL
// and a local CA (as controller-runtime's envtest does), the controller running, and a sample MCPServer.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { ControlPlane } from '../controlplane/cluster.ts';
import { repoRoot } from '../controlplane/versions.ts';
import type { Logger } from '../lib/log.ts';
import {
  desiredMutatingWebhookConfiguration,
  desiredValidatingWebhookConfiguration,
} from '../webhook/configuration.ts';
import { defaultControllerConfig } from '../controller/config.ts';
import { startController } from './commands/controller.ts';
import { startAdmission } from './commands/webhook.ts';
import { startDemoProxy } from './local-demo-proxy.ts';

export const SAMPLE = path.join(repoRoot, 'manifests/samples/mcpserver-everything.yaml');
export const BAD_SAMPLE = path.join(repoRoot, 'manifests/samples/mcpserver-bad.yaml');
const CRD = path.join(repoRoot, 'manifests/crd/toolhive.stacklok.dev_mcpservers.yaml');

async function kubectlOrThrow(cp: ControlPlane, args: string[], input?: string): Promise<string> {
  const r = await cp.kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

async function registerWebhooks(cp: ControlPlane, port: number, caPem: string): Promise<void> {
  const options = {
    name: 'mcp-operator',
    operatorNamespace: 'mcp-operator-system',
    target: { kind: 'url' as const, port },
    caBundlePem: caPem,
  };
  const objects = [
    desiredValidatingWebhookConfiguration(options),
    desiredMutatingWebhookConfiguration(options),
  ];
  await kubectlOrThrow(
    cp,
    ['apply', '--server-side', '--force-conflicts', '-f', '-'],
    objects.map((o) => stringify(o)).join('---\n'),
  );
}

/** Polls the sample's phase until Ready, logging each change; resolves with the last status seen. */
async function waitForSampleReady(cp: ControlPlane, log: Logger, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const r = await cp.kubectl([
      '-n',
      'demo',
      'get',
      'mcpserver',
      'everything',
      '-o',
      'jsonpath={.status.phase} {.status.url}',
    ]);
    const status = r.stdout.trim();
    if (status !== last) log.info({ status: status || '(none yet)' }, 'Sample MCPServer status');
    last = status;
    if (status.startsWith('Ready')) return status;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `the sample MCPServer did not become Ready within ${timeoutMs} ms (last status: "${last}")`,
  );
}

export interface LocalOperator {
  /** The sample's proxy, run here in front of a real MCP server (cli/local-demo-proxy.ts). */
  proxyUrl: string;
  /** What the sample's echo tool answered through the proxy. */
  echoReply: string;
  stop(): Promise<void>;
}

export async function startLocalOperator(cp: ControlPlane, log: Logger): Promise<LocalOperator> {
  await kubectlOrThrow(cp, ['apply', '--server-side', '-f', CRD]);
  await kubectlOrThrow(cp, [
    'wait',
    '--for=condition=Established',
    'crd/mcpservers.toolhive.stacklok.dev',
    '--timeout=30s',
  ]);
  const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'mcp-operator-')), 'webhook-ca.crt');
  const admission = await startAdmission(
    {
      port: 0,
      host: '127.0.0.1',
      selfManaged: false,
      name: 'mcp-operator',
      localCaFile: caFile,
      kubeconfig: cp.kubeconfig,
    },
    log.child({ job: 'webhook' }),
  );
  await registerWebhooks(cp, admission.port, readFileSync(caFile, 'utf8'));
  log.info({ port: admission.port }, 'Registered the admission webhooks');
  const controller = await startController(
    {
      kubeconfig: cp.kubeconfig,
      proxyImage: defaultControllerConfig().proxyImage,
      clusterDomain: 'cluster.local',
      leaderElect: false,
      leaderElectNamespace: 'default',
      metricsPort: 0,
      workers: 2,
    },
    log.child({ job: 'controller' }),
  );
  // The API server learns of new webhook configurations asynchronously; retry the first apply briefly.
  for (let attempt = 0; ; attempt++) {
    const r = await cp.kubectl(['apply', '-f', SAMPLE]);
    if (r.code === 0) break;
    if (attempt >= 20) throw new Error(`could not apply the sample: ${r.stderr.trim()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await waitForSampleReady(cp, log);
  const proxy = await startDemoProxy(cp, log.child({ job: 'proxy' }), {
    namespace: 'demo',
    name: 'everything',
  });
  const echoReply = await proxy.echo('hello from make run');
  log.info({ proxy: proxy.url, reply: echoReply }, 'Called the sample MCP server through its proxy');
  return {
    proxyUrl: proxy.url,
    echoReply,
    async stop() {
      await proxy.stop();
      await controller.stop();
      await admission.stop();
    },
  };
}
