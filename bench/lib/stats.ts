// Summaries of repeated measurements: median with min/max, and ratios of medians or of paired samples.

/** A measurement repeated `n` times. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
  samples: number[];
}

/**
 * Median, min and max of the samples.
 * @example summarize([3, 1, 2]).median // 2
 */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0, samples: [] };
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, n: sorted.length, samples: [...samples] };
}

/**
 * Ratio of two measurements taken in alternation: the median of per-repetition ratios, with their range.
 * Paired ratios cancel load that drifts during the run (other processes share the machine).
 */
export function pairedRatio(numerator: readonly number[], denominator: readonly number[]): Summary {
  const n = Math.min(numerator.length, denominator.length);
  return summarize(Array.from({ length: n }, (_, i) => numerator[i]! / denominator[i]!));
}

/** Per-item figures derived from totals (e.g. ms per asset). */
export function perItem(summary: Summary, items: number): Summary {
  return summarize(summary.samples.map((s) => s / items));
}

/** Items per second from durations in milliseconds. */
export function rate(durationsMs: readonly number[], items: number): Summary {
  return summarize(durationsMs.map((ms) => (items * 1000) / ms));
}
