import { expect } from 'chai';
import { floorChildren } from '../../../bench/lib/controller-floor.ts';
import type { MCPServer } from '../../../schemas/generated/mcpserver.ts';

const server = (transport: 'stdio' | 'streamable-http'): MCPServer => ({
  apiVersion: 'toolhive.stacklok.dev/v1alpha1',
  kind: 'MCPServer',
  metadata: { name: 'osv-0001', namespace: 'floor-1' },
  spec: {
    image: 'ghcr.io/stackloklabs/osv-mcp/server',
    transport,
    ...(transport === 'stdio' ? {} : { port: 8080 }),
    permissionProfile: { type: 'builtin', name: 'network' },
  },
});

describe('bench/controller floor: the children applied without a controller', () => {
  it('applies every child the controller would, the workloads in the second wave', () => {
    const [first, workloads] = floorChildren(server('streamable-http'));
    expect(workloads.map((o) => o.kind).sort()).to.deep.equal(['Deployment', 'StatefulSet']);
    expect(first.length + workloads.length).to.equal(10);
    expect(first.map((o) => o.kind)).to.include.members([
      'ServiceAccount',
      'ConfigMap',
      'NetworkPolicy',
      'Service',
    ]);
  });

  it('carries no owner reference (there is no MCPServer, and GC would delete an orphan)', () => {
    const [first, workloads] = floorChildren(server('stdio'));
    for (const o of [...first, ...workloads]) {
      expect(o.metadata, `${o.kind} ${o.metadata.name}`).not.to.have.property('ownerReferences');
      expect(o.metadata.namespace).to.equal('floor-1');
    }
  });
});
