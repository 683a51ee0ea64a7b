// Reading Prometheus' text format, for tests and benchmarks that check a process's own /metrics.

/** Sums the samples of `name` (exactly that name, with any labels `keep` accepts) in Prometheus text. */
export function sumSamples(
  text: string,
  name: string,
  keep: (labels: string) => boolean = () => true,
): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match?.[1] === name && keep(match[2] ?? '')) sum += Number(match[3]);
  }
  return sum;
}
