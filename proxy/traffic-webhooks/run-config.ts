// The run config's `webhooks` section: ToolHive's webhook.Config lists (pkg/webhook/types.go), as the
// controller resolves an MCPWebhookConfig (controller/desired/webhook-config.ts). Secrets never appear
// here: the HMAC key is an environment variable of the proxy pod (from the Secret), the CA bundle and
// client certificate are files mounted from Secrets. Pure: the shape check the proxy runs at start.

/** ToolHive's DefaultTimeout, MinTimeout and MaxTimeout (pkg/webhook/types.go). */
export const DEFAULT_TIMEOUT_MS = 10_000;
export const MIN_TIMEOUT_MS = 1_000;
export const MAX_TIMEOUT_MS = 30_000;

export type FailurePolicy = 'fail' | 'ignore';
export type WebhookType = 'mutating' | 'validating';

export interface RunConfigWebhookTls {
  /** PEM bundle that replaces the system roots for this webhook (ToolHive's RootCAs). */
  caBundleFile?: string;
  /** mTLS: both or neither. */
  clientCertFile?: string;
  clientKeyFile?: string;
  /** No certificate check, and http:// URLs allowed (ToolHive: in-cluster HTTP endpoints). */
  insecureSkipVerify?: boolean;
}

export interface RunConfigWebhook {
  name: string;
  url: string;
  /** Whole exchange, connect to last byte; DEFAULT_TIMEOUT_MS when absent. */
  timeoutMs?: number;
  failurePolicy: FailurePolicy;
  /** The environment variable holding the HMAC-SHA256 key; absent: payloads are not signed. */
  hmacSecretEnv?: string;
  tls?: RunConfigWebhookTls;
}

/** Mutating webhooks run first, in order, each on the previous one's output; then validating, in order. */
export interface RunConfigWebhooks {
  mutating: RunConfigWebhook[];
  validating: RunConfigWebhook[];
}

/** Every problem of the section, each naming its webhook (`webhooks.validating[0] "policy": ...`). */
export function webhooksProblems(section: unknown): string[] {
  if (typeof section !== 'object' || section === null) return ['webhooks must be an object'];
  const s = section as Partial<Record<WebhookType, unknown>>;
  const problems: string[] = [];
  for (const type of ['mutating', 'validating'] as const) {
    const list = s[type] ?? [];
    if (!Array.isArray(list)) {
      problems.push(`webhooks.${type} must be a list`);
      continue;
    }
    list.forEach((w: unknown, i) =>
      problems.push(...webhookProblems(w).map((p) => `webhooks.${type}[${i}] ${nameOf(w)}: ${p}`)),
    );
  }
  return problems;
}

const nameOf = (w: unknown): string => JSON.stringify((w as { name?: unknown } | null)?.name ?? '');

/** ToolHive's Config.ValidateDefinition, plus the fields this format adds. */
export function webhookProblems(value: unknown): string[] {
  const w = (typeof value === 'object' && value !== null ? value : {}) as Partial<RunConfigWebhook>;
  const checks: [broken: boolean, problem: string][] = [
    [typeof w.name !== 'string' || w.name === '', 'name is required'],
    [
      w.failurePolicy !== 'fail' && w.failurePolicy !== 'ignore',
      `failurePolicy must be "fail" or "ignore", got ${JSON.stringify(w.failurePolicy)}`,
    ],
    [
      w.timeoutMs !== undefined && !timeoutFits(w.timeoutMs),
      `timeoutMs must be between ${MIN_TIMEOUT_MS} and ${MAX_TIMEOUT_MS}`,
    ],
    [
      w.hmacSecretEnv !== undefined && (typeof w.hmacSecretEnv !== 'string' || !w.hmacSecretEnv),
      'hmacSecretEnv must name an environment variable',
    ],
    [
      !!w.tls && !w.tls.clientCertFile !== !w.tls.clientKeyFile,
      'tls.clientCertFile and tls.clientKeyFile must both be set for mTLS',
    ],
  ];
  const url = urlProblem(w);
  return [...(url ? [url] : []), ...checks.filter(([broken]) => broken).map(([, problem]) => problem)];
}

const timeoutFits = (t: unknown): boolean =>
  Number.isInteger(t) && (t as number) >= MIN_TIMEOUT_MS && (t as number) <= MAX_TIMEOUT_MS;

/** https only, unless insecureSkipVerify (ToolHive: in-cluster HTTP endpoints). */
function urlProblem(w: Partial<RunConfigWebhook>): string | undefined {
  const url = typeof w.url === 'string' ? URL.parse(w.url) : null;
  if (!url) return 'url is not a valid URL';
  if (url.protocol === 'https:' || (url.protocol === 'http:' && w.tls?.insecureSkipVerify)) return undefined;
  return 'url must use https (http only with tls.insecureSkipVerify)';
}
