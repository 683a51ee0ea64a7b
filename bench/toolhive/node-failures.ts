// The known-failure rows of bench/toolhive-node.ts, each an action and what an MCP client then sees,
// done the same way on either peer's cluster (same manifest, same client, same waits):
//   proxy pod deleted   under a live session on a stdio server: the old session's next call, the
//                       time to a new session's first answer, whether the server pod was replaced;
//   Secret rotated      the server's env from spec.secrets: the value the old session's and a new
//                       session's get-env see, whether the server pod is replaced;
//   stdio pod deleted   the server pod under a live session: as for the proxy pod;
//   backendReplicas 2   streamable-http: the server and proxy pods Ready, and on which backend
//                       (get-env's HOSTNAME, the pod's name) each call of several sessions lands;
//   idle attach         a stdio session idle for some minutes (the other rows run meanwhile), then a call.
import type { ControlPlane } from '../../controlplane/cluster.ts';
import { firstEcho } from '../lib/realnode-echo.ts';
import { apiGet, eventually, isReady, kubectl, sleep } from '../lib/realnode-kube.ts';
import {
  NAMESPACE,
  peerServer,
  proxyTarget,
  removeServer,
  serverPods,
  type PeerCluster,
  type ServerOptions,
  type Transport,
} from './node-peers.ts';
import { describeError, openSession, outcome, type PeerSession } from './node-session.ts';

export type Row =
  'proxy pod deleted' | 'Secret rotated' | 'stdio pod deleted' | 'backendReplicas: 2' | 'idle attach';
export const ROWS: Row[] = [
  'proxy pod deleted',
  'Secret rotated',
  'stdio pod deleted',
  'backendReplicas: 2',
  'idle attach',
];

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const DEADLINE_MS = 180_000;

interface Live {
  name: string;
  via: ReturnType<typeof proxyTarget>;
  session: PeerSession;
  close(): Promise<void>;
}

/** Applies a server, waits for its first echo, opens the session the row acts under. */
async function liveServer(
  pc: PeerCluster,
  name: string,
  transport: Transport,
  o: ServerOptions = {},
): Promise<Live> {
  await kubectl(pc.cp, ['apply', '-f', '-'], JSON.stringify(peerServer(name, transport, o)));
  const via = proxyTarget(pc, name, transport);
  await firstEcho(performance.now(), via.target, DEADLINE_MS);
  const session = await openSession((await via.target())!);
  await session.call('echo', { message: 'before' });
  return {
    name,
    via,
    session,
    async close() {
      await session.close();
      await via.close();
      await removeServer(pc.cp, name);
    },
  };
}

type Kind = 'proxy' | 'server';

async function podOf(cp: ControlPlane, name: string, kind: Kind) {
  const pods = await serverPods(cp, name);
  const pod = pods[kind].find((p) => !p.metadata.deletionTimestamp);
  if (!pod) throw new Error(`${name}: no ${kind} pod`);
  return pod;
}

/** Waits for a Ready pod of `kind` other than `oldUid`; ms after t0, or undefined if none in `ms`. */
async function replacedAt(
  cp: ControlPlane,
  name: string,
  kind: Kind,
  old: { uid: string; t0: number; ms?: number },
) {
  const { uid: oldUid, t0, ms = DEADLINE_MS } = old;
  return eventually(
    `a new ${kind} pod of ${name}`,
    async () => {
      const pods = (await serverPods(cp, name))[kind];
      return pods.some((p) => p.metadata.uid !== oldUid && isReady(p) && !p.metadata.deletionTimestamp)
        ? performance.now() - t0
        : undefined;
    },
    ms,
    500,
  ).catch(() => undefined);
}

