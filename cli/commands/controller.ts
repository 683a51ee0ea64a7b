// `mcp-operator controller`: the MCPServer controller alone, without the admission webhooks. Watches
// MCPServers (in every namespace, or the ones given), reconciles them into their children, serves
// metrics, and with --leader-elect reconciles only while it holds the Lease. Runs until SIGTERM or
// SIGINT, or until leadership is lost (exit code 1, so the pod restarts as a fresh candidate).
import { parseArgs } from 'node:util';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { DEFAULT_PROXY_IMAGE, defaultControllerConfig } from '../../controller/config.ts';
import { Manager } from '../../controller/manager.ts';
import { createControllerMetrics, serveMetrics } from '../../controller/metrics.ts';
import { otlpPushFromEnv } from '../../lib/otlp-metrics.ts';
import { createLogger, type Logger } from '../../lib/log.ts';
import type { Command } from '../command.ts';
import { untilSignal } from '../signals.ts';

const USAGE = `Usage: mcp-operator controller [--kubeconfig PATH] [--namespaces a,b] [--proxy-image IMAGE]
                                [--leader-elect [--leader-elect-namespace NS]] [--metrics-port 8080]
                                [--workers 16] [--cluster-domain cluster.local]
                                [--ignore-namespaces kube-system,kube-node-lease]
                                [--policy-configmap NS/NAME] [--service-account-issuer URL]
                                [--verify-proxies auto|service|api-server|off]

  --proxy-image       image of the proxy Deployments (default ${DEFAULT_PROXY_IMAGE})
  --leader-elect      reconcile only while holding Lease mcp-operator-controller in the namespace
                      (--leader-elect-namespace, else $POD_NAMESPACE, else default); that namespace
                      also holds Secret mcp-operator-rollout-key, with or without --leader-elect
  --metrics-port      0 turns the metrics endpoint off
  --ignore-namespaces MCPServers there are not reconciled at all (the chart passes the namespaces its
                      admission webhooks leave out, unless operator.reconcileExcludedNamespaces)
  --policy-configmap  the admission policy (key policy.yaml): the proxies' NetworkPolicies follow its
                      proxyClientNamespaces
  --service-account-issuer
                      the \`iss\` of the cluster's ServiceAccount tokens, for kubernetesServiceAccount
                      MCPOIDCConfigs (default: read from the API server's /.well-known/openid-configuration)
  --verify-proxies    how the controller reaches each proxy for its MCP handshake (status.verified): service
                      (its cluster DNS name), api-server (the API server's service proxy, for a controller
                      outside the cluster), off; auto (default): service in a pod, else off
`;

/**
 * MCPServers reconciled at once. A reconcile mostly waits for the API server (bench/controller: the
 * controller idles 86-93% of a run), so more workers than cores is what keeps requests in flight.
 */
export const DEFAULT_WORKERS = 16;

export interface ControllerOptions {
  kubeconfig?: string;
  namespaces?: string[];
  /** Namespaces whose MCPServers are left alone (ControllerConfig.ignoreNamespaces); default none. */
  ignoreNamespaces?: string[];
  proxyImage: string;
  clusterDomain: string;
  leaderElect: boolean;
  leaderElectNamespace: string;
  metricsPort: number;
  workers: number;
  policyConfigMap?: { namespace: string; name: string };
  serviceAccountIssuer?: string;
  /** --verify-proxies (controller/verify/wiring.ts). */
  verifyProxies?: VerifyMode;
}

const VERIFY_MODES = ['auto', 'service', 'api-server', 'off'] as const;
type VerifyMode = (typeof VERIFY_MODES)[number];
const isVerifyMode = (v: string): v is VerifyMode => (VERIFY_MODES as readonly string[]).includes(v);

/** The options in args, or a message saying what is wrong with them. */
export function parseControllerOptions(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): ControllerOptions | { problem: string } {
  const { values } = parseArgs({
    args,
    options: {
      kubeconfig: { type: 'string' },
      namespaces: { type: 'string' },
      'ignore-namespaces': { type: 'string', default: '' },
      'proxy-image': { type: 'string', default: DEFAULT_PROXY_IMAGE },
      'cluster-domain': { type: 'string', default: 'cluster.local' },
      'leader-elect': { type: 'boolean', default: false },
      'leader-elect-namespace': { type: 'string' },
      'metrics-port': { type: 'string', default: '8080' },
      workers: { type: 'string', default: String(DEFAULT_WORKERS) },
      'policy-configmap': { type: 'string' },
      'service-account-issuer': { type: 'string' },
      'verify-proxies': { type: 'string' },
    },
    strict: true,
  });
  const metricsPort = Number(values['metrics-port']);
  if (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535) {
    return { problem: `--metrics-port ${values['metrics-port']} is not a port` };
  }
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1)
    return { problem: `--workers ${values.workers} is not a positive integer` };
  const namespaces = values.namespaces
    ?.split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (values.namespaces !== undefined && !namespaces?.length)
    return { problem: '--namespaces needs at least one name' };
  const verify = verifyOption(values['verify-proxies']);
  if ('problem' in verify) return verify;
  const auth = authOptions(values['policy-configmap'], values['service-account-issuer']);
  if ('problem' in auth) return auth;
  const ignoreNamespaces = values['ignore-namespaces']
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  return {
    kubeconfig: values.kubeconfig,
    namespaces,
    ignoreNamespaces,
    proxyImage: values['proxy-image'],
    clusterDomain: values['cluster-domain'],
    leaderElect: values['leader-elect'],
    leaderElectNamespace: values['leader-elect-namespace'] ?? env.POD_NAMESPACE ?? 'default',
    metricsPort,
    workers,
    ...verify,
    ...auth,
  };
}

