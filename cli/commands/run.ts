// `mcp-operator run`: the operator as it runs in its Deployment: the admission webhooks (on every
// replica, so admission keeps answering during a leader change) and the controller (reconciling only
// on the leader when --leader-elect is set). The flags are the union of `webhook`'s and `controller`'s;
// --kubeconfig goes to both, and --namespace (the operator's own) also holds the leader Lease.
import { createLogger } from '../../lib/log.ts';
import type { Command } from '../command.ts';
import { untilSignal } from '../signals.ts';
import { parseControllerOptions, startController } from './controller.ts';
import { parseWebhookOptions, startAdmission } from './webhook.ts';

const USAGE = `Usage: mcp-operator run [webhook flags] [controller flags]

Webhook flags (see mcp-operator webhook --help): --port, --host, --cert-dir DIR | --self-managed | --local-ca-file FILE,
  --namespace NS (the operator's namespace), --name NAME, --policy-configmap NS/NAME
Controller flags (see mcp-operator controller --help): --namespaces a,b, --proxy-image, --cluster-domain,
  --ignore-namespaces a,b, --leader-elect [--leader-elect-namespace NS], --metrics-port, --workers,
  --service-account-issuer URL, --verify-proxies auto|service|api-server|off
Both: --kubeconfig PATH, --policy-configmap NS/NAME
`;

const WEBHOOK_FLAGS = new Set([
  'port',
  'host',
  'cert-dir',
  'self-managed',
  'namespace',
  'name',
  'local-ca-file',
  'policy-configmap',
]);
const CONTROLLER_FLAGS = new Set([
  'namespaces',
  'ignore-namespaces',
  'proxy-image',
  'cluster-domain',
  'leader-elect',
  'leader-elect-namespace',
  'metrics-port',
  'workers',
  'verify-proxies',
  'service-account-issuer',
]);
/** Flags both jobs read: the webhook validates the policy, the controller follows proxyClientNamespaces. */
const SHARED_FLAGS = new Set(['kubeconfig', 'policy-configmap']);
const BOOLEAN_FLAGS = new Set(['self-managed', 'leader-elect']);

/** Splits the arguments between the two jobs' parsers; an unknown flag is an error. */
export function splitRunArgs(
  args: string[],
): { webhook: string[]; controller: string[] } | { problem: string } {
  const webhook: string[] = [];
  const controller: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const flag = /^--([a-z-]+)(=.*)?$/.exec(arg);
    if (!flag) return { problem: `unexpected argument "${arg}"` };
    const name = flag[1]!;
    const takesValue = !BOOLEAN_FLAGS.has(name) && flag[2] === undefined;
    const group = takesValue && i + 1 < args.length ? [arg, args[++i]!] : [arg];
    if (SHARED_FLAGS.has(name)) {
      webhook.push(...group);
      controller.push(...group);
    } else if (WEBHOOK_FLAGS.has(name)) webhook.push(...group);
    else if (CONTROLLER_FLAGS.has(name)) controller.push(...group);
    else return { problem: `unknown flag --${name}` };
  }
  return { webhook, controller };
}

function withLeaseNamespace(controller: string[], webhook: string[]): string[] {
  const at = webhook.findIndex((a) => a === '--namespace' || a.startsWith('--namespace='));
  const explicit = controller.some((a) => a.startsWith('--leader-elect-namespace'));
  if (at === -1 || explicit) return controller;
  const value = webhook[at]!.includes('=') ? webhook[at]!.split('=')[1]! : webhook[at + 1]!;
  return [...controller, '--leader-elect-namespace', value];
}

function parseRunOptions(args: string[]) {
  const split = splitRunArgs(args);
  if ('problem' in split) return split;
  const webhook = parseWebhookOptions(split.webhook);
  if ('problem' in webhook) return webhook;
  const controller = parseControllerOptions(withLeaseNamespace(split.controller, split.webhook));
  if ('problem' in controller) return controller;
  return { webhook, controller };
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Run the operator: admission webhooks and the controller',
  async run(args) {
    let options: ReturnType<typeof parseRunOptions>;
    try {
      options = parseRunOptions(args);
    } catch (err) {
      options = { problem: (err as Error).message };
    }
    if ('problem' in options) {
      process.stderr.write(`mcp-operator run: ${options.problem}\n\n${USAGE}`);
      return 2;
    }
    const log = createLogger('operator');
    const admission = await startAdmission(options.webhook, log.child({ job: 'webhook' }));
    const controller = await startController(options.controller, log.child({ job: 'controller' }));
    const stopWaiting = new AbortController();
    const why = await Promise.race([untilSignal(stopWaiting.signal), controller.done]);
    stopWaiting.abort();
    log.info({ why }, 'Stopping operator');
    await Promise.all([controller.stop(), admission.stop()]);
    // Lost leadership ends the process with 1, so the pod restarts as a fresh candidate.
    return why === 'lost leadership' ? 1 : 0;
  },
};
