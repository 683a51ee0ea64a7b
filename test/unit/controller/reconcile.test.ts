import { expect } from 'chai';
import { ApiError } from '../../../controller/io.ts';
import { reconcile } from '../../../controller/reconcile.ts';
import { mcpServer, withMetadata, withSpec } from './builders.ts';
import { RecordingIO } from './recording-io.ts';

const KEY = { namespace: 'team-a', name: 'a' };
const names = (io: RecordingIO) => io.applied.map((o) => `${o.kind}/${o.metadata.name}`);

describe('reconcile', () => {
  it('does nothing for an MCPServer that is gone (garbage collection removes its children)', async () => {
    const io = new RecordingIO(undefined);
    await reconcile(KEY, io);
    expect([io.applied, io.deleted, io.statuses]).to.deep.equal([[], [], []]);
  });

  it('applies every child of a stdio server, ServiceAccounts first and workloads last', async () => {
    const io = new RecordingIO(mcpServer('a'));
    await reconcile(KEY, io);
    expect(names(io)).to.deep.equal([
      'ServiceAccount/a-proxy-runner',
      'ServiceAccount/a-sa',
      'Role/a-proxy-runner',
      'RoleBinding/a-proxy-runner',
      'ConfigMap/a-runconfig',
      'NetworkPolicy/a-permission-profile',
      'NetworkPolicy/a-proxy',
      'Service/mcp-a-proxy',
      'StatefulSet/a',
      'Deployment/a',
    ]);
  });

  it('deletes owned children no longer desired, and only those', async () => {
    const io = new RecordingIO(mcpServer('a'));
    io.owned = [
      { kind: 'Service', namespace: 'team-a', name: 'mcp-a-headless' },
      { kind: 'Service', namespace: 'team-a', name: 'mcp-a-proxy' },
      { kind: 'Service', namespace: 'team-a', name: 'mcp-a' },
      // Kept without a profile: it also restricts ingress, and kept its name across the upgrade.
      { kind: 'NetworkPolicy', namespace: 'team-a', name: 'a-permission-profile' },
    ];
    await reconcile(KEY, io);
    expect(io.deleted.map((r) => r.name)).to.deep.equal(['mcp-a-headless', 'mcp-a']);
  });

  it('writes status once, and not at all on a second reconcile that finds the same', async () => {
    const io = new RecordingIO(mcpServer('a'));
    await reconcile(KEY, io);
    await reconcile(KEY, io);
    expect(io.statuses.map((s) => s.phase)).to.deep.equal(['Pending']);
  });

  it('reports a rejected child in status without throwing, and prunes nothing meanwhile', async () => {
    const io = new RecordingIO(mcpServer('a'));
    io.failApply = { kind: 'StatefulSet', error: new ApiError(422, 'Invalid', 'spec.template: bad') };
    io.owned = [{ kind: 'Service', namespace: 'team-a', name: 'mcp-a-headless' }];
    await reconcile(KEY, io);
    const ready = io.statuses[0]?.conditions?.find((c) => c.type === 'Ready');
    expect([io.statuses[0]?.phase, ready?.reason, ready?.message, io.deleted]).to.deep.equal([
      'Failed',
      'ApplyFailed',
      'applying StatefulSet a failed: spec.template: bad',
      [],
    ]);
    expect(names(io)).to.include('Deployment/a');
  });

  it('throws after writing status when a retry may help (the queue backs off)', async () => {
    const io = new RecordingIO(mcpServer('a'));
    io.failApply = { kind: 'Deployment', error: new ApiError(503, 'ServiceUnavailable', 'try later') };
    let thrown: unknown;
    await reconcile(KEY, io).catch((err: unknown) => (thrown = err));
    expect([(thrown as ApiError)?.code, io.statuses.length]).to.deep.equal([503, 1]);
  });

  it('applies nothing to an MCPServer being deleted and reports Terminating', async () => {
    const io = new RecordingIO(mcpServer('a', withMetadata({ deletionTimestamp: '2026-01-01T00:00:00Z' })));
    await reconcile(KEY, io);
    expect([io.applied.length, io.statuses[0]?.phase]).to.deep.equal([0, 'Terminating']);
  });

  it('records an event for a phase change and for a missing Secret, once', async () => {
    const io = new RecordingIO(mcpServer('a', withSpec({ secrets: [{ name: 's', key: 'k' }] })));
    await reconcile(KEY, io);
    await reconcile(KEY, io);
    expect(io.events).to.deep.equal([
      { type: 'Normal', reason: 'Pending', message: 'Phase Pending: MCP server not created yet' },
      { type: 'Warning', reason: 'SecretNotFound', message: 'Secret s not found' },
    ]);
  });
});
