// `mcp-operator dev`: a local control plane for people who want a cluster to play with.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  clustersDir,
  describeControlPlane,
  startControlPlane,
  stopControlPlaneAt,
  type ControlPlane,
} from '../../controlplane/cluster.ts';
import { createLogger } from '../../lib/log.ts';
import type { Command } from '../command.ts';
import { untilSignal } from '../signals.ts';
import type { LocalOperator } from '../local-operator.ts';

const USAGE = `Usage: mcp-operator dev <up|down|status|kubeconfig> [--name NAME]

  up [--foreground [--operator]] [--node real|kwok|auto]
                      start a local control plane (etcd, kube-apiserver, kube-controller-manager,
                      kube-scheduler) and its node: a real one (kubelet, containerd, kube-proxy,
                      CoreDNS, metrics-server, kube-router; root only) or KWOK's fake one (default:
                      kwok; auto: real when this machine can run it, else KWOK, saying why); with
                      --foreground, stay until Ctrl-C and stop it then, otherwise leave it running
                      for 'dev down'; with --operator, also run the operator (real node: helm install
                      of the chart with the offline image; KWOK: in this process) and a sample MCPServer
  down [--all]        stop the named control plane (or every one, after a crash) and remove its state
  status              list local control planes and their processes
  kubeconfig          print the admin kubeconfig path of the named control plane

  --name NAME         which control plane (default: dev)
`;

function stateDirOf(name: string): string {
  return path.join(clustersDir(), name);
}

function allStateDirs(): string[] {
  const root = clustersDir();
  return existsSync(root) ? readdirSync(root).map((n) => path.join(root, n)) : [];
}

function printTryThis(cp: ControlPlane): void {
  const kubectl = path.relative(process.cwd(), cp.binaries.kubectl) || cp.binaries.kubectl;
  process.stdout.write(
    [
      '',
      `Control plane "${cp.name}" is ready at ${cp.server}`,
      `  kubeconfig: ${cp.kubeconfig}`,
      '',
      'Try:',
      `  export KUBECONFIG=${cp.kubeconfig}`,
      `  ${kubectl} get nodes`,
      '',
    ].join('\n'),
  );
}

function printTryTheOperator(cp: ControlPlane, operator: LocalOperator): void {
  const kubectl = path.relative(process.cwd(), cp.binaries.kubectl) || cp.binaries.kubectl;
  const mcp = `${operator.proxyUrl}/mcp`;
  const headers = `-H 'content-type: application/json' -H 'accept: application/json, text/event-stream'`;
  const initialize =
    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}';
  const call =
    '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}}';
  process.stdout.write(
    [
      'The operator is running on it (webhooks and controller, logs above), with a sample MCPServer:',
      `  ${kubectl} get mcpservers --all-namespaces`,
      `  ${kubectl} -n demo describe mcpserver everything`,
      `  ${kubectl} get all,configmap,networkpolicy -n demo -l app.kubernetes.io/instance=everything`,
      'A manifest the webhooks deny, every problem by its field path:',
      `  ${kubectl} apply -f manifests/samples/mcpserver-bad.yaml`,
      `The sample's proxy runs here, in front of @modelcontextprotocol/server-everything (its echo said "${operator.echoReply}"):`,
      `  curl -si ${mcp} ${headers} -d '${initialize}'   # note the mcp-session-id header`,
      `  curl -s ${mcp} ${headers} -H 'mcp-session-id: <id>' -d '${call}'`,
      '',
    ].join('\n'),
  );
}

function printTryTheRealNode(cp: ControlPlane, operator: { proxyUrl: string; echoReply: string }): void {
  const k = path.relative(process.cwd(), cp.binaries.kubectl) || cp.binaries.kubectl;
  const mcp = `${operator.proxyUrl}/mcp`;
  const headers = `-H 'content-type: application/json' -H 'accept: application/json, text/event-stream'`;
  const initialize =
    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}';
  process.stdout.write(
    [
      'The operator runs in a pod on the real node (helm install of manifests/charts/mcp-operator), with a sample',
      `MCPServer whose proxy answered "${operator.echoReply}". Try the seed guide's commands:`,
      `  ${k} get mcpservers --all-namespaces`,
      `  ${k} -n demo describe mcpserver everything`,
      `  ${k} -n demo get pods,services,endpoints -l app.kubernetes.io/instance=everything`,
      `  ${k} -n demo logs everything-0 -c mcp                 # the MCP server's own output`,
      `  ${k} -n demo exec everything-0 -c mcp -- env          # the container's environment`,
      `  ${k} -n demo logs -l app.kubernetes.io/instance=everything,app.kubernetes.io/component=proxy`,
      `  ${k} -n demo top pods`,
      `  ${k} -n mcp-operator-system logs -l app.kubernetes.io/name=mcp-operator`,
      `  ${k} -n demo get events --field-selector involvedObject.kind=MCPServer`,
      `  ${k} apply -f manifests/samples/mcpserver-bad.yaml    # denied, every problem by its field path`,
      `  ${k} -n demo port-forward service/mcp-everything-proxy 8080:8080 & curl http://localhost:8080/health`,
      `The sample's proxy is forwarded here already: curl -si ${mcp} ${headers} -d '${initialize}'`,
      '',
    ].join('\n'),
  );
}

