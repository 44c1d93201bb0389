/** Nearest-rank percentile (p in 0..100) of `values`, rounded to 0.1 ms; undefined when there are none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return Math.round(sorted[rank - 1] * 10) / 10;
}

/** p50 and p99 of `values`, or undefined when nothing was measured. */
export function summary(values: readonly number[]): { p50: number; p99: number } | undefined {
  return values.length === 0 ? undefined : { p50: percentile(values, 50)!, p99: percentile(values, 99)! };
}
