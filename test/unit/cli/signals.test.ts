import { expect } from 'chai';
import { untilSignal } from '../../../cli/signals.ts';

describe('untilSignal', () => {
  const listeners = () => process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');

  it('resolves with the signal that came, and stops listening', async () => {
    const before = listeners();
    const waiting = untilSignal();
    expect(listeners()).to.equal(before + 2);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await waiting).to.equal('SIGTERM');
    expect(listeners()).to.equal(before);
  });

  it('resolves with undefined once told to stop waiting, and stops listening', async () => {
    const before = listeners();
    const stop = new AbortController();
    const waiting = untilSignal(stop.signal);
    stop.abort();
    expect(await waiting).to.equal(undefined);
    expect(listeners()).to.equal(before);
  });
});
