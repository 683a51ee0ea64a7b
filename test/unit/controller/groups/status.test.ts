import { expect } from 'chai';
import {
  desiredGroupStatus,
  groupStatusDiffers,
  LISTED,
  SERVERS_CHECKED,
  serversNaming,
} from '../../../../controller/groups/status.ts';
import type { Dict } from '../../../../controller/desired/types.ts';
import type { MCPGroup } from '../../../../schemas/generated/mcpgroup.ts';

const NOW = new Date('2026-12-05T15:00:00Z');
const EARLIER = '2026-12-01T10:00:00Z';

const group = (extra: Partial<MCPGroup> = {}): MCPGroup => ({
  apiVersion: 'toolhive.stacklok.dev/v1beta1',
  kind: 'MCPGroup',
  metadata: { name: 'team', namespace: 'tools', generation: 3 },
  spec: { description: 'the team’s servers' },
  ...extra,
});

const server = (name: string, groupRef?: unknown, namespace = 'tools'): Dict => ({
  metadata: { name, namespace },
  spec: { image: 'x', ...(groupRef === undefined ? {} : { groupRef }) },
});

describe('MCPGroup status', () => {
  it('lists the servers of its namespace naming it, sorted', () => {
    const servers = [
      server('fetch', { name: 'team' }),
      server('another-ns', { name: 'team' }, 'other'),
      server('other-group', { name: 'ops' }),
      server('no-group'),
      server('a-time', { name: 'team' }),
      server('old-string-form', 'team'),
    ];
    expect(serversNaming(group(), servers)).to.deep.equal(['a-time', 'fetch']);
  });

  it('is Ready with the servers, counts and the MCPServersChecked condition', () => {
    const status = desiredGroupStatus(group(), [server('fetch', { name: 'team' })], NOW);
    expect(status).to.deep.equal({
      observedGeneration: 3,
      phase: 'Ready',
      servers: ['fetch'],
      serverCount: 1,
      remoteProxies: [],
      remoteProxyCount: 0,
      entries: [],
      entryCount: 0,
      conditions: [
        {
          type: SERVERS_CHECKED,
          status: 'True',
          reason: LISTED,
          message: '1 MCPServer name this group',
          lastTransitionTime: NOW.toISOString(),
          observedGeneration: 3,
        },
      ],
    });
  });

  it('keeps the condition’s transition time while it stays True, and an empty group counts 0', () => {
    const before = desiredGroupStatus(group(), [], new Date(EARLIER));
    const status = desiredGroupStatus(group({ status: before }), [], NOW);
    expect(status.conditions?.[0]?.lastTransitionTime).to.equal(new Date(EARLIER).toISOString());
    expect(status).to.include({ serverCount: 0, phase: 'Ready' });
    expect(status.servers).to.deep.equal([]);
  });

  it('needs no write when nothing changed, whatever the key order the API server returns', () => {
    const status = desiredGroupStatus(group(), [server('fetch', { name: 'team' })], NOW);
    const reordered = JSON.parse(JSON.stringify(status, Object.keys(status).sort())) as typeof status;
    const fromServer = { ...reordered, conditions: status.conditions };
    expect(groupStatusDiffers(fromServer, status)).to.equal(false);
    expect(groupStatusDiffers(undefined, status)).to.equal(true);
    const grown = desiredGroupStatus(
      group({ status }),
      [server('fetch', { name: 'team' }), server('b', { name: 'team' })],
      NOW,
    );
    expect(groupStatusDiffers(status, grown)).to.equal(true);
  });
});
