// The floor of bench/controller: what the cluster itself needs to bring up the children of `count`
// MCPServers, with no controller at all. The bench computes each server's children with the
// controller's own pure functions (controller/desired), applies them with server-side apply in the
// controller's pattern (16 servers at a time, each in its two waves: everything else, then the two
// workloads) over kept-alive connections, and times until every pod is Ready. No informers, no
// status, no Events, no MCPServer objects: whatever a controller adds on top is measured against this,
// in the same run, on the same control plane.
import { Agent, request as httpsRequest } from 'node:https';
import type { ControlPlane } from '../../controlplane/cluster.ts';
import { defaultControllerConfig } from '../../controller/config.ts';
import { desiredChildren } from '../../controller/desired/children.ts';
import type { ChildObject } from '../../controller/desired/types.ts';
import { applyWaves } from '../../controller/reconcile.ts';
import { resourcePath } from '../../controller/resources.ts';
import type { MCPServer } from '../../schemas/generated/mcpserver.ts';
import { watchUntilCount } from './controller-cluster.ts';

/**
 * The children of `server` in the controller's two apply waves, without owner references: there is no
 * owner, and GC would delete them.
 */
export function floorChildren(server: MCPServer): [ChildObject[], ChildObject[]] {
  const objects = desiredChildren(server, { secrets: new Map() }, defaultControllerConfig()).objects;
  return applyWaves(
    objects.map((o) => {
      const { ownerReferences: _none, ...metadata } = o.metadata;
      return { ...o, metadata } as ChildObject;
    }),
  );
}

function apply(cp: ControlPlane, agent: Agent, object: ChildObject): Promise<void> {
  const { name, namespace } = object.metadata;
  const url = new URL(
    `${cp.server}${resourcePath(object.kind, namespace, name)}?fieldManager=bench-floor&force=true`,
  );
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        ...cp.adminTls,
        agent,
        method: 'PATCH',
        headers: { 'content-type': 'application/apply-patch+yaml' },
        timeout: 120_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          res.statusCode === 200 || res.statusCode === 201
            ? resolve()
            : reject(new Error(`APPLY ${url.pathname}: ${res.statusCode} ${body.slice(0, 200)}`)),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`APPLY ${url.pathname} timed out`)));
    req.on('error', reject);
    req.end(JSON.stringify(object));
  });
}

const podReady = (item: unknown): boolean =>
  (item as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions?.some(
    (c) => c.type === 'Ready' && c.status === 'True',
  ) === true;

export interface FloorResult {
  /** Seconds until the last child was applied. */
  appliedSeconds: number;
  /** Seconds until every pod (one per workload) was Ready. */
  readySeconds: number;
}

/**
 * Applies the children of `servers` (all in `namespace`) `workers` servers at a time and resolves once
 * 2 pods per server are Ready. `progress` hears the number of Ready pods.
 */
export async function runFloor(
  cp: ControlPlane,
  servers: MCPServer[],
  namespace: string,
  options: { workers: number; progress: (ready: number, seconds: number) => void },
): Promise<FloorResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.workers * 8 });
  const t0 = performance.now();
  const allReady = watchUntilCount(
    cp,
    `/api/v1/namespaces/${namespace}/pods`,
    { count: 2 * servers.length, ok: podReady },
    t0,
    options.progress,
  );
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < servers.length) {
      for (const wave of floorChildren(servers[next++]!))
        await Promise.all(wave.map((o) => apply(cp, agent, o)));
    }
  };
  await Promise.all(Array.from({ length: options.workers }, worker));
  const appliedSeconds = (performance.now() - t0) / 1000;
  const readySeconds = await allReady;
  agent.destroy();
  return { appliedSeconds, readySeconds };
}
