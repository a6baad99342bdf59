/**
 * Order statistics for benchmark figures: medians over runs, percentiles over
 * latency samples. Pure functions, no I/O.
 */

/**
 * The `p`-th percentile (0..100) of `values` by the nearest-rank method: the
 * smallest value such that at least `p` percent of the values are at or below it.
 * `p = 50` of an even count is the lower middle value; use {@link median} for the
 * mean of the two middle values. Throws a RangeError on an empty input or a `p`
 * outside 0..100; NaN values are rejected as well, since they have no rank.
 */
export function percentile(values: readonly number[] | Float64Array, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be within 0..100, got ${p}`);
  const sorted = sortedCopy(values, 'percentile');
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/**
 * The median of `values`: the middle value of an odd count, the mean of the two
 * middle values of an even count. Throws a RangeError on an empty input or NaN.
 */
export function median(values: readonly number[] | Float64Array): number {
  const sorted = sortedCopy(values, 'median');
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The median of the values that are not `null` (a run in which a figure could not
 * be measured gives `null`), or `null` when no run measured it.
 */
export function medianOrNull(values: readonly (number | null)[]): number | null {
  const measured = values.filter((v): v is number => v !== null);
  return measured.length === 0 ? null : median(measured);
}

function sortedCopy(values: readonly number[] | Float64Array, fn: string): Float64Array {
  if (values.length === 0) throw new RangeError(`${fn}: no values`);
  const sorted = Float64Array.from(values);
  for (const v of sorted) if (Number.isNaN(v)) throw new RangeError(`${fn}: NaN among the values`);
  return sorted.sort();
}
