// Number formatting for the Markdown report: durations, rates, ratios and "median (min-max)" cells.
import type { Summary } from './stats.js';

/** `45 µs`, `12.3 ms`, `850 ms`, `12.3 s`. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value < 1) return `${(value * 1000).toFixed(value < 0.01 ? 1 : 0)} µs`;
  if (value < 100) return `${value.toFixed(1)} ms`;
  if (value < 1000) return `${Math.round(value)} ms`;
  return `${(value / 1000).toFixed(value < 100_000 ? 2 : 0)} s`;
}

/** Plain count with thousands separators; `digits` decimals for small values. */
export function num(value: number, digits = 0): string {
  return Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-';
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : '-';
}

export function mb(value: number): string {
  return `${Math.round(value)} MB`;
}

/** `median (min-max)` with any unit formatter. */
export function cell(summary: Summary | undefined, unit: (v: number) => string = ms): string {
  if (!summary || summary.n === 0) return '-';
  if (summary.n === 1) return unit(summary.median);
  return `${unit(summary.median)} (${unit(summary.min)}–${unit(summary.max)})`;
}

/** A Markdown table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