/** --verify-proxies, checked. */
function verifyOption(value: string | undefined): { verifyProxies?: VerifyMode } | { problem: string } {
  if (value === undefined) return {};
  if (!isVerifyMode(value))
    return { problem: `--verify-proxies ${value}: one of ${VERIFY_MODES.join(', ')}` };
  return { verifyProxies: value };
}

/** --policy-configmap NS/NAME and --service-account-issuer URL, checked. */
function authOptions(
  policy: string | undefined,
  issuer: string | undefined,
): Pick<ControllerOptions, 'policyConfigMap' | 'serviceAccountIssuer'> | { problem: string } {
  const ref = policy?.split('/');
  if (ref && (ref.length !== 2 || !ref[0] || !ref[1]))
    return { problem: '--policy-configmap must be NAMESPACE/NAME' };
  if (issuer !== undefined && !URL.canParse(issuer))
    return { problem: `--service-account-issuer ${issuer} is not a URL` };
  return {
    ...(ref ? { policyConfigMap: { namespace: ref[0]!, name: ref[1]! } } : {}),
    ...(issuer ? { serviceAccountIssuer: issuer } : {}),
  };
}

export interface RunningController {
  manager: Manager;
  /** Resolves with why the manager stopped: 'stopped', or 'lost leadership'. */
  done: Promise<string>;
  stop(): Promise<void>;
}

/** Starts the controller as the options say; `mcp-operator run` starts it the same way. */
export async function startController(o: ControllerOptions, log: Logger): Promise<RunningController> {
  // Not client-node's KubeConfig: loading client-node would more than double the process's memory.
  const access = await loadApiAccess(o.kubeconfig);
  const metrics = createControllerMetrics();
  const metricsServer = o.metricsPort ? await serveMetrics(metrics.registry, o.metricsPort) : undefined;
  const manager = new Manager({
    access,
    config: {
      ...defaultControllerConfig(),
      proxyImage: o.proxyImage,
      clusterDomain: o.clusterDomain,
      ignoreNamespaces: o.ignoreNamespaces ?? [],
      ...(o.serviceAccountIssuer ? { serviceAccountIssuer: o.serviceAccountIssuer } : {}),
    },
    policyConfigMap: o.policyConfigMap,
    verify: { mode: o.verifyProxies ?? 'auto' },
    log,
    namespaces: o.namespaces,
    workers: o.workers,
    metrics,
    leaderElection: o.leaderElect ? { namespace: o.leaderElectNamespace } : undefined,
    rolloutKeyNamespace: o.leaderElectNamespace,
  });
  await manager.start();
  const otlp = otlpPushFromEnv(process.env, 'mcp-operator-controller', () => metrics.registry.render(), log);
  const done = manager.done.finally(() => {
    metricsServer?.close();
    return otlp?.stop();
  });
  return { manager, done, stop: () => manager.stop() };
}

async function runUntilSignal(o: ControllerOptions): Promise<number> {
  const log = createLogger('controller');
  const controller = await startController(o, log);
  const stopWaiting = new AbortController();
  void untilSignal(stopWaiting.signal).then((signal) => {
    if (!signal) return;
    log.info({ signal }, 'Stopping controller');
    return controller.stop();
  });
  const reason = await controller.done;
  stopWaiting.abort();
  return reason === 'stopped' ? 0 : 1;
}

export const controllerCommand: Command = {
  name: 'controller',
  summary: 'Run the MCPServer controller alone (reconcile MCPServers into their workloads)',
  async run(args) {
    let options: ControllerOptions | { problem: string };
    try {
      options = parseControllerOptions(args);
    } catch (err) {
      options = { problem: (err as Error).message };
    }
    if ('problem' in options) {
      process.stderr.write(`mcp-operator controller: ${options.problem}\n\n${USAGE}`);
      return 2;
    }
    return runUntilSignal(options);
  },
};
