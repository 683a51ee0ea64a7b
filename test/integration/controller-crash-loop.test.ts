// A crash-looping MCP server as the kubelet reports one: KWOK's test-pod-crash-loop stage
// (controlplane/kwok-test-stages.ts) starts the pod, then marks its container waiting in
// CrashLoopBackOff with restarts, for pods annotated test.mcp-operator/kwok-fail=CrashLoopBackOff.
// The annotation goes in through spec.podTemplateSpec.metadata, as any user annotation would; nothing
// here writes pod status itself.
import { expect } from 'chai';
import { stringify } from 'yaml';
import { defaultControllerConfig } from '../../controller/config.ts';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { Manager } from '../../controller/manager.ts';
import { KWOK_FAIL_ANNOTATION } from '../../controlplane/kwok-test-stages.ts';
import { silentLogger } from '../../lib/log.ts';
import { ensureNamespace, installCrd, kubectl, serverInPhase } from './controller-fixtures.ts';
import { controlPlane, eventually } from './harness.ts';

const ns = `ctrl-crash-${process.pid}`;

const server = (annotations: Record<string, string>) =>
  stringify({
    apiVersion: 'toolhive.stacklok.dev/v1alpha1',
    kind: 'MCPServer',
    metadata: { name: 'crashy', namespace: ns },
    spec: {
      image: 'ghcr.io/example/crashy:1',
      transport: 'streamable-http',
      podTemplateSpec: { metadata: { annotations } },
    },
  });

interface ContainerStatus {
  name: string;
  restartCount: number;
  state?: { waiting?: { reason?: string } };
}

async function mcpContainerStatus(): Promise<ContainerStatus | undefined> {
  const out = await kubectl(['-n', ns, 'get', 'pod', 'crashy-0', '-o', 'json']);
  const pod = JSON.parse(out) as { status?: { containerStatuses?: ContainerStatus[] } };
  return pod.status?.containerStatuses?.find((c) => c.name === 'mcp');
}

describe('an MCPServer whose pod is in CrashLoopBackOff', function () {
  this.timeout(120_000);
  let manager: Manager;

  before(async () => {
    await installCrd();
    await ensureNamespace(ns);
    manager = new Manager({
      access: await loadApiAccess(controlPlane().kubeconfig),
      config: { ...defaultControllerConfig(), proxyImage: 'example.invalid/mcp-operator:test' },
      log: silentLogger(),
      namespaces: [ns],
      workers: 2,
    });
    await manager.start();
    await kubectl(['apply', '-f', '-'], server({ [KWOK_FAIL_ANNOTATION]: 'CrashLoopBackOff' }));
  });

  after(async () => {
    await manager?.stop();
    await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
  });

  it('has its mcp container waiting in CrashLoopBackOff with restarts, as KWOK reports it', async () => {
    const status = await eventually('the mcp container to crash-loop', async () => {
      const s = await mcpContainerStatus();
      return s?.state?.waiting?.reason === 'CrashLoopBackOff' ? s : undefined;
    });
    expect(status.restartCount).to.be.greaterThan(0);
  });

  it('reports phase Failed with the reason on Ready and WorkloadReady', async () => {
    const failed = await serverInPhase(ns, 'crashy', 'Failed');
    expect(failed.status?.message).to.equal('MCP server pod crashy-0: CrashLoopBackOff');
    const conditions = failed.status?.conditions?.filter((c) => ['Ready', 'WorkloadReady'].includes(c.type));
    expect(conditions?.map((c) => [c.type, c.status, c.reason])).to.deep.equal([
      ['Ready', 'False', 'CrashLoopBackOff'],
      ['WorkloadReady', 'False', 'CrashLoopBackOff'],
    ]);
    const events = JSON.parse(
      await kubectl([
        '-n',
        ns,
        'get',
        'events',
        '--field-selector',
        'involvedObject.kind=MCPServer,involvedObject.name=crashy',
        '-o',
        'json',
      ]),
    ) as { items: { type: string; reason: string }[] };
    expect(events.items.filter((e) => e.type === 'Warning').map((e) => e.reason)).to.include(
      'CrashLoopBackOff',
    );
  });

  it('returns to Ready once a spec change replaces the crashing pod with a healthy one', async () => {
    await kubectl(['apply', '-f', '-'], server({}));
    const ready = await serverInPhase(ns, 'crashy', 'Ready');
    expect(ready.status?.conditions?.find((c) => c.type === 'WorkloadReady')?.reason).to.equal('Ready');
  });
});
