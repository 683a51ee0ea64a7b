// `mcp-operator webhook`: the admission webhooks alone, without the controller. Chooses where the
// serving certificate comes from, where referenced Secrets and the policy are read, then serves until
// SIGTERM or SIGINT. `mcp-operator run` does the same next to the controller.
import { parseArgs } from 'node:util';
import { DEFAULT_LIFETIMES } from '../../certs/authority.ts';
import { FileSource } from '../../certs/file-source.ts';
import { generateRsaKeyPem } from '../../certs/issuer.ts';
import { secretAuthorityStore, webhookCaBundlePublisher } from '../../certs/kubernetes-store.ts';
import { createLocalDevSource } from '../../certs/memory-source.ts';
import { SelfManagedSource } from '../../certs/self-managed-source.ts';
import type { CertificateSource } from '../../certs/source.ts';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { KubeClient } from '../../lib/kube/client.ts';
import { coreCalls, webhookConfigurationCalls } from '../../lib/kube/typed-calls.ts';
import { createLogger, type Logger } from '../../lib/log.ts';
import { startAdmissionLookup } from '../../webhook/admission-lookup.ts';
import { webhookConfigurationNames } from '../../webhook/configuration.ts';
import { serviceDnsNames } from '../../lib/service-names.ts';
import { createAdmissionHandlers } from '../../webhook/handlers.ts';
import { defaultPolicy, parsePolicy, type AdmissionPolicy } from '../../webhook/policy.ts';
import { PolicySource, configMapInformer } from '../../webhook/policy-source.ts';
import { createWebhookApp, startWebhookServer } from '../../webhook/server.ts';
import { createAdmissionMetrics } from '../../webhook/metrics.ts';
import { otlpPushFromEnv } from '../../lib/otlp-metrics.ts';
import type { Command } from '../command.ts';
import { untilSignal } from '../signals.ts';

const USAGE = `Usage: mcp-operator webhook [--port 9443] [--host ADDR] CERTIFICATES [--kubeconfig PATH] [--policy-configmap NS/NAME]

CERTIFICATES, one of:
  --cert-dir DIR                    tls.crt and tls.key from DIR (cert-manager), reloaded when they change
  --self-managed --namespace NS     our own CA in Secret <name>-webhook-tls in NS, rotated, caBundle kept current
      [--name NAME]                 prefix of the Secret, Service and webhook configurations (default mcp-operator)
  --local-ca-file FILE              a CA made at start for 127.0.0.1, written to FILE (local development)
`;

export interface WebhookOptions {
  port: number;
  host?: string;
  certDir?: string;
  selfManaged: boolean;
  namespace?: string;
  name: string;
  localCaFile?: string;
  kubeconfig?: string;
  policyConfigMap?: { namespace: string; name: string };
}

/** The options in args, or a message saying what is wrong with them. */
export function parseWebhookOptions(args: string[]): WebhookOptions | { problem: string } {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '9443' },
      host: { type: 'string' },
      'cert-dir': { type: 'string' },
      'self-managed': { type: 'boolean', default: false },
      namespace: { type: 'string' },
      name: { type: 'string', default: 'mcp-operator' },
      'local-ca-file': { type: 'string' },
      kubeconfig: { type: 'string' },
      'policy-configmap': { type: 'string' },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return { problem: `--port ${values.port} is not a port` };
  const modes = [
    values['cert-dir'] !== undefined,
    values['self-managed'],
    values['local-ca-file'] !== undefined,
  ];
  if (modes.filter(Boolean).length !== 1)
    return { problem: 'choose exactly one of --cert-dir, --self-managed, --local-ca-file' };
  if (values['self-managed'] && !values.namespace) return { problem: '--self-managed needs --namespace' };
  const policyRef = values['policy-configmap']?.split('/');
  if (policyRef && (policyRef.length !== 2 || !policyRef[0] || !policyRef[1])) {
    return { problem: '--policy-configmap must be NAMESPACE/NAME' };
  }
  return {
    port,
    host: values.host,
    certDir: values['cert-dir'],
    selfManaged: values['self-managed'],
    namespace: values.namespace,
    name: values.name,
    localCaFile: values['local-ca-file'],
    kubeconfig: values.kubeconfig,
    policyConfigMap: policyRef ? { namespace: policyRef[0]!, name: policyRef[1]! } : undefined,
  };
}