/** A pod of the server deleted (default grace, as a node drain or an eviction does) under a live session. */
async function podDeleted(pc: PeerCluster, name: string, kind: Kind): Promise<string> {
  const live = await liveServer(pc, name, 'stdio');
  try {
    const victim = await podOf(pc.cp, name, kind);
    const other = await podOf(pc.cp, name, kind === 'proxy' ? 'server' : 'proxy');
    const t0 = performance.now();
    await kubectl(pc.cp, ['-n', NAMESPACE, 'delete', 'pod', victim.metadata.name, '--wait=false']);
    const back = await replacedAt(pc.cp, name, kind, { uid: victim.metadata.uid, t0 });
    await sleep(3000); // the proxy notices a new server pod, kube-proxy its new endpoint
    const old = await outcome(() => live.session.call('echo', { message: 'after' }));
    const fresh = await firstEcho(t0, live.via.target, DEADLINE_MS).then(
      secs,
      (e: Error) => `none (${e.message.slice(0, 60)})`,
    );
    const otherNow = (await serverPods(pc.cp, name))[kind === 'proxy' ? 'server' : 'proxy'];
    const otherKept = otherNow.some(
      (p) => p.metadata.uid === other.metadata.uid && !p.metadata.deletionTimestamp,
    );
    return [
      `new ${kind} pod Ready ${back === undefined ? 'never (180 s)' : `at ${secs(back)}`}`,
      `old session: ${old}`,
      `new session answered at ${fresh}`,
      `${kind === 'proxy' ? 'server' : 'proxy'} pod ${otherKept ? 'kept' : 'replaced'}`,
    ].join('; ');
  } finally {
    await live.close();
  }
}

const secretJson = (value: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'peer-secret', namespace: NAMESPACE },
    stringData: { value },
  });

/** Which of the two values get-env shows for PEER_SECRET. */
async function secretSeen(session: PeerSession): Promise<string> {
  const text = await session.call('get-env');
  return text.includes('value-two') ? 'new' : text.includes('value-one') ? 'old' : 'neither';
}

async function secretRotated(pc: PeerCluster): Promise<string> {
  const name = 'fail-secret';
  await kubectl(pc.cp, ['apply', '-f', '-'], secretJson('value-one'));
  const live = await liveServer(pc, name, 'stdio', { secret: 'peer-secret' });
  try {
    const before = await secretSeen(live.session);
    const server = await podOf(pc.cp, name, 'server');
    const t0 = performance.now();
    await kubectl(pc.cp, ['apply', '-f', '-'], secretJson('value-two'));
    const back = await replacedAt(pc.cp, name, 'server', { uid: server.metadata.uid, t0, ms: 60_000 });
    await sleep(3000);
    const oldSession = await secretSeen(live.session).catch(async (e: Error) =>
      outcome(() => Promise.reject(e)),
    );
    // A new session, retried for up to 30 s: the value it sees once one answers.
    let fresh = 'no session in 30 s';
    const until = performance.now() + 30_000;
    while (performance.now() < until) {
      const session = await openSession((await live.via.target())!).catch(() => undefined);
      if (session) {
        fresh = await secretSeen(session).catch(() => fresh);
        await session.close();
        if (fresh === 'new' || fresh === 'old') break;
      }
      await sleep(1000);
    }
    return [
      `before: ${before} value`,
      `server pod ${back === undefined ? 'not replaced in 60 s' : `replaced, Ready at ${secs(back)}`}`,
      `old session: ${oldSession === 'new' || oldSession === 'old' ? `${oldSession} value` : oldSession}`,
      `new session: ${fresh === 'new' || fresh === 'old' ? `${fresh} value` : fresh}`,
    ].join('; ');
  } finally {
    await live.close();
  }
}

