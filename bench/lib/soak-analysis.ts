// The soak's judgements, pure so they can be unit-tested: which MCPServer events the controller missed
// (comparing what the churn last wrote with what the cluster holds after convergence), how the next
// churn operation is chosen, and how memory trended (a least-squares slope over the run's second half).

/** What the churn last did to one MCPServer. */
export interface ExpectedServer {
  name: string;
  /** metadata.uid from the create response. */
  uid: string;
  transport: string;
  /** The SOAK_REV env value the last create or update wrote into spec.env. */
  rev: number;
  deleted: boolean;
}

export interface ObservedServer {
  name: string;
  uid: string;
  generation: number;
  observedGeneration: number | undefined;
}

/** One object of a child kind labelled app.kubernetes.io/instance=<instance>. */
export interface ObservedChild {
  kind: string;
  name: string;
  instance: string;
  ownerUids: string[];
  /** For the StatefulSet: the SOAK_REV env of its `mcp` container's template. */
  rev?: string;
}

export interface MissedEvent {
  server: string;
  what: string;
}

/**
 * The children the controller makes for an MCPServer (the NetworkPolicy whether or not it has a
 * permission profile), as "Kind/name": the lists of test/integration/controller-fixtures.ts
 * (networkedChildren, stdioChildren), copied because that module pulls in the test harness.
 */
export function expectedChildren(name: string, transport: string): string[] {
  const common = [
    `ConfigMap/${name}-runconfig`,
    `Deployment/${name}`,
    `NetworkPolicy/${name}-permission-profile`,
    `NetworkPolicy/${name}-proxy`,
    `Service/mcp-${name}-proxy`,
    `ServiceAccount/${name}-proxy-runner`,
    `ServiceAccount/${name}-sa`,
    `StatefulSet/${name}`,
  ];
  const perTransport =
    transport === 'stdio'
      ? [`Role/${name}-proxy-runner`, `RoleBinding/${name}-proxy-runner`]
      : [`Service/mcp-${name}`, `Service/mcp-${name}-headless`];
  return [...common, ...perTransport].sort();
}

/**
 * Every way the cluster disagrees with the churn's last word: a live MCPServer that is gone, whose
 * status is behind its generation, whose children are missing, extra, owned by someone else, or whose
 * workload template does not carry the last update; a deleted one still present or with any child left.
 */
export function missedEvents(
  expected: readonly ExpectedServer[],
  servers: readonly ObservedServer[],
  children: readonly ObservedChild[],
): MissedEvent[] {
  const serverByName = new Map(servers.map((s) => [s.name, s]));
  const childrenByInstance = new Map<string, ObservedChild[]>();
  for (const c of children)
    childrenByInstance.set(c.instance, [...(childrenByInstance.get(c.instance) ?? []), c]);
  return expected.flatMap((e) => {
    const server = serverByName.get(e.name);
    const own = childrenByInstance.get(e.name) ?? [];
    const problems = e.deleted ? deletedProblems(server, own) : liveProblems(e, server, own);
    return problems.map((what) => ({ server: e.name, what }));
  });
}

const kindName = (c: ObservedChild): string => `${c.kind}/${c.name}`;

function deletedProblems(server: ObservedServer | undefined, own: readonly ObservedChild[]): string[] {
  const problems: string[] = [];
  if (server) problems.push('deleted but still present');
  if (own.length) problems.push(`deleted but children left: ${own.map(kindName).join(', ')}`);
  return problems;
}

function liveProblems(
  e: ExpectedServer,
  server: ObservedServer | undefined,
  own: readonly ObservedChild[],
): string[] {
  if (!server || server.uid !== e.uid) return ['live but not found'];
  const problems: string[] = [];
  if (server.observedGeneration !== server.generation)
    problems.push(
      `status.observedGeneration ${server.observedGeneration} != generation ${server.generation}`,
    );
  const want = expectedChildren(e.name, e.transport);
  const have = own.map(kindName).sort();
  const missing = want.filter((k) => !have.includes(k));
  const extra = have.filter((k) => !want.includes(k));
  if (missing.length) problems.push(`children missing: ${missing.join(', ')}`);
  if (extra.length) problems.push(`unexpected children: ${extra.join(', ')}`);
  const foreign = own.filter((c) => !c.ownerUids.includes(e.uid));
  if (foreign.length) problems.push(`children not owned by it: ${foreign.map(kindName).join(', ')}`);
  const workload = own.find((c) => c.kind === 'StatefulSet');
  if (workload && workload.rev !== String(e.rev))
    problems.push(`workload template has SOAK_REV ${workload.rev}, last update wrote ${e.rev}`);
  return problems;
}

export type Operation = 'create' | 'update' | 'delete';

/**
 * The next churn operation for a uniform draw `u` in [0, 1): a third each when `live` is at the target,
 * leaning toward create below it and delete above it (fully so 10 away), so the population hovers
 * around the target while every kind of event keeps happening.
 */
export function chooseOperation(u: number, live: number, target: number): Operation {
  if (live === 0) return 'create';
  const lean = Math.max(-1, Math.min(1, (target - live) / 10)) / 3;
  const create = 1 / 3 + lean;
  const remove = 1 / 3 - lean;
  if (u < create) return 'create';
  if (u < create + remove) return 'delete';
  return 'update';
}

/** A small seeded generator (mulberry32), so a soak's sequence of operations can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Point {
  x: number;
  y: number;
}

/** Least-squares slope of y over x; 0 for fewer than two distinct x. */
export function linearSlope(points: readonly Point[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  if (sxx === 0) return 0;
  return points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) / sxx;
}

export interface MemoryTrend {
  first: number;
  last: number;
  min: number;
  max: number;
  /** MiB per hour, fitted over the second half of the samples (after warm-up). */
  slopePerHour: number;
}

/** First, last, min, max and the second-half slope of a series of (seconds, MiB) samples. */
export function memoryTrend(samples: readonly { seconds: number; mib: number }[]): MemoryTrend {
  if (!samples.length) return { first: 0, last: 0, min: 0, max: 0, slopePerHour: 0 };
  const secondHalf = samples.slice(Math.floor(samples.length / 2));
  return {
    first: samples[0]!.mib,
    last: samples.at(-1)!.mib,
    min: Math.min(...samples.map((s) => s.mib)),
    max: Math.max(...samples.map((s) => s.mib)),
    slopePerHour: linearSlope(secondHalf.map((s) => ({ x: s.seconds / 3600, y: s.mib }))),
  };
}