async function chooseNode(requested: string, log: ReturnType<typeof createLogger>): Promise<'real' | 'kwok'> {
  if (requested === 'real' || requested === 'kwok') return requested;
  const why = await (await import('../../realnode/host.ts')).whyNoRealNode();
  if (!why) return 'real';
  log.warn({ reason: why }, `This machine cannot run a real node (${why}); using KWOK's fake node instead`);
  return 'kwok';
}

async function up(
  name: string,
  foreground: boolean,
  withOperator: boolean,
  nodeOption: string,
): Promise<number> {
  const log = createLogger('dev');
  const node = await chooseNode(nodeOption, log);
  const cp = await startControlPlane({ log, name, ownerPid: foreground ? process.pid : null, node });
  // Loaded only here: the operator pulls in the Kubernetes client, the webhook and the controller.
  const operator = !withOperator
    ? undefined
    : node === 'real'
      ? await (await import('../real-node-operator.ts')).startOperatorOnRealNode(cp, log)
      : await (await import('../local-operator.ts')).startLocalOperator(cp, log);
  printTryThis(cp);
  if (operator && node === 'real') printTryTheRealNode(cp, operator);
  else if (operator) printTryTheOperator(cp, operator);
  if (!foreground) {
    process.stdout.write(`Stop it with: mcp-operator dev down --name ${name}\n`);
    return 0;
  }
  process.stdout.write('Press Ctrl-C to stop.\n');
  const signal = await untilSignal();
  log.info({ signal }, 'Stopping control plane');
  await operator?.stop();
  await cp.stop();
  log.info({ cluster: name }, 'Stopped control plane');
  return 0;
}

async function down(name: string, all: boolean): Promise<number> {
  const dirs = all ? allStateDirs() : [stateDirOf(name)];
  for (const dir of dirs) {
    if (!existsSync(dir)) {
      process.stderr.write(`No control plane named "${path.basename(dir)}"\n`);
      continue;
    }
    const count = await stopControlPlaneAt(dir, createLogger('dev'));
    process.stdout.write(`Stopped control plane "${path.basename(dir)}" (${count} processes)\n`);
  }
  return 0;
}

function status(): number {
  const dirs = allStateDirs();
  if (dirs.length === 0) process.stdout.write('No local control planes\n');
  for (const dir of dirs) {
    const s = describeControlPlane(dir);
    const health =
      s.stopped.length === 0 && s.running.length > 0 ? 'running' : s.running.length ? 'degraded' : 'stopped';
    process.stdout.write(`${s.name}\t${health}\t${s.state?.server ?? '-'}\t${s.state?.kubeconfig ?? '-'}\n`);
    for (const p of s.stopped) process.stdout.write(`  ${p.name} (pid ${p.pid}) is not running\n`);
  }
  return 0;
}

function kubeconfig(name: string): number {
  const s = describeControlPlane(stateDirOf(name));
  if (!s.state) {
    process.stderr.write(`No running control plane named "${name}" (start one with: mcp-operator dev up)\n`);
    return 1;
  }
  process.stdout.write(`${s.state.kubeconfig}\n`);
  return 0;
}

export const devCommand: Command = {
  name: 'dev',
  summary: 'Run a local Kubernetes control plane (up | down | status | kubeconfig)',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        name: { type: 'string', default: 'dev' },
        foreground: { type: 'boolean', default: false },
        operator: { type: 'boolean', default: false },
        all: { type: 'boolean', default: false },
        node: { type: 'string', default: 'kwok' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const name = values.name;
    switch (values.help ? 'help' : positionals[0]) {
      case 'up':
        if (values.operator && !values.foreground) {
          process.stderr.write('--operator runs the operator in this process, so it needs --foreground\n');
          return 2;
        }
        if (!['real', 'kwok', 'auto'].includes(values.node)) {
          process.stderr.write(`--node must be real, kwok or auto, not ${values.node}\n`);
          return 2;
        }
        return up(name, values.foreground, values.operator, values.node);
      case 'down':
        return down(name, values.all);
      case 'status':
        return status();
      case 'kubeconfig':
        return kubeconfig(name);
      default:
        process.stdout.write(USAGE);
        return values.help ? 0 : 2;
    }
  },
};
