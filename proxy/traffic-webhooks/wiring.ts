// The proxy's backend with the MCPWebhookConfig's webhooks around it when the run config has a
// `webhooks` section, else the backend itself. Called once by proxy.ts. The proxy does not start when
// the section cannot be applied as written (a bad URL, timeout or policy; an HMAC variable that is
// unset or empty; an unreadable CA bundle or client certificate): the error names the webhook.
// Unreachable webhooks at start are no error: each call follows its failure policy.
import type { Logger } from '../../lib/log.ts';
import type { Backend } from '../backends/backend.ts';
import type { ProxyConfig } from '../config.ts';
import type { ProxyMetrics } from '../metrics.ts';
import { createWebhookClient, type WebhookClient } from './client.ts';
import { webhooksProblems, type RunConfigWebhook } from './run-config.ts';
import { WebhookBackend } from './webhook-backend.ts';

export interface TrafficWebhookDeps {
  log: Logger;
  metrics: Pick<ProxyMetrics, 'webhookCalled' | 'webhookRefused'>;
  /** Where HMAC keys are read from; process.env when absent. */
  env?: Readonly<Record<string, string | undefined>>;
}

export function withTrafficWebhooks(
  backend: Backend,
  config: Pick<ProxyConfig, 'name' | 'namespace' | 'transport' | 'webhooks'>,
  deps: TrafficWebhookDeps,
): Backend {
  const section = config.webhooks;
  if (!section || section.mutating.length + section.validating.length === 0) return backend;
  const problems = webhooksProblems(section);
  if (problems.length) throw new Error(`the run config's webhooks cannot be applied: ${problems.join('; ')}`);
  const env = deps.env ?? process.env;
  const clients: WebhookClient[] = [];
  const clientFor = (w: RunConfigWebhook): WebhookClient => {
    const client = createWebhookClient(w, hmacSecret(w, env));
    clients.push(client);
    return client;
  };
  try {
    const mutating = section.mutating.map(clientFor);
    const validating = section.validating.map(clientFor);
    deps.log.info(
      {
        mutating: section.mutating.map((w) => w.name),
        validating: section.validating.map((w) => w.name),
      },
      'Webhooks are on: every MCP request goes through the mutating, then the validating webhooks',
    );
    return new WebhookBackend(backend, {
      mutating,
      validating,
      context: { serverName: config.name, namespace: config.namespace, transport: config.transport },
      observer: {
        called: (type, name, result, seconds) => deps.metrics.webhookCalled(type, name, result, seconds),
        refused: (type, name, reason) => deps.metrics.webhookRefused(type, name, reason),
      },
      log: deps.log,
      onClose: () => clients.forEach((c) => c.close()),
    });
  } catch (err) {
    clients.forEach((c) => c.close());
    throw err;
  }
}

/** ToolHive refuses to start a webhook whose HMAC secret resolves empty; so do we. */
function hmacSecret(
  w: RunConfigWebhook,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (!w.hmacSecretEnv) return undefined;
  const value = env[w.hmacSecretEnv];
  if (!value)
    throw new Error(
      `webhook ${JSON.stringify(w.name)} has HMAC configured but environment variable ${w.hmacSecretEnv} is unset or empty`,
    );
  return value;
}
