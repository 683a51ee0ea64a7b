// lib/go-duration.ts: what Go's time.ParseDuration accepts and refuses (the values below are Go's own
// answers, from its time package tests and documentation).
import { expect } from 'chai';
import { isPositiveGoDuration, parseGoDuration } from '../../../lib/go-duration.ts';

describe('parseGoDuration (lib/go-duration.ts)', () => {
  const accepted: Record<string, number> = {
    '0': 0,
    '1m0s': 60e9,
    '30s': 30e9,
    '1h': 3600e9,
    '500ms': 500e6,
    '1.5h': 5400e9,
    '1h0m0s': 3600e9,
    '2h45m': 9900e9,
    '1.s': 1e9,
    '.5s': 0.5e9,
    '100ns': 100,
    '3us': 3000,
    '3µs': 3000,
    '3μs': 3000,
    '-1.5h': -5400e9,
    '+30s': 30e9,
    '0s': 0,
  };
  for (const [text, nanos] of Object.entries(accepted)) {
    it(`reads ${JSON.stringify(text)}`, () => expect(parseGoDuration(text)).to.equal(nanos));
  }

  for (const text of [
    '',
    '1',
    '30',
    's',
    '1d',
    '1 m',
    ' 1m',
    '1m ',
    '.s',
    '1.5.5s',
    '-',
    '1mm',
    '1S',
    '1e3s',
  ])
    it(`refuses ${JSON.stringify(text)}`, () => expect(parseGoDuration(text)).to.equal(undefined));

  it('refuses what overflows Go int64 nanoseconds, as Go does', () => {
    expect(parseGoDuration('2562047h')).to.be.a('number');
    expect(parseGoDuration('2562048h')).to.equal(undefined);
  });

  it('isPositiveGoDuration: longer than zero only', () => {
    expect(isPositiveGoDuration('1m0s')).to.equal(true);
    expect(isPositiveGoDuration('0s')).to.equal(false);
    expect(isPositiveGoDuration('-1s')).to.equal(false);
    expect(isPositiveGoDuration('soon')).to.equal(false);
  });
});
