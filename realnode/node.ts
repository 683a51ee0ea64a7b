// Starts the real node of a local cluster once its API server answers: containerd (runc, the CNI
// bridge), the images imported offline, kubelet, kube-proxy, kube-router (NetworkPolicy), then the
// cluster add-ons (CoreDNS, metrics-server, PersistentVolumes). Each daemon is a process group of the
// cluster (its pid in <state>/pids), so the cluster's stop ends it; teardown.sh then cleans the host.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KeyPair } from '../controlplane/pki.ts';
import {
  type CompletedProcess,
  runToCompletion,
  spawnLogged,
  type StartedProcess,
} from '../controlplane/processes.ts';
import { httpGet, waitUntil } from '../controlplane/wait.ts';
import type { Logger } from '../lib/log.ts';
import { coreDns, kubeRouterRbac, metricsServer, persistentVolumes, toYaml } from './addons.ts';
import type { NodeBinaryPaths } from './binaries.ts';
import {
  cniConflist,
  containerdConfig,
  kubeletArgs,
  kubeletConfig,
  streamIdleTimeout,
  kubeProxyArgs,
  kubeProxyConfig,
  kubeRouterArgs,
} from './config.ts';
import { KUBE_PROXY_HEALTHZ, KUBELET_HEALTHZ_PORT, NODE_NAME, nodeDirs, type NodeDirs } from './layout.ts';
import { createNodePki, writeNodePki } from './pki.ts';

export interface NodeImages {
  pause: string;
  coredns: string;
  metricsServer: string;
  /** Builds what is missing and imports every image into containerd's k8s.io namespace. */
  importAll(ctr: string, socket: string): Promise<void>;
}

export interface RealNodeContext {
  log: Logger;
  stateDir: string;
  server: string;
  ca: KeyPair;
  contextName: string;
  bins: NodeBinaryPaths;
  kubectl(args: string[], input?: string): Promise<CompletedProcess>;
}

/** How many hostPath PersistentVolumes the node offers to claims. */
export const PERSISTENT_VOLUMES = 6;

async function step<T>(log: Logger, what: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await fn();
  log.info({ step: what, ms: Math.round(performance.now() - start) }, `Real node: ${what}`);
  return result;
}

function writeFiles(ctx: RealNodeContext, dirs: NodeDirs, pauseImage: string): void {
  for (const d of [dirs.cniConfDir, dirs.cniIpamDir, dirs.podLogs, dirs.volumes, dirs.kubeletRoot])
    mkdirSync(d, { recursive: true });
  writeFileSync(dirs.resolvConf, '# No upstream resolver: nothing routes out of this node.\n');
  const idleTimeout = streamIdleTimeout(process.env);
  writeFileSync(dirs.containerdConfig, containerdConfig(dirs, ctx.bins, pauseImage, idleTimeout));
  writeFileSync(path.join(dirs.cniConfDir, '10-mcp-realnode.conflist'), cniConflist(dirs));
  const files = writeNodePki(dirs, createNodePki(ctx.ca), {
    server: ctx.server,
    caPem: ctx.ca.certPem,
    contextName: ctx.contextName,
  });
  writeFileSync(dirs.kubeletConfig, kubeletConfig(dirs, files, idleTimeout));
  writeFileSync(dirs.kubeProxyConfig, kubeProxyConfig(dirs));
}

async function apply(ctx: RealNodeContext, yaml: string, what: string): Promise<void> {
  const r = await ctx.kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], yaml);
  if (r.code !== 0) throw new Error(`applying ${what}: ${r.stderr.trim()}`);
}

async function nodeReady(ctx: RealNodeContext): Promise<boolean> {
  const r = await ctx.kubectl([
    'get',
    'node',
    NODE_NAME,
    '-o',
    'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
  ]);
  return r.code === 0 && r.stdout.trim() === 'True';
}

