// reconcile() when a child's name is taken by an object the server does not control: that child and
// those trusting it are not applied, nothing is pruned, status and a Warning event say why, and the
// reconcile asks to come back (the taker may be outside the caches and send no event when it goes).
import { expect } from 'chai';
import { CONFLICT_RECHECK_MS } from '../../../controller/config.ts';
import { reconcile } from '../../../controller/reconcile.ts';
import { mcpServer } from './builders.ts';
import { RecordingIO } from './recording-io.ts';

const KEY = { namespace: 'team-a', name: 'a' };
const names = (io: RecordingIO) => io.applied.map((o) => `${o.kind}/${o.metadata.name}`);
const condition = (io: RecordingIO, type: string) =>
  io.statuses.at(-1)?.conditions?.find((c) => c.type === type);

describe('reconcile with a taken child name', () => {
  it('applies neither the taken child nor what trusts it, prunes nothing, and comes back later', async () => {
    const io = new RecordingIO(mcpServer('a'));
    io.conflicts = [{ kind: 'ConfigMap', name: 'a-runconfig', owner: 'no controller' }];
    io.owned = [{ kind: 'Service', namespace: 'team-a', name: 'mcp-a-headless' }];
    const outcome = await reconcile(KEY, io);
    expect(names(io)).to.not.include.members(['ConfigMap/a-runconfig']);
    expect(names(io)).to.not.include('Deployment/a');
    expect(names(io)).to.include.members(['StatefulSet/a', 'Service/mcp-a-proxy']);
    expect([io.deleted, outcome]).to.deep.equal([[], { requeueAfterMs: CONFLICT_RECHECK_MS }]);
  });

  it('says so in ResourcesApplied and Ready (phase Failed), with one Warning event each', async () => {
    const io = new RecordingIO(mcpServer('a'));
    io.conflicts = [{ kind: 'ConfigMap', name: 'a-runconfig', owner: 'no controller' }];
    await reconcile(KEY, io);
    await reconcile(KEY, io);
    const message =
      "ConfigMap a-runconfig exists and is not this MCPServer's (no controller); it is left alone; " +
      'not applied until then: Deployment a';
    expect(condition(io, 'ResourcesApplied')).to.deep.include({
      status: 'False',
      reason: 'ChildConflict',
      message,
    });
    expect([io.statuses.length, io.statuses[0]?.phase, condition(io, 'Ready')?.reason]).to.deep.equal([
      1,
      'Failed',
      'ChildConflict',
    ]);
    expect(io.events).to.deep.equal([
      { type: 'Warning', reason: 'ChildConflict', message: `Phase Failed: ${message}` },
      { type: 'Warning', reason: 'ChildConflict', message },
    ]);
  });

  it('clears the condition once the name is free, and asks for no recheck', async () => {
    const io = new RecordingIO(mcpServer('a'));
    io.conflicts = [{ kind: 'Service', name: 'mcp-a-proxy', owner: 'no controller' }];
    await reconcile(KEY, io);
    io.conflicts = [];
    const outcome = await reconcile(KEY, io);
    expect([condition(io, 'ResourcesApplied')?.status, outcome]).to.deep.equal(['True', {}]);
    expect(io.events.at(-1)).to.deep.include({ type: 'Normal', reason: 'Applied' });
  });

  it('reports a name found taken only by the apply itself (taken since the look-up)', async () => {
    const io = new RecordingIO(mcpServer('a'));
    io.takenAtApply = { kind: 'Service', name: 'mcp-a-proxy', owner: 'no controller, written by kubectl' };
    const outcome = await reconcile(KEY, io);
    expect([condition(io, 'ResourcesApplied')?.reason, outcome]).to.deep.equal([
      'ChildConflict',
      { requeueAfterMs: CONFLICT_RECHECK_MS },
    ]);
  });
});
