import { expect } from 'chai';
import {
  type AuthorityConfig,
  type AuthorityState,
  newAuthority,
  trustedCaBundle,
} from '../../../certs/authority.ts';
import { authorityFromSecretData, authorityToSecretData } from '../../../certs/authority-secret.ts';
import {
  type AuthorityStore,
  type CaBundlePublisher,
  SelfManagedSource,
  StoreConflictError,
} from '../../../certs/self-managed-source.ts';
import { silentLogger } from '../../../lib/log.ts';
import { reusedKeyPem } from '../../support/certificates.ts';

const DAY = 24 * 60 * 60 * 1000;
const START = new Date('2030-01-01T00:00:00Z');

const config: AuthorityConfig = {
  dnsNames: ['mcp-operator-webhook', 'mcp-operator-webhook.ops.svc'],
  ipAddresses: [],
  caLifetimeMs: 30 * DAY,
  servingLifetimeMs: 9 * DAY,
  overlapMs: DAY,
  generateKeyPem: reusedKeyPem,
};

/** An in-memory Secret with a resourceVersion that counts writes, recording each write. */
class FakeAuthorityStore implements AuthorityStore {
  state: AuthorityState | undefined;
  version = 0;
  writes: { createdOrReplaced: 'created' | 'replaced' }[] = [];
  /** Called before the next write, to play a replica that writes first. */
  beforeNextWrite: (() => void) | undefined;

  read() {
    return Promise.resolve(
      this.version === 0 ? undefined : { state: this.state, resourceVersion: String(this.version) },
    );
  }

  write(state: AuthorityState, resourceVersion: string | undefined) {
    const racing = this.beforeNextWrite;
    this.beforeNextWrite = undefined;
    racing?.();
    if ((resourceVersion ?? '0') !== String(this.version))
      return Promise.reject(new StoreConflictError('conflict'));
    this.writes.push({ createdOrReplaced: resourceVersion === undefined ? 'created' : 'replaced' });
    this.state = state;
    this.version++;
    return Promise.resolve(String(this.version));
  }
}

class RecordingPublisher implements CaBundlePublisher {
  published: string[] = [];
  publish(caBundlePem: string) {
    this.published.push(caBundlePem);
    return Promise.resolve();
  }
}

function sourceWith(store: FakeAuthorityStore, publisher: RecordingPublisher, clock: { now: Date }) {
  return new SelfManagedSource({ store, publisher, config, now: () => clock.now }, silentLogger());
}

describe('SelfManagedSource', () => {
  it('creates the Secret when missing, publishes its bundle and serves its certificate', async () => {
    const store = new FakeAuthorityStore();
    const publisher = new RecordingPublisher();
    const source = sourceWith(store, publisher, { now: START });
    await source.start();
    await source.stop();
    expect({
      writes: store.writes,
      published: publisher.published,
      serving: source.current().certPem,
    }).to.deep.equal({
      writes: [{ createdOrReplaced: 'created' }],
      published: [trustedCaBundle(store.state!)],
      serving: store.state!.serving.certPem,
    });
  });

  it('reuses a valid Secret without writing it', async () => {
    const store = new FakeAuthorityStore();
    store.state = newAuthority(START, config);
    store.version = 7;
    const source = sourceWith(store, new RecordingPublisher(), { now: new Date(START.getTime() + DAY) });
    await source.start();
    await source.stop();
    expect({ writes: store.writes, serving: source.current().certPem }).to.deep.equal({
      writes: [],
      serving: store.state.serving.certPem,
    });
  });

  it('serves what another replica wrote first when its own write conflicts', async () => {
    const store = new FakeAuthorityStore();
    const winner = newAuthority(START, config);
    store.beforeNextWrite = () => {
      store.state = winner;
      store.version = 1;
    };
    const source = sourceWith(store, new RecordingPublisher(), { now: START });
    await source.start();
    await source.stop();
    expect({ writes: store.writes, serving: source.current().certPem }).to.deep.equal({
      writes: [],
      serving: winner.serving.certPem,
    });
  });

  it('renews the serving certificate once due and tells listeners', async () => {
    const store = new FakeAuthorityStore();
    const clock = { now: START };
    const source = sourceWith(store, new RecordingPublisher(), clock);
    await source.start();
    const seen: string[] = [];
    source.onChange((c) => seen.push(c.certPem));
    clock.now = new Date(START.getTime() + 6 * DAY);
    await source.runRoundNow();
    await source.stop();
    expect({ writes: store.writes.length, seen }).to.deep.equal({
      writes: 2,
      seen: [store.state!.serving.certPem],
    });
  });
});

describe('authority Secret data', () => {
  it('reads back what it wrote, dates of a rotation included', () => {
    const state: AuthorityState = {
      ...newAuthority(START, config),
      next: { ca: newAuthority(START, config).ca, publishedAt: new Date('2030-01-21T00:00:00Z') },
      retired: { certPem: 'old CA', retiredAt: new Date('2030-01-02T00:00:00Z') },
    };
    expect(authorityFromSecretData(authorityToSecretData(state))).to.deep.equal(state);
  });

  it('reads a Secret without the signing CA key as no state, so it is rebuilt', () => {
    const data = authorityToSecretData(newAuthority(START, config));
    delete data['signing-ca.key'];
    expect(authorityFromSecretData(data)).to.equal(undefined);
  });
});