async function certificateSource(
  o: WebhookOptions,
  client: KubeClient,
  log: Logger,
): Promise<CertificateSource> {
  if (o.certDir) return new FileSource({ dir: o.certDir }, log);
  if (o.localCaFile) return createLocalDevSource({ caFile: o.localCaFile }, log);
  const namespace = o.namespace!;
  const store = secretAuthorityStore(coreCalls(client), namespace, `${o.name}-webhook-tls`);
  const publisher = webhookCaBundlePublisher(
    webhookConfigurationCalls(client),
    webhookConfigurationNames(o.name),
    log,
  );
  const config = {
    dnsNames: serviceDnsNames(`${o.name}-webhook`, namespace),
    ipAddresses: [],
    ...DEFAULT_LIFETIMES,
    generateKeyPem: generateRsaKeyPem,
  };
  return new SelfManagedSource({ store, publisher, config }, log);
}

export interface RunningAdmission {
  port: number;
  stop(): Promise<void>;
}

/** Starts the admission webhooks as the options say; `mcp-operator run` starts them the same way. */
export async function startAdmission(o: WebhookOptions, log: Logger): Promise<RunningAdmission> {
  // The API server through this repository's JSON client (lib/kube/), as the controller reaches it.
  const client = new KubeClient(await loadApiAccess(o.kubeconfig));
  const certs = await certificateSource(o, client, log);
  await certs.start();
  const policySource = o.policyConfigMap
    ? new PolicySource<AdmissionPolicy>({
        informer: configMapInformer(client, o.policyConfigMap.namespace, o.policyConfigMap.name, log),
        parse: parsePolicy,
        fallback: defaultPolicy(),
        log,
      })
    : undefined;
  // Not awaited: a missing ConfigMap RBAC rule should show as "not ready", not as a crash loop.
  policySource
    ?.start()
    .catch((err: unknown) => log.error({ err }, 'Failed to start the policy ConfigMap watch'));
  const reads = startAdmissionLookup(client, log);
  const handlers = createAdmissionHandlers({
    lookup: reads.lookup,
    policy: () => policySource?.current() ?? defaultPolicy(),
  });
  const readiness = () => [
    ...(policySource && !policySource.synced() ? ['admission policy'] : []),
    ...reads.readiness(),
  ];
  const metrics = createAdmissionMetrics();
  const app = createWebhookApp({ ...handlers, log, readiness, metrics });
  const server = await startWebhookServer(app, certs, { port: o.port, host: o.host, log });
  const otlp = otlpPushFromEnv(process.env, 'mcp-operator-webhook', () => metrics.registry.render(), log);
  return {
    port: server.port,
    async stop() {
      await otlp?.stop();
      await server.close();
      await Promise.all([certs.stop(), policySource?.stop(), reads.stop()]);
      client.close();
    },
  };
}

async function serveUntilSignal(o: WebhookOptions, log: Logger): Promise<number> {
  const admission = await startAdmission(o, log);
  const signal = await untilSignal();
  log.info({ signal }, 'Stopping webhook server');
  await admission.stop();
  return 0;
}

export const webhookCommand: Command = {
  name: 'webhook',
  summary: 'Serve the MCPServer admission webhooks (validation and defaulting) alone',
  async run(args) {
    let options: WebhookOptions | { problem: string };
    try {
      options = parseWebhookOptions(args);
    } catch (err) {
      options = { problem: (err as Error).message };
    }
    if ('problem' in options) {
      process.stderr.write(`mcp-operator webhook: ${options.problem}\n\n${USAGE}`);
      return 2;
    }
    return serveUntilSignal(options, createLogger('webhook'));
  },
};
