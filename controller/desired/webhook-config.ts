// spec.webhookConfigRef: the MCPWebhookConfig's webhooks as the proxy's run config `webhooks` section
// (proxy/traffic-webhooks/), and what the proxy pod needs for them. Pure.
// - Secrets never go in the run config: each hmacSecretRef becomes an environment variable of the proxy
//   (valueFrom secretKeyRef; the section names the variable), each TLS ref (CA bundle, client certificate
//   and key) a Secret volume with that one key, mounted read-only under WEBHOOK_MOUNT_DIR.
// - Defaults are ToolHive's (buildWebhookConfig): failurePolicy fail, timeout 10s (left to the proxy).
//   A client certificate without its key (or the reverse) sends neither, as ToolHive does.
// - Egress: the webhook URLs' ports, anywhere (a NetworkPolicy cannot name hosts), as for OIDC issuers.
// - A referenced MCPWebhookConfig that does not exist holds the proxy's run config and Deployment (the
//   proxy keeps the webhooks it had: fail closed, never none because the config went away), and
//   condition WebhookConfigValidated says False with ToolHive's reason WebhookConfigInvalid.
import { companionKey } from '../../schemas/companion-refs.ts';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { parseGoDuration } from '../../lib/go-duration.ts';
import { namespaceOf } from './names.ts';
import { dictsIn, isDict, str, type Dict, type Finding, type ServerFacts } from './types.ts';

export const WEBHOOK_CONFIG_CONDITION = 'WebhookConfigValidated';
export const WEBHOOK_MOUNT_DIR = '/etc/mcp-operator-webhooks';
const VALID = 'WebhookConfigValid';
const INVALID = 'WebhookConfigInvalid';

/** The proxy's RunConfigWebhook (proxy/traffic-webhooks/run-config.ts), field for field. */
export interface RunConfigWebhook {
  name: string;
  url: string;
  timeoutMs?: number;
  failurePolicy: 'fail' | 'ignore';
  hmacSecretEnv?: string;
  tls?: {
    caBundleFile?: string;
    clientCertFile?: string;
    clientKeyFile?: string;
    insecureSkipVerify?: boolean;
  };
}

export interface RunConfigWebhooks {
  mutating: RunConfigWebhook[];
  validating: RunConfigWebhook[];
}

export interface WebhookConfigPlan {
  section?: RunConfigWebhooks;
  env: Dict[];
  volumes: Dict[];
  mounts: Dict[];
  /** TCP ports the proxy must reach the webhooks on. */
  egressPorts: number[];
  /** Condition WebhookConfigValidated; only for servers with a webhookConfigRef. */
  finding?: Finding;
  hold: boolean;
}

const NONE: WebhookConfigPlan = { env: [], volumes: [], mounts: [], egressPorts: [], hold: false };

export function webhookConfigPlan(
  server: MCPServer,
  facts: Pick<ServerFacts, 'companions'>,
): WebhookConfigPlan {
  const ref = (server.spec as unknown as Dict).webhookConfigRef;
  const name = isDict(ref) ? str(ref.name) : '';
  if (!name) return NONE;
  const config = facts.companions?.get(companionKey('MCPWebhookConfig', name));
  if (!config) {
    const message = `MCPWebhookConfig ${name} not found in namespace ${namespaceOf(server)}`;
    return { ...NONE, hold: true, finding: { status: 'False', reason: INVALID, message } };
  }
  const spec = isDict(config.spec) ? config.spec : {};
  const plan: WebhookConfigPlan = { env: [], volumes: [], mounts: [], egressPorts: [], hold: false };
  const section: RunConfigWebhooks = {
    mutating: dictsIn(spec.mutating).map((w, i) => webhookEntry(w, `m${i}`, plan)),
    validating: dictsIn(spec.validating).map((w, i) => webhookEntry(w, `v${i}`, plan)),
  };
  const count = section.mutating.length + section.validating.length;
  return {
    ...plan,
    section,
    egressPorts: [...new Set(plan.egressPorts)].sort((a, b) => a - b),
    finding: {
      status: 'True',
      reason: VALID,
      message: `MCPWebhookConfig ${name}: ${count} webhook(s) applied`,
    },
  };
}

/** One webhook's run config entry; its secrets are added to the plan's env, volumes and mounts. */
function webhookEntry(w: Dict, slot: string, plan: WebhookConfigPlan): RunConfigWebhook {
  const entry: RunConfigWebhook = {
    name: str(w.name),
    url: str(w.url),
    failurePolicy: w.failurePolicy === 'ignore' ? 'ignore' : 'fail',
  };
  const nanos = parseGoDuration(str(w.timeout));
  if (nanos) entry.timeoutMs = Math.round(nanos / 1e6);
  const hmac = secretRef(w.hmacSecretRef);
  if (hmac) {
    entry.hmacSecretEnv = `MCP_WEBHOOK_HMAC_${slot.toUpperCase()}`;
    plan.env.push({
      name: entry.hmacSecretEnv,
      valueFrom: { secretKeyRef: { name: hmac.name, key: hmac.key } },
    });
  }
  const tls = isDict(w.tlsConfig) ? w.tlsConfig : undefined;
  if (tls) entry.tls = tlsEntry(tls, slot, plan);
  const url = URL.parse(entry.url);
  if (url) plan.egressPorts.push(Number(url.port) || (url.protocol === 'http:' ? 80 : 443));
  return entry;
}

function tlsEntry(tls: Dict, slot: string, plan: WebhookConfigPlan): NonNullable<RunConfigWebhook['tls']> {
  const out: NonNullable<RunConfigWebhook['tls']> = {};
  const ca = secretRef(tls.caSecretRef);
  if (ca) out.caBundleFile = mountSecret(plan, `${slot}-ca`, ca, 'ca.crt');
  const cert = secretRef(tls.clientCertSecretRef);
  const key = secretRef(tls.clientKeySecretRef);
  if (cert && key) {
    out.clientCertFile = mountSecret(plan, `${slot}-cert`, cert, 'tls.crt');
    out.clientKeyFile = mountSecret(plan, `${slot}-key`, key, 'tls.key');
  }
  if (tls.insecureSkipVerify === true) out.insecureSkipVerify = true;
  return out;
}

/** A Secret volume holding one key as `file`, mounted in its own directory; returns the file's path. */
function mountSecret(
  plan: WebhookConfigPlan,
  id: string,
  ref: { name: string; key: string },
  file: string,
): string {
  const volume = `webhook-${id}`;
  const dir = `${WEBHOOK_MOUNT_DIR}/${id}`;
  plan.volumes.push({
    name: volume,
    secret: { secretName: ref.name, items: [{ key: ref.key, path: file }] },
  });
  plan.mounts.push({ name: volume, mountPath: dir, readOnly: true });
  return `${dir}/${file}`;
}

function secretRef(v: unknown): { name: string; key: string } | undefined {
  if (!isDict(v) || !str(v.name) || !str(v.key)) return undefined;
  return { name: str(v.name), key: str(v.key) };
}
