// The two peers of bench/toolhive-node.ts, each on its own fresh real-node cluster (the two operators'
// CRDs share a name): how each is installed as users install it (helm, the operator in a pod on the
// node), the one MCPServer manifest both get (ToolHive's shape, v1beta1, our local server image), where
// an MCP client reaches its proxy, and which pods are its proxy and its server. Both operators name the
// proxy Deployment and the server StatefulSet after the MCPServer and its Service mcp-<name>-proxy.
import path from 'node:path';
import { helmInstallOperator } from '../../cli/real-node-operator.ts';
import { startControlPlane, type ControlPlane } from '../../controlplane/cluster.ts';
import { runToCompletion } from '../../controlplane/processes.ts';
import type { Logger } from '../../lib/log.ts';
import { IMAGES } from '../../realnode/node-images.ts';
import type { HttpTarget } from '../lib/realnode-echo.ts';
import { apiGet, clusterIp, eventually, fetchVia, kubectl, type PodObject } from '../lib/realnode-kube.ts';
import { importToolhiveImages, type ToolhiveImages } from './node-images.ts';
import { ensureBinaries, installToolhiveCrds, moduleDir, toolhiveVersion } from './thv-operator.ts';

export type PeerName = 'ToolHive' | 'ours';
export type Transport = 'stdio' | 'sse' | 'streamable-http';
export const TRANSPORTS: Transport[] = ['stdio', 'sse', 'streamable-http'];
export const NAMESPACE = 'peer';
export const PROXY_PORT = 8080;

export interface PeerCluster {
  peer: PeerName;
  cp: ControlPlane;
  /** Seconds: the real node up, the operator installed (helm --wait). */
  nodeSeconds: number;
  installSeconds: number;
  images?: ToolhiveImages;
}

/** ToolHive's chart from its module, its images local, the rest of the chart's defaults. */
async function helmInstallToolhive(cp: ControlPlane, log: Logger): Promise<ToolhiveImages> {
  const version = toolhiveVersion();
  const binaries = await ensureBinaries(version);
  const module = await moduleDir(version);
  const images = await importToolhiveImages(cp, binaries, version, log);
  await installToolhiveCrds(cp, module);
  const args = [
    `--kubeconfig=${cp.kubeconfig}`,
    'install',
    'toolhive-operator',
    path.join(module, 'deploy/charts/operator'),
    '--namespace',
    'toolhive-system',
    '--create-namespace',
    '--set',
    `operator.image=${images.operator}`,
    '--set',
    `operator.toolhiveRunnerImage=${images.runner}`,
    '--wait',
    '--timeout=180s',
  ];
  const r = await runToCompletion(cp.binaries.helm, args);
  if (r.code !== 0) throw new Error(`helm install of ToolHive's chart: ${r.stderr.trim()}`);
  return images;
}

/**
 * A fresh real-node cluster with one operator installed; stopped by the caller (also on error: a
 * failed install stops it here).
 */
export async function startPeer(peer: PeerName, log: Logger): Promise<PeerCluster> {
  const t0 = performance.now();
  const cp = await startControlPlane({ log, node: 'real', name: `bench-peer-${peer.toLowerCase()}` });
  const nodeSeconds = (performance.now() - t0) / 1000;
  try {
    const t1 = performance.now();
    let images: ToolhiveImages | undefined;
    if (peer === 'ToolHive') images = await helmInstallToolhive(cp, log);
    else await helmInstallOperator(cp, log);
    const installSeconds = (performance.now() - t1) / 1000;
    await kubectl(cp, ['create', 'namespace', NAMESPACE]);
    return { peer, cp, nodeSeconds, installSeconds, images };
  } catch (err) {
    await cp.stop();
    throw err;
  }
}

export interface ServerOptions {
  /** spec.secrets: one entry, the Secret's key `value` as env PEER_SECRET. */
  secret?: string;
  backendReplicas?: number;
}

/** The MCPServer both operators get: ToolHive's shape (its yardstick examples), our server image. */
export function peerServer(name: string, transport: Transport, o: ServerOptions = {}): object {
  const spec: Record<string, unknown> = { image: IMAGES.everything, transport, proxyPort: PROXY_PORT };
  if (transport !== 'stdio') spec.mcpPort = 8080;
  if (o.secret) spec.secrets = [{ name: o.secret, key: 'value', targetEnvName: 'PEER_SECRET' }];
  if (o.backendReplicas !== undefined) spec.backendReplicas = o.backendReplicas;
  return {
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'MCPServer',
    metadata: { name, namespace: NAMESPACE },
    spec,
  };
}

/**
 * Where the client goes: Service mcp-<name>-proxy at its ClusterIP (kube-proxy routes it from this
 * host), by the Service's DNS name. Ours serves streamable HTTP at /mcp whatever the transport;
 * ToolHive's too for stdio (proxyMode streamable-http, its default) and streamable-http, and passes
 * an sse server through as HTTP+SSE at /sse.
 */
export function proxyTarget(pc: PeerCluster, name: string, transport: Transport) {
  const service = `mcp-${name}-proxy`;
  const host = `${service}.${NAMESPACE}.svc.cluster.local`;
  const sse = pc.peer === 'ToolHive' && transport === 'sse';
  let via: ReturnType<typeof fetchVia> | undefined;
  return {
    target: async (): Promise<HttpTarget | undefined> => {
      if (!via) {
        const ip = await clusterIp(pc.cp, NAMESPACE, service);
        if (!ip) return undefined;
        via = fetchVia(host, ip);
      }
      return { url: new URL(`http://${host}:${PROXY_PORT}${sse ? '/sse' : '/mcp'}`), sse, fetch: via.fetch };
    },
    close: () => via?.close() ?? Promise.resolve(),
  };
}

export interface OwnedPod extends PodObject {
  metadata: PodObject['metadata'] & { uid: string; ownerReferences?: { kind: string; name: string }[] };
  spec?: { nodeName?: string };
}

export interface ServerPods {
  proxy: OwnedPod[];
  server: OwnedPod[];
}

/** The MCPServer's pods by owner: its proxy Deployment's ReplicaSets, its server StatefulSet. */
export async function serverPods(cp: ControlPlane, name: string): Promise<ServerPods> {
  const list = await apiGet<{ items: OwnedPod[] }>(cp, `/api/v1/namespaces/${NAMESPACE}/pods`);
  const result: ServerPods = { proxy: [], server: [] };
  for (const pod of list?.items ?? []) {
    const owner = pod.metadata.ownerReferences?.[0];
    if (owner?.kind === 'ReplicaSet' && owner.name.startsWith(`${name}-`)) result.proxy.push(pod);
    if (owner?.kind === 'StatefulSet' && owner.name === name) result.server.push(pod);
  }
  return result;
}

/** Deletes the MCPServer, then its pods with a 1 s grace until none is left (bounded). */
export async function removeServer(cp: ControlPlane, name: string): Promise<void> {
  await kubectl(cp, ['-n', NAMESPACE, 'delete', 'mcpserver', name, '--ignore-not-found', '--wait=false']);
  await eventually(
    `no pods of ${name} left`,
    async () => {
      const { proxy, server } = await serverPods(cp, name);
      const left = [...proxy, ...server].map((p) => p.metadata.name);
      if (left.length === 0) return true;
      await cp.kubectl(['-n', NAMESPACE, 'delete', 'pod', ...left, '--grace-period=1', '--wait=false']);
      return undefined;
    },
    90_000,
    1000,
  ).catch((err: Error) => process.stderr.write(`bench/toolhive-node: ${err.message}; going on\n`));
}
