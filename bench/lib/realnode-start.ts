// bench/node.ts, part 1: from `kubectl apply` to the first tools/call answered, per transport, against
// the floor in the same run: the same server image in a bare Pod.
//
//   ours   kubectl apply of an MCPServer (image server-everything) → admission → the operator's
//          reconcile → StatefulSet (server) and proxy Deployment → both pods started by kubelet and
//          containerd → the proxy attached (stdio) or probing the server's Service (sse,
//          streamable-http) → proxy Ready → kube-proxy's rules → an SDK client on this host gets the
//          echo answer at /mcp of Service mcp-<name>-proxy: at its ClusterIP (kube-proxy routes it from
//          this host) and, at the same time, through `kubectl port-forward service/...`.
//   floor  kubectl apply of a bare Pod with the pod spec the operator gives the server (the
//          controller's own desiredStatefulSet: same image, env, stdin or port, security context),
//          until it is Ready, and until it answers: stdio, `kubectl attach -i` to it + initialize +
//          echo; sse and streamable-http, an SDK client on its pod IP (initialize + echo).
import type { ControlPlane } from '../../controlplane/cluster.ts';
import { desiredStatefulSet } from '../../controller/desired/statefulset.ts';
import type { Dict } from '../../controller/desired/types.ts';
import { IMAGES } from '../../realnode/node-images.ts';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { firstEcho, StdioRpc, type HttpTarget } from './realnode-echo.ts';
import {
  apiGet,
  clusterIp,
  deleteAndWait,
  eventually,
  fetchVia,
  isReady,
  kubectl,
  pods,
  portForward,
  type PodObject,
  type PortForward,
} from './realnode-kube.ts';

export type Transport = 'stdio' | 'sse' | 'streamable-http';
export const TRANSPORTS: Transport[] = ['stdio', 'sse', 'streamable-http'];
export const NAMESPACE = 'bench';
const PORT = 8080;
const TRIAL_DEADLINE_MS = 180_000;
const INSTANCE = 'app.kubernetes.io/instance';

export interface OursTrial {
  name: string;
  applyMs: number;
  clusterIpMs: number;
  portForwardMs: number | undefined;
  /** Seconds after apply (whole seconds, the API's timestamps) when each pod was created and Ready. */
  pods: Record<string, { created: number; ready: number }>;
}

export interface FloorTrial {
  name: string;
  readyMs: number;
  answeredMs: number;
}

const short = (t: Transport) => (t === 'streamable-http' ? 'http' : t);

/**
 * The MCPServer as a user writes it, image aside: the operator tells the server its transport
 * (MCP_TRANSPORT, MCP_PORT), which the image's start script reads.
 */
export function mcpServer(name: string, transport: Transport): MCPServer {
  return {
    apiVersion: 'toolhive.stacklok.dev/v1alpha1',
    kind: 'MCPServer',
    metadata: { name, namespace: NAMESPACE },
    spec: { image: IMAGES.everything, transport },
  };
}

/** A bare Pod with the pod spec the controller gives the MCP server, without its labels and account. */
export function floorPod(name: string, transport: Transport): Dict {
  const set = desiredStatefulSet(mcpServer(name, transport), { secrets: new Map() });
  const template = (set.spec as { template: { spec: Dict } }).template;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NAMESPACE,
      labels: { [INSTANCE]: name, 'mcp-operator.bench/floor': 'true' },
    },
    spec: { ...template.spec, serviceAccountName: 'default', restartPolicy: 'Always' },
  };
}

/** The proxy's Service at its ClusterIP, by the Service's name (the proxy checks Host). */
function clusterIpTarget(cp: ControlPlane, name: string) {
  const service = `mcp-${name}-proxy`;
  const host = `${service}.${NAMESPACE}.svc.cluster.local`;
  let via: ReturnType<typeof fetchVia> | undefined;
  return {
    target: async (): Promise<HttpTarget | undefined> => {
      if (!via) {
        const ip = await clusterIp(cp, NAMESPACE, service);
        if (!ip) return undefined;
        via = fetchVia(host, ip);
      }
      return { url: new URL(`http://${host}:${PORT}/mcp`), fetch: via.fetch };
    },
    close: () => via?.close() ?? Promise.resolve(),
  };
}

/** The proxy's Service through `kubectl port-forward`, started once a proxy pod runs, again if it ends. */
function portForwardTarget(cp: ControlPlane, name: string) {
  let forward: PortForward | undefined;
  const selector = `${INSTANCE}=${name},app.kubernetes.io/component=proxy`;
  return {
    target: async (): Promise<HttpTarget | undefined> => {
      if (!forward) {
        const running = (await pods(cp, NAMESPACE, selector)).some((p) => p.status?.phase === 'Running');
        if (!running) return undefined;
        const started = await portForward(cp, NAMESPACE, `service/mcp-${name}-proxy`, PORT);
        forward = started;
        void started.exited.then(() => {
          if (forward === started) forward = undefined;
        });
      }
      return { url: new URL(`${forward.url}/mcp`) };
    },
    close: () => forward?.stop(),
  };
}

