// Go duration strings ("1m0s", "30s", "1.5h", "500ms"), as time.ParseDuration reads them: ToolHive's
// rateLimiting refillPeriod is a metav1.Duration, so the admission webhook must accept exactly what Go
// accepts, and the controller passes the string on to the proxy unchanged. Pure, no dependencies.
// Grammar: an optional sign, then one or more <decimal number><unit>; units ns, us, µs (U+00B5), μs
// (U+03BC), ms, s, m, h; a lone "0" is zero. Overflow past Go's int64 nanoseconds (about 292 years) is
// an error there, so it is one here.

const NANOS_PER_UNIT: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go's time.Duration is int64 nanoseconds: 2^63 and more overflow. */
const OVERFLOW_NANOS = 2 ** 63;

// Sticky: each part is matched where the previous one ended, so a long string is read in one pass.
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** The duration in nanoseconds (a float: enough for validation), or undefined when Go would refuse it. */
export function parseGoDuration(text: string): number | undefined {
  let at = 0;
  let sign = 1;
  if (text.startsWith('-') || text.startsWith('+')) {
    sign = text.startsWith('-') ? -1 : 1;
    at = 1;
  }
  if (text.length === at + 1 && text[at] === '0') return 0;
  if (text.length === at) return undefined;
  let total = 0;
  const part = new RegExp(PART);
  while (at < text.length) {
    part.lastIndex = at;
    const match = part.exec(text);
    if (!match) return undefined;
    total += Number(match[1]) * NANOS_PER_UNIT[match[2]!]!;
    at = part.lastIndex;
  }
  if (total >= OVERFLOW_NANOS) return undefined;
  return sign * total;
}

/** Whether `text` is a Go duration longer than zero. */
export const isPositiveGoDuration = (text: string): boolean => (parseGoDuration(text) ?? 0) > 0;
