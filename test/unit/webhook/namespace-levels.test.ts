import { expect } from 'chai';
import type { V1Namespace } from '@kubernetes/client-node';
import {
  ENFORCE_LABEL,
  NamespaceLevels,
  enforceLevel,
  type NamespaceInformer,
} from '../../../webhook/namespace-levels.ts';

type Handler = (ns: V1Namespace) => void;

/** An informer whose events the test emits by hand. */
class FakeInformer implements NamespaceInformer {
  readonly handlers = new Map<string, Handler>();
  on(verb: string, cb: Handler): void {
    this.handlers.set(verb, cb);
  }
  emit(verb: 'add' | 'update' | 'delete', name: string, level?: string): void {
    const labels: Record<string, string> = level === undefined ? {} : { [ENFORCE_LABEL]: level };
    this.handlers.get(verb)?.({ metadata: { name, labels } });
  }
  start = () => Promise.resolve();
  stop = () => Promise.resolve();
}

describe('webhook/namespace-levels', () => {
  it('reads a level from the label, and fails closed to restricted on anything else', () => {
    expect(['privileged', 'baseline', 'restricted', 'Restricted', ''].map(enforceLevel)).to.deep.equal([
      'privileged',
      'baseline',
      'restricted',
      'restricted',
      'restricted',
    ]);
  });

  it('follows labels as they are added, changed and removed, and namespaces as they go', async () => {
    const informer = new FakeInformer();
    const levels = new NamespaceLevels(informer);
    expect(levels.synced()).to.equal(false);
    await levels.start();
    expect(levels.synced()).to.equal(true);
    informer.emit('add', 'team-a', 'restricted');
    informer.emit('add', 'team-b', 'baseline');
    expect([levels.levelOf('team-a'), levels.levelOf('team-b'), levels.levelOf('other')]).to.deep.equal([
      'restricted',
      'baseline',
      undefined,
    ]);
    informer.emit('update', 'team-a', 'privileged');
    informer.emit('update', 'team-b');
    informer.emit('delete', 'team-a', 'privileged');
    expect([levels.levelOf('team-a'), levels.levelOf('team-b')]).to.deep.equal([undefined, undefined]);
    await levels.stop();
  });
});
