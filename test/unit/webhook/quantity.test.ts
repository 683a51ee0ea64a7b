import { expect } from 'chai';
import { parseQuantity } from '../../../webhook/quantity.ts';

describe('parseQuantity', () => {
  const cases: Record<string, { text: string; want: bigint | undefined }> = {
    'milli-cores': { text: '500m', want: 500_000_000n },
    'a decimal fraction equal to milli-cores': { text: '0.5', want: 500_000_000n },
    'binary suffix': { text: '64Mi', want: 64n * 2n ** 20n * 1_000_000_000n },
    'decimal suffix': { text: '1k', want: 1_000_000_000_000n },
    'an exponent': { text: '1e3', want: 1_000_000_000_000n },
    'sub-nano values round up': { text: '1e-10', want: 1n },
    'a negative quantity': { text: '-1', want: -1_000_000_000n },
    'a fraction with a binary suffix': { text: '1.5Gi', want: 3n * 2n ** 29n * 1_000_000_000n },
    'rejects words': { text: 'lots', want: undefined },
    'rejects an empty string': { text: '', want: undefined },
    'rejects an unknown suffix': { text: '1Q', want: undefined },
    'rejects surrounding spaces': { text: ' 1', want: undefined },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(parseQuantity(c.text)).to.equal(c.want));
  }
});
