// Strings a careless parser, logger or name check trips on: lone surrogates (not UTF-16, so not
// encodable as UTF-8 without loss), NUL and control characters, bidirectional overrides, zero-width and
// combining marks, emoji sequences, line separators JavaScript treats as newlines, and text that means
// something to templates, shells and paths. Shared by the admission and proxy fuzz tests.
import fc from 'fast-check';

export const ODD_PIECES: readonly string[] = [
  '\ud800', // lone high surrogate
  '\udfff', // lone low surrogate
  '\udc00\ud800', // surrogates in the wrong order
  '\u0000',
  '\u0007',
  '\u001b[31m', // ANSI escape
  '\u007f',
  '\u0085', // NEXT LINE
  '\u2028', // LINE SEPARATOR
  '\u2029', // PARAGRAPH SEPARATOR
  '\u202e', // RIGHT-TO-LEFT OVERRIDE
  '\u200f', // RIGHT-TO-LEFT MARK
  '\u2066', // LEFT-TO-RIGHT ISOLATE
  '\u200b', // ZERO WIDTH SPACE
  '\ufeff', // BOM
  '\ufffe',
  '\uffff',
  'e\u0301', // combining accent
  '\u0338\u0338\u0338\u0338', // stacked combining marks
  '👩‍👩‍👧‍👦', // ZWJ sequence
  '🏳️‍🌈',
  '\ud83d\ude00', // 😀 as a surrogate pair
  'İ', // lower-cases to two code points
  'ß',
  'ｍｃｐ', // fullwidth
  'שלום', // right-to-left script
  '"',
  '\\',
  '\n',
  '\r\n',
  '\t',
  '${jndi:x}',
  '{{.}}',
  '%s%n',
  '../../',
  '</script>',
  '__proto__',
  'constructor',
];

/** One odd piece or any single code point. */
const oddUnit: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ODD_PIECES) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
);

/** A short string mixing odd pieces, any code point and plain ASCII. */
export const hostileText = (maxLength = 12): fc.Arbitrary<string> => fc.string({ unit: oddUnit, maxLength });

/** A plausible Kubernetes name, sometimes spoiled by an odd piece. */
export const nameish: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,15}[a-z0-9]$/) },
  { weight: 1, arbitrary: hostileText() },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      'a'.repeat(254),
      'UPPER',
      '-lead',
      'trail-',
      'a.b',
      'kube-system',
      'github-token',
      'profile',
      'profile.json',
      'broken',
      'constructor',
      '__proto__',
    ),
  },
);
