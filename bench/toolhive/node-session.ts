// An MCP client session for bench/toolhive-node.ts (the SDK client, one call at a time, any tool), what
// a call on it came to in a few words (works, 404, no answer, ...), and the start trial: kubectl apply
// of one MCPServer to the first echo answered through its proxy Service (as bench/node.ts times ours).
import { firstEcho, toolSession, type HttpTarget, type ToolSession } from '../lib/realnode-echo.ts';
import { kubectl } from '../lib/realnode-kube.ts';
import {
  peerServer,
  proxyTarget,
  removeServer,
  serverPods,
  type PeerCluster,
  type Transport,
} from './node-peers.ts';

export type PeerSession = ToolSession;

export const openSession = (target: HttpTarget, timeoutMs = 15_000): Promise<PeerSession> =>
  toolSession(target, timeoutMs, 'bench-toolhive-node');

/**
 * An error in a few words: "HTTP 404: <the JSON-RPC error's message>" (the SDK's StreamableHTTPError
 * carries the status as `code` and the body in its message), "no answer", or the message's start;
 * `ms`: how long it took.
 */
export function describeError(err: unknown, ms?: number): string {
  const message = err instanceof Error ? err.message : String(err);
  const took = ms === undefined ? '' : ` (${(ms / 1000).toFixed(0)} s)`;
  if (/timed out|timeout/i.test(message)) return `no answer${took}`;
  const code = (err as { code?: unknown }).code;
  const status =
    typeof code === 'number' && code >= 100 && code < 600 ? code : /HTTP (\d{3})/.exec(message)?.[1];
  const said = /"message"\s*:\s*"([^"]{1,60})/.exec(message)?.[1];
  if (status) return `HTTP ${status}${said ? ` "${said}"` : ''}${took}`;
  return `error: ${message.replace(/\s+/g, ' ').slice(0, 80)}${took}`;
}

/** A call's outcome in a few words: "works", or describeError's. */
export async function outcome(call: () => Promise<unknown>): Promise<string> {
  const t0 = performance.now();
  try {
    await call();
    return 'works';
  } catch (err) {
    return describeError(err, performance.now() - t0);
  }
}

export interface StartTrial {
  name: string;
  ms: number;
  /** Seconds after apply when the proxy and the server pod were Ready (the API's whole seconds). */
  proxyReady: number;
  serverReady: number;
}

const readyAt = (
  wall0: number,
  pod:
    { status?: { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } } | undefined,
) => {
  const c = pod?.status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'True');
  return c?.lastTransitionTime ? Math.round((Date.parse(c.lastTransitionTime) - wall0) / 100) / 10 : NaN;
};

/** kubectl apply of the MCPServer to the first echo through its proxy Service at the ClusterIP. */
export async function startTrial(pc: PeerCluster, transport: Transport, round: number): Promise<StartTrial> {
  const name = `${transport === 'streamable-http' ? 'http' : transport}-${round}`;
  const via = proxyTarget(pc, name, transport);
  const wall0 = Date.now();
  const t0 = performance.now();
  try {
    await kubectl(pc.cp, ['apply', '-f', '-'], JSON.stringify(peerServer(name, transport)));
    const ms = await firstEcho(t0, via.target, 180_000);
    const pods = await serverPods(pc.cp, name);
    return {
      name,
      ms,
      proxyReady: readyAt(wall0, pods.proxy[0]),
      serverReady: readyAt(wall0, pods.server[0]),
    };
  } finally {
    await via.close();
    await removeServer(pc.cp, name);
  }
}
