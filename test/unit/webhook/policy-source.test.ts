import type { V1ConfigMap } from '@kubernetes/client-node';
import { expect } from 'chai';
import { silentLogger } from '../../../lib/log.ts';
import {
  type ConfigMapInformer,
  type PolicyParser,
  PolicySource,
  policyAfterEvent,
} from '../../../webhook/policy-source.ts';

/** A parser for tests: the policy is the text of key policy.yaml, and "bad..." is invalid. */
const parseText: PolicyParser<string> = (data) => {
  const text = data['policy.yaml'];
  if (text === undefined) return { errors: ['missing key policy.yaml'] };
  return text.startsWith('bad') ? { errors: [`cannot parse ${text}`] } : { policy: text };
};

const configMap = (text: string): V1ConfigMap => ({
  metadata: { name: 'policy' },
  data: { 'policy.yaml': text },
});

describe('policyAfterEvent', () => {
  const cases: Record<
    string,
    { event: Parameters<typeof policyAfterEvent>[1]; want: { policy: string; errors: string[] } }
  > = {
    'takes a ConfigMap that parses': {
      event: { type: 'upsert', configMap: configMap('v2') },
      want: { policy: 'v2', errors: [] },
    },
    'keeps the last good policy when the new one does not parse': {
      event: { type: 'upsert', configMap: configMap('bad v3') },
      want: { policy: 'v1', errors: ['cannot parse bad v3'] },
    },
    'keeps the last good policy when the key is missing': {
      event: { type: 'upsert', configMap: { metadata: { name: 'policy' } } },
      want: { policy: 'v1', errors: ['missing key policy.yaml'] },
    },
    'returns to the fallback when the ConfigMap is deleted': {
      event: { type: 'delete' },
      want: { policy: 'allow-all', errors: [] },
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(policyAfterEvent('v1', c.event, parseText, 'allow-all')).to.deep.equal(c.want));
  }
});

/** An informer driven by hand: emit() plays the API server's events. */
class FakeInformer implements ConfigMapInformer {
  readonly handlers = new Map<string, ((arg: never) => void)[]>();
  on(verb: string, cb: (arg: never) => void): void {
    this.handlers.set(verb, [...(this.handlers.get(verb) ?? []), cb]);
  }
  emit(verb: 'add' | 'update' | 'delete', obj: V1ConfigMap): void {
    for (const cb of this.handlers.get(verb) ?? []) (cb as (o: V1ConfigMap) => void)(obj);
  }
  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

describe('PolicySource', () => {
  it('follows the ConfigMap through add, a broken update, a fix and deletion', async () => {
    const informer = new FakeInformer();
    const source = new PolicySource({
      informer,
      parse: parseText,
      fallback: 'allow-all',
      log: silentLogger(),
    });
    const seen = [source.current()];
    await source.start();
    informer.emit('add', configMap('v1'));
    seen.push(source.current());
    informer.emit('update', configMap('bad edit'));
    seen.push(source.current());
    informer.emit('update', configMap('v2'));
    seen.push(source.current());
    informer.emit('delete', configMap('v2'));
    seen.push(source.current());
    await source.stop();
    expect({ seen, synced: source.synced() }).to.deep.equal({
      seen: ['allow-all', 'v1', 'v1', 'v2', 'allow-all'],
      synced: true,
    });
  });
});
