import { expect } from 'chai';
import type { Dict, Finding } from '../../../controller/desired/types.ts';
import { statusChanged, statusFor, type Observed } from '../../../controller/status.ts';
import type { MCPServer } from '../../../schemas/generated/mcpserver.ts';
import { config, mcpServer, withMetadata, withSpec } from './builders.ts';

const OK: Finding = { status: 'True', reason: 'Resolved', message: 'ok' };
const NOW = new Date('2026-01-01T00:00:00Z');
const workload = (ready: number, replicas = 1): Dict => ({
  spec: { replicas },
  status: { readyReplicas: ready },
});
const pod = (component: string, waitingReason?: string): Dict => ({
  metadata: { name: `${component}-pod`, labels: { 'app.kubernetes.io/component': component } },
  status: {
    phase: 'Pending',
    containerStatuses: waitingReason ? [{ state: { waiting: { reason: waitingReason } } }] : [],
  },
});
function observed(fields: Partial<Observed> = {}): Observed {
  return {
    statefulSet: workload(1),
    deployment: workload(1),
    pods: [],
    findings: { secrets: OK, permissionProfile: OK },
    applyFailure: undefined,
    ...fields,
  };
}
const verdict = (server: MCPServer, o: Observed) => {
  const s = statusFor(server, o, config(), NOW);
  return { phase: s.phase, reason: s.conditions?.find((c) => c.type === 'Ready')?.reason };
};

describe('statusFor', () => {
  const cases: Record<
    string,
    { server: MCPServer; observed: Observed; want: { phase: string; reason: string } }
  > = {
    'is Ready when the server and a proxy pod are ready': {
      server: mcpServer('a'),
      observed: observed(),
      want: { phase: 'Ready', reason: 'Ready' },
    },
    'is Pending while the server pod starts': {
      server: mcpServer('a'),
      observed: observed({ statefulSet: workload(0) }),
      want: { phase: 'Pending', reason: 'Starting' },
    },
    'is Pending while the proxy is not created yet': {
      server: mcpServer('a'),
      observed: observed({ deployment: undefined }),
      want: { phase: 'Pending', reason: 'NotFound' },
    },
    'is Failed with CrashLoopBackOff from a server pod': {
      server: mcpServer('a'),
      observed: observed({ statefulSet: workload(0), pods: [pod('mcp-server', 'CrashLoopBackOff')] }),
      want: { phase: 'Failed', reason: 'CrashLoopBackOff' },
    },
    'is Failed with ImagePullBackOff from a proxy pod': {
      server: mcpServer('a'),
      observed: observed({ pods: [pod('proxy', 'ImagePullBackOff')] }),
      want: { phase: 'Failed', reason: 'ImagePullBackOff' },
    },
    'is Failed with CreateContainerConfigError (a missing Secret)': {
      server: mcpServer('a'),
      observed: observed({ pods: [pod('mcp-server', 'CreateContainerConfigError')] }),
      want: { phase: 'Failed', reason: 'CreateContainerConfigError' },
    },
    'ignores a waiting reason that is not a failure': {
      server: mcpServer('a'),
      observed: observed({ statefulSet: workload(0), pods: [pod('mcp-server', 'ContainerCreating')] }),
      want: { phase: 'Pending', reason: 'Starting' },
    },
    'is Failed when a child could not be applied': {
      server: mcpServer('a'),
      observed: observed({ applyFailure: { kind: 'StatefulSet', name: 'a', message: 'invalid' } }),
      want: { phase: 'Failed', reason: 'ApplyFailed' },
    },
    'is Stopped at replicas 0': {
      server: mcpServer('a', withSpec({ replicas: 0 })),
      observed: observed({ statefulSet: workload(0, 0), deployment: workload(0, 0) }),
      want: { phase: 'Stopped', reason: 'Stopped' },
    },
    'is Terminating once deletion started, whatever else': {
      server: mcpServer('a', withMetadata({ deletionTimestamp: '2026-01-01T00:00:00Z' })),
      observed: observed({ pods: [pod('proxy', 'CrashLoopBackOff')] }),
      want: { phase: 'Terminating', reason: 'Terminating' },
    },
  };
  for (const [name, c] of Object.entries(cases))
    it(name, () => expect(verdict(c.server, c.observed)).to.deep.equal(c.want));

  it('computes the URL from the proxy Service, port and proxy mode', () => {
    const url = (server: MCPServer) => statusFor(server, observed(), config(), NOW).url;
    expect([
      url(mcpServer('a')),
      url(mcpServer('b', withSpec({ proxyMode: 'sse', proxyPort: 9090 }))),
      url(mcpServer('c', withSpec({ transport: 'sse', port: 7070 }))),
    ]).to.deep.equal([
      'http://mcp-a-proxy.team-a.svc.cluster.local:8080/mcp',
      'http://mcp-b-proxy.team-a.svc.cluster.local:9090/sse#b',
      'http://mcp-c-proxy.team-a.svc.cluster.local:7070/sse#c',
    ]);
  });

  it('keeps lastTransitionTime while a condition keeps its status, and moves it when the status changes', () => {
    const first = statusFor(mcpServer('a'), observed({ statefulSet: workload(0) }), config(), NOW);
    const later = new Date('2026-01-01T01:00:00Z');
    const server = mcpServer('a', (s) => (s.status = first));
    const second = statusFor(server, observed(), config(), later);
    const time = (type: string) => second.conditions?.find((c) => c.type === type)?.lastTransitionTime;
    expect([time('SecretsResolved'), time('Ready')]).to.deep.equal([NOW.toISOString(), later.toISOString()]);
  });

  it('records observedGeneration on the status and every condition', () => {
    const s = statusFor(mcpServer('a', withMetadata({ generation: 7 })), observed(), config(), NOW);
    expect([s.observedGeneration, ...(s.conditions ?? []).map((c) => c.observedGeneration)]).to.deep.equal([
      7, 7, 7, 7, 7, 7, 7,
    ]);
  });
});

describe('statusChanged', () => {
  it('is false for the same status with keys in another order, true for any difference', () => {
    const s = statusFor(mcpServer('a'), observed(), config(), NOW);
    const reordered = Object.fromEntries(Object.entries(s).reverse());
    expect([
      statusChanged(s, reordered),
      statusChanged(s, { ...s, readyReplicas: 2 }),
      statusChanged(undefined, s),
    ]).to.deep.equal([false, true, true]);
  });
});
