// The cache indexes: children by controller owner, pods by instance, servers by what they reference.
import { expect } from 'chai';
import { Index, controllerUid, podInstance, referencedBy } from '../../../controller/informers.ts';

const object = (name: string, owner: string | undefined, kind = 'Service') => ({
  kind,
  metadata: {
    name,
    namespace: 'team-a',
    ownerReferences: owner
      ? [
          { uid: 'other', controller: false },
          { uid: owner, controller: true },
        ]
      : [],
  },
});
const names = (objects: Array<Record<string, unknown>>) =>
  objects.map((o) => (o.metadata as { name: string }).name).sort();

describe('Index', () => {
  const byOwner = () => new Index((o) => (controllerUid(o) ? [controllerUid(o)!] : []));

  it('finds objects by value, and follows updates that change the value', () => {
    const index = byOwner();
    index.update('add', object('a', 'u1'));
    index.update('add', object('b', 'u1'));
    index.update('add', object('c', 'u2'));
    index.update('update', object('b', 'u2'));
    expect([names(index.get('u1')), names(index.get('u2'))]).to.deep.equal([['a'], ['b', 'c']]);
  });

  it('forgets deleted objects and objects whose value went away', () => {
    const index = byOwner();
    index.update('add', object('a', 'u1'));
    index.update('add', object('b', 'u1'));
    index.update('delete', object('a', 'u1'));
    index.update('update', object('b', undefined));
    expect(index.get('u1')).to.deep.equal([]);
  });

  it('keeps objects of different kinds with the same name apart', () => {
    const index = byOwner();
    index.update('add', object('a', 'u1', 'Service'));
    index.update('add', object('a', 'u1', 'ServiceAccount'));
    expect(index.get('u1').map((o) => o.kind)).to.deep.equal(['Service', 'ServiceAccount']);
  });

  it('files an object under each of several values', () => {
    const index = new Index(referencedBy);
    const server = {
      kind: 'MCPServer',
      metadata: { name: 's', namespace: 'team-a' },
      spec: {
        secrets: [{ name: 'token' }, { name: 'other' }],
        permissionProfile: { type: 'configmap', name: 'profiles' },
      },
    };
    index.update('add', server);
    expect(
      ['team-a/Secret/token', 'team-a/Secret/other', 'team-a/ConfigMap/profiles', 'team-a/Secret/x'].map(
        (v) => index.get(v).length,
      ),
    ).to.deep.equal([1, 1, 1, 0]);
  });
});

describe('podInstance', () => {
  it('is namespace/instance label, or undefined without the label', () => {
    const pod = (labels: Record<string, string>) => ({ metadata: { namespace: 'ns', labels } });
    expect([podInstance(pod({ 'app.kubernetes.io/instance': 'a' })), podInstance(pod({}))]).to.deep.equal([
      'ns/a',
      undefined,
    ]);
  });
});
