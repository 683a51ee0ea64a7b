// Kubernetes resource quantities ("500m", "64Mi", "1e3"), parsed exactly into BigInt nano-units so that
// comparisons such as "100m" <= "0.1" are exact. Mirrors k8s.io/apimachinery/pkg/api/resource's grammar;
// values finer than a nano-unit round up, as the API server does.

// The grammar of resource.ParseQuantity: a signed decimal number, then one binary or decimal suffix or an exponent.
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** apimachinery's resource.ErrFormatWrong text, which is what kubectl users see for a malformed quantity. */
export const QUANTITY_FORMAT_MESSAGE =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const BINARY_POWERS: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL_EXPONENTS: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

function suffixScale(suffix: string): { binary: bigint; exponent: number } {
  const binary = BINARY_POWERS[suffix];
  if (binary !== undefined) return { binary, exponent: 0 };
  if (/^[eE]/.test(suffix)) return { binary: 0n, exponent: Number(suffix.slice(1)) };
  return { binary: 0n, exponent: DECIMAL_EXPONENTS[suffix] ?? 0 };
}

// Manifests repeat a handful of quantities ("100m", "128Mi"); BigInt arithmetic per review was the
// largest single cost of validation (bench/webhook), so parsed values are kept, within a bound.
const MAX_CACHED = 1024;
const cache = new Map<string, bigint | undefined>();

/** The quantity in nano-units (1 = 1e-9), or undefined when it is not a valid quantity. */
export function parseQuantity(text: string): bigint | undefined {
  if (cache.has(text)) return cache.get(text);
  const value = parseQuantityUncached(text);
  if (text.length <= 64) {
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(text, value);
  }
  return value;
}

function parseQuantityUncached(text: string): bigint | undefined {
  const match = QUANTITY.exec(text.trim() === text ? text : '');
  if (!match) return undefined;
  const [, sign = '', number = '', suffix = ''] = match;
  const [whole = '', fraction = ''] = number.split('.');
  const { binary, exponent } = suffixScale(suffix);
  if (Math.abs(exponent) > 1000) return undefined; // refuse absurd exponents rather than build huge BigInts
  let value = BigInt(`${whole}${fraction}` || '0') << binary;
  const scale = exponent + 9 - fraction.length;
  if (scale >= 0) value *= 10n ** BigInt(scale);
  else {
    const divisor = 10n ** BigInt(-scale);
    value = (value + divisor - 1n) / divisor; // round up, like resource.Quantity's RoundUp to nano
  }
  return sign === '-' ? -value : value;
}

/** Whether the text is a valid quantity. */
export const isQuantity = (text: string): boolean => parseQuantity(text) !== undefined;