/** backendReplicas 2 on streamable-http: what runs, and where SESSIONS open sessions' 3 get-env calls each land. */
async function backendReplicas(pc: PeerCluster): Promise<string> {
  const name = 'fail-replicas';
  const SESSIONS = 6;
  const live = await liveServer(pc, name, 'streamable-http', { backendReplicas: 2 });
  try {
    await eventually(
      'two server pods Ready',
      async () => ((await serverPods(pc.cp, name)).server.filter(isReady).length >= 2 ? true : undefined),
      60_000,
      1000,
    ).catch(() => undefined);
    const pods = await serverPods(pc.cp, name);
    const landed = new Map<string, number>();
    let failed = 0;
    const errors = new Set<string>();
    // All sessions open at once (as concurrent clients are), then 3 calls on each in turn.
    const sessions: PeerSession[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const session = await openSession((await live.via.target())!).catch((e: unknown) => {
        errors.add(describeError(e));
        return undefined;
      });
      if (session) sessions.push(session);
      else failed += 3;
    }
    const hosts = sessions.map(() => new Set<string>());
    for (let c = 0; c < 3; c++)
      for (const [i, session] of sessions.entries()) {
        try {
          const host = /HOSTNAME\\?"\s*:\s*\\?"([^"\\]+)/.exec(await session.call('get-env'))?.[1] ?? '?';
          hosts[i]!.add(host);
          landed.set(host, (landed.get(host) ?? 0) + 1);
        } catch (err) {
          failed++;
          errors.add(describeError(err));
        }
      }
    await Promise.all(sessions.map((x) => x.close()));
    const stayed = hosts.filter((h) => h.size === 1).length;
    const spread = [...landed].map(([h, n]) => `${n} on ${h}`).join(', ');
    return [
      `${pods.server.filter(isReady).length} server pod(s) Ready, ${pods.proxy.filter(isReady).length} proxy`,
      `${SESSIONS} sessions open at once × 3 calls: ${spread || 'none answered'}`,
      `the server Service's sessionAffinity ${await affinity(pc.cp, name)}`,
      `${stayed} of ${SESSIONS} sessions kept one backend`,
      `${failed} calls failed${errors.size ? ` (${[...errors].join(' | ')})` : ''}`,
    ].join('; ');
  } finally {
    await live.close();
  }
}

/** The sessionAffinity of the Services in front of the server pods (mcp-<name>, which both operators make). */
async function affinity(cp: ControlPlane, name: string): Promise<string> {
  const svc = await apiGet<{ spec: { sessionAffinity?: string } }>(
    cp,
    `/api/v1/namespaces/${NAMESPACE}/services/mcp-${name}`,
  );
  return svc ? (svc.spec.sessionAffinity ?? 'None') : '(no Service mcp-' + name + ')';
}

export interface IdleSession {
  finish(): Promise<string>;
}

/** Opens the idle stdio session; finish() waits until `minutes` have passed since its last call, then calls. */
export async function idleAttach(pc: PeerCluster, minutes: number): Promise<IdleSession> {
  const live = await liveServer(pc, 'fail-idle', 'stdio');
  const last = performance.now();
  return {
    async finish() {
      try {
        const wait = minutes * 60_000 - (performance.now() - last);
        if (wait > 0) await sleep(wait);
        const idle = (performance.now() - last) / 60_000;
        const result = await outcome(() => live.session.call('echo', { message: 'after idle' }));
        return `after ${idle.toFixed(1)} min idle: ${result}`;
      } finally {
        await live.close();
      }
    },
  };
}

/** Every row but the idle one, in order; a row that throws says so and the next one runs. */
export async function failureRows(pc: PeerCluster, say: (line: string) => void): Promise<Map<Row, string>> {
  const rows = new Map<Row, string>();
  const steps: [Row, () => Promise<string>][] = [
    ['proxy pod deleted', () => podDeleted(pc, 'fail-proxy', 'proxy')],
    ['Secret rotated', () => secretRotated(pc)],
    ['stdio pod deleted', () => podDeleted(pc, 'fail-stdio', 'server')],
    ['backendReplicas: 2', () => backendReplicas(pc)],
  ];
  for (const [row, run] of steps) {
    const result = await run().catch((err: Error) => `row failed: ${err.message.slice(0, 160)}`);
    say(`${pc.peer}, ${row}: ${result}`);
    rows.set(row, result);
  }
  return rows;
}
