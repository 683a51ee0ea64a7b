// Children are never adopted: whose an object is, which children a taken name withholds, and what
// status says about it (controller/adoption.ts).
import { expect } from 'chai';
import {
  conflictWith,
  contestedMessage,
  isOurs,
  ownerOf,
  planApplies,
  type ChildConflict,
} from '../../../controller/adoption.ts';
import { desiredChildren } from '../../../controller/desired/children.ts';
import type { ChildKind } from '../../../controller/desired/types.ts';
import { config, facts, mcpServer, withSpec } from './builders.ts';

const stdio = mcpServer('a');
const http = mcpServer('a', withSpec({ transport: 'streamable-http', mcpPort: 9000 }));
const objectsOf = (server = stdio) => desiredChildren(server, facts(), config()).objects;
const child = (kind: ChildKind, name: string) => {
  const found = objectsOf(http)
    .concat(objectsOf())
    .find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const taken = (kind: ChildKind, name: string): ChildConflict => ({ kind, name, owner: 'no controller' });
const controller = (uid: string, kind = 'MCPServer', name = 'a') => ({
  metadata: { ownerReferences: [{ kind, name, uid, controller: true }] },
});

describe('isOurs and conflictWith', () => {
  const sa = child('ServiceAccount', 'a-sa');

  it('is ours when the controller owner reference has the uid of the server the child was built for', () => {
    expect([isOurs(sa, controller('uid-a')), conflictWith(sa, controller('uid-a'))]).to.deep.equal([
      true,
      undefined,
    ]);
  });

  it('is not ours with another uid (a server of the same name, deleted and made again), nor as a mere owner', () => {
    const notController = { metadata: { ownerReferences: [{ kind: 'MCPServer', uid: 'uid-a' }] } };
    expect([isOurs(sa, controller('uid-old')), isOurs(sa, notController), isOurs(sa, {})]).to.deep.equal([
      false,
      false,
      false,
    ]);
  });

  it('names who has it: the controller, else the field managers, else nobody', () => {
    const written = {
      metadata: { managedFields: [{ manager: 'kubectl-create' }, { manager: 'kubectl-edit' }] },
    };
    expect([ownerOf(controller('u2', 'Deployment', 'web')), ownerOf(written), ownerOf({})]).to.deep.equal([
      'controlled by Deployment web (uid u2)',
      'no controller, written by kubectl-create, kubectl-edit',
      'no controller',
    ]);
  });

  it('finds no conflict where nothing exists', () => {
    expect(conflictWith(sa, undefined)).to.equal(undefined);
  });
});

describe('planApplies', () => {
  const plan = (server: typeof stdio, ...conflicts: ChildConflict[]) =>
    planApplies(server, objectsOf(server), conflicts);
  const applied = (p: ReturnType<typeof plan>) => p.apply.map((o) => `${o.kind} ${o.metadata.name}`);

  it('applies everything when nothing is taken', () => {
    expect(plan(stdio)).to.deep.include({ withheld: [] });
    expect(plan(stdio).apply).to.have.length(objectsOf().length);
  });

  it('keeps the workloads running when only the Service clients use is taken', () => {
    const p = plan(http, taken('Service', 'mcp-a-proxy'));
    expect(p.withheld).to.deep.equal([]);
    expect(applied(p))
      .to.include.members(['StatefulSet a', 'Deployment a'])
      .and.not.include('Service mcp-a-proxy');
  });

  it('withholds the proxy alone when its run config or its way to the server is taken', () => {
    expect(plan(stdio, taken('ConfigMap', 'a-runconfig')).withheld).to.deep.equal(['Deployment a']);
    expect(plan(http, taken('Service', 'mcp-a')).withheld).to.deep.equal(['Deployment a']);
    expect(plan(stdio, taken('NetworkPolicy', 'a-proxy')).withheld).to.deep.equal(['Deployment a']);
  });

  it('withholds the RoleBinding and the proxy when the proxy ServiceAccount is taken', () => {
    expect(plan(stdio, taken('ServiceAccount', 'a-proxy-runner')).withheld).to.deep.equal([
      'RoleBinding a-proxy-runner',
      'Deployment a',
    ]);
  });

  it('withholds everything that trusts the server once its NetworkPolicy is taken (transitively)', () => {
    const p = plan(stdio, taken('NetworkPolicy', 'a-permission-profile'));
    expect(p.withheld).to.deep.equal([
      'Role a-proxy-runner',
      'RoleBinding a-proxy-runner',
      'StatefulSet a',
      'Deployment a',
    ]);
    expect(applied(p)).to.deep.equal([
      'ServiceAccount a-proxy-runner',
      'ServiceAccount a-sa',
      'ConfigMap a-runconfig',
      'NetworkPolicy a-proxy',
      'Service mcp-a-proxy',
    ]);
  });

  it('grants no attach to a pod named like ours when the StatefulSet is taken', () => {
    expect(plan(stdio, taken('StatefulSet', 'a')).withheld).to.deep.equal([
      'Role a-proxy-runner',
      'RoleBinding a-proxy-runner',
      'Deployment a',
    ]);
  });
});

describe('contestedMessage', () => {
  it('names each taken child, who has it, and what waits', () => {
    expect(
      contestedMessage({
        conflicts: [{ kind: 'Service', name: 'mcp-a', owner: 'no controller, written by kubectl-create' }],
        withheld: ['Deployment a'],
      }),
    ).to.equal(
      "Service mcp-a exists and is not this MCPServer's (no controller, written by kubectl-create); " +
        'it is left alone; not applied until then: Deployment a',
    );
  });
});