/** What kube-system's pods say, for an error message: their states, and the last lines of their logs. */
async function diagnostics(ctx: RealNodeContext): Promise<string> {
  const out: string[] = [];
  const pods = await ctx.kubectl(['-n', 'kube-system', 'get', 'pods', '-o', 'wide']);
  out.push(pods.stdout.trim());
  const names = await ctx.kubectl([
    '-n',
    'kube-system',
    'get',
    'pods',
    '-o',
    'jsonpath={.items[*].metadata.name}',
  ]);
  for (const pod of names.stdout.trim().split(/\s+/).filter(Boolean)) {
    const logs = await ctx.kubectl(['-n', 'kube-system', 'logs', pod, '--all-containers', '--tail=8']);
    out.push(`--- ${pod}:\n${(logs.stdout || logs.stderr).trim()}`);
  }
  const events = await ctx.kubectl(['-n', 'kube-system', 'get', 'events', '--sort-by=.lastTimestamp']);
  out.push(events.stdout.trim().split('\n').slice(-12).join('\n'));
  return out.join('\n');
}

export async function startRealNode(ctx: RealNodeContext, images: NodeImages): Promise<void> {
  const { log, stateDir, bins } = ctx;
  const dirs = nodeDirs(stateDir);
  writeFiles(ctx, dirs, images.pause);
  const spawn = (name: string, command: string, args: string[]): StartedProcess =>
    spawnLogged(stateDir, {
      name,
      command,
      args,
      // containerd finds its runc shim on PATH; kube-proxy and kube-router call nft, iptables and ipset.
      env: {
        ...process.env,
        PATH: `${path.dirname(bins.containerd)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      },
    });

  await step(log, 'containerd', async () => {
    const p = spawn('containerd', bins.containerd, ['--config', dirs.containerdConfig]);
    await waitUntil(
      async () => {
        return (await runToCompletion(bins.ctr, ['--address', dirs.containerdSocket, 'version'])).code === 0;
      },
      { what: 'containerd', timeoutMs: 30_000, exited: p.exited, intervalMs: 100 },
    );
  });
  await step(log, 'images imported', () => images.importAll(bins.ctr, dirs.containerdSocket));
  await step(log, 'kubelet (node Ready)', async () => {
    const p = spawn('kubelet', bins.kubelet, kubeletArgs(dirs));
    await waitUntil(
      async () =>
        (await httpGet(`http://127.0.0.1:${KUBELET_HEALTHZ_PORT}/healthz`)).status === 200 &&
        (await nodeReady(ctx)),
      { what: 'kubelet (node Ready)', timeoutMs: 90_000, exited: p.exited, intervalMs: 250 },
    );
  });
  await step(log, 'kube-proxy and kube-router', async () => {
    await apply(ctx, toYaml(kubeRouterRbac()), "kube-router's RBAC");
    const proxy = spawn('kube-proxy', bins.kubeProxy, kubeProxyArgs(dirs));
    spawn('kube-router', bins.kubeRouter, kubeRouterArgs(dirs));
    await waitUntil(async () => (await httpGet(`http://${KUBE_PROXY_HEALTHZ}/healthz`)).status === 200, {
      what: 'kube-proxy',
      timeoutMs: 60_000,
      exited: proxy.exited,
      intervalMs: 250,
    });
  });
  await step(log, 'CoreDNS, metrics-server and PersistentVolumes', async () => {
    await apply(
      ctx,
      toYaml([
        ...coreDns(images.coredns),
        ...metricsServer(images.metricsServer),
        ...persistentVolumes(dirs.volumes, PERSISTENT_VOLUMES),
      ]),
      'the add-ons',
    );
    const waits = [
      ['-n', 'kube-system', 'rollout', 'status', 'deployment/coredns', '--timeout=120s'],
      ['-n', 'kube-system', 'rollout', 'status', 'deployment/metrics-server', '--timeout=120s'],
      ['wait', '--for=condition=Available', 'apiservice/v1beta1.metrics.k8s.io', '--timeout=120s'],
    ];
    for (const args of waits) {
      const r = await ctx.kubectl(args);
      if (r.code !== 0)
        throw new Error(
          `kubectl ${args.join(' ')}: ${r.stderr.trim() || r.stdout.trim()}\n${await diagnostics(ctx)}`,
        );
    }
  });
}
