import { expect } from 'chai';
import { silentLogger } from '../../lib/log.ts';

describe('silentLogger', () => {
  it('is at level silent, so it writes nothing', () => {
    expect(silentLogger().level).to.equal('silent');
  });
});