const secondsAfter = (wall0: number, stamp: string | undefined) =>
  stamp ? Math.round((Date.parse(stamp) - wall0) / 100) / 10 : NaN;

function podStages(list: PodObject[], wall0: number): OursTrial['pods'] {
  const stages: OursTrial['pods'] = {};
  for (const pod of list) {
    const component = pod.metadata.labels?.['app.kubernetes.io/component'] ?? pod.metadata.name;
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
    stages[component] = {
      created: secondsAfter(wall0, pod.metadata.creationTimestamp),
      ready: secondsAfter(wall0, ready?.lastTransitionTime),
    };
  }
  return stages;
}

export async function oursTrial(
  cp: ControlPlane,
  transport: Transport,
  round: number,
  withPortForward: boolean,
): Promise<OursTrial> {
  const name = `${short(transport)}-${round}`;
  const viaIp = clusterIpTarget(cp, name);
  const viaForward = portForwardTarget(cp, name);
  const wall0 = Date.now(); // the API's timestamps are whole seconds, truncated: stages are -1 s to 0 early
  const t0 = performance.now();
  try {
    await kubectl(cp, ['apply', '-f', '-'], JSON.stringify(mcpServer(name, transport)));
    const applyMs = performance.now() - t0;
    const [clusterIpMs, portForwardMs] = await Promise.all([
      firstEcho(t0, viaIp.target, TRIAL_DEADLINE_MS),
      // A figure on the side: its failure (kubectl's, say) is reported, not fatal to the trial.
      withPortForward
        ? firstEcho(t0, viaForward.target, TRIAL_DEADLINE_MS, 250).catch((err: Error) => {
            process.stderr.write(`bench/node: ${name} through port-forward: ${err.message}\n`);
            return NaN;
          })
        : undefined,
    ]);
    const stages = podStages(await pods(cp, NAMESPACE, `${INSTANCE}=${name}`), wall0);
    return { name, applyMs, clusterIpMs, portForwardMs, pods: stages };
  } finally {
    await viaIp.close();
    viaForward.close();
    await deleteAndWait(cp, NAMESPACE, ['mcpserver', name], `${INSTANCE}=${name}`);
  }
}

async function floorAnswer(
  cp: ControlPlane,
  transport: Transport,
  name: string,
  t0: number,
  ready: Promise<number>,
): Promise<number> {
  const path = `/api/v1/namespaces/${NAMESPACE}/pods/${name}`;
  if (transport === 'stdio') {
    await ready; // attach needs a running container; Ready is when kubelet says it runs
    const rpc = new StdioRpc(cp.binaries.kubectl, [
      `--kubeconfig=${cp.kubeconfig}`,
      '-n',
      NAMESPACE,
      'attach',
      '-i',
      name,
      '-c',
      'mcp',
    ]);
    try {
      await rpc.initialize();
      await rpc.echo('first');
      return performance.now() - t0;
    } finally {
      await rpc.close();
    }
  }
  let ip: string | undefined;
  const target = async (): Promise<HttpTarget | undefined> => {
    ip ??= (await apiGet<PodObject>(cp, path))?.status?.podIP;
    if (!ip) return undefined;
    return {
      url: new URL(`http://${ip}:${PORT}${transport === 'sse' ? '/sse' : '/mcp'}`),
      sse: transport === 'sse',
    };
  };
  return firstEcho(t0, target, TRIAL_DEADLINE_MS);
}

export async function floorTrial(cp: ControlPlane, transport: Transport, round: number): Promise<FloorTrial> {
  const name = `floor-${short(transport)}-${round}`;
  const path = `/api/v1/namespaces/${NAMESPACE}/pods/${name}`;
  const t0 = performance.now();
  try {
    await kubectl(cp, ['apply', '-f', '-'], JSON.stringify(floorPod(name, transport)));
    const ready = eventually(
      'the floor pod Ready',
      async () => (isReady(await apiGet<PodObject>(cp, path)) ? performance.now() - t0 : undefined),
      TRIAL_DEADLINE_MS,
      100,
    );
    const [readyMs, echoMs] = await Promise.all([ready, floorAnswer(cp, transport, name, t0, ready)]);
    // Over HTTP the server may answer before kubelet reports it Ready; the proxy reaches it only once Ready.
    return { name, readyMs, answeredMs: Math.max(readyMs, echoMs) };
  } finally {
    await deleteAndWait(cp, NAMESPACE, ['pod', name], `${INSTANCE}=${name}`);
  }
}
