// Display formatting for durations, times and numbers, shared by every page.
import type { RunSummary } from '../../src/server/api-types';

/**
 * A compact duration: `850 ms`, `12.4 s`, `3 m 05 s`, `2 h 10 m`.
 * @example formatDuration(185000) // '3 m 05 s'
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} m ${String(Math.floor(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} m`;
}

/** A local date and time, to the second. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** A local time of day with milliseconds, for event logs. */
export function formatClock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const time = date.toLocaleTimeString(undefined, { hour12: false, hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return `${time}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * How long ago, in words.
 * @example formatAgo(new Date(Date.now() - 90_000).toISOString()) // '2 min ago'
 */
export function formatAgo(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return 'never';
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return iso;
  const seconds = Math.round((now - then) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${hours} h ago`;
  return `${Math.round(hours / 24)} d ago`;
}

/** An integer with thousands separators, or a dash. */
export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : value.toLocaleString();
}

/** Milliseconds between two ISO times, or until `now` when the end is still open. */
export function spanMs(startIso: string | null, endIso: string | null, now: number = Date.now()): number | null {
  if (!startIso) return null;
  const start = new Date(startIso).getTime();
  const end = endIso ? new Date(endIso).getTime() : now;
  return Number.isNaN(start) || Number.isNaN(end) ? null : Math.max(0, end - start);
}

/** Whether a run can still change (and so should tick and accept Cancel). */
export function isRunActive(run: RunSummary): boolean {
  return run.status === 'queued' || run.status === 'started';
}

/** Any value from a preview row or metadata, as short readable text. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * A number to sensible precision: integers with thousands separators, fractions to 3 significant digits
 * (at least 1 decimal, at most 2 for values of 100 and more).
 * @example formatNumber(0.46321321321321324) // '0.463'
 * @example formatNumber(1234.5678) // '1,234.57'
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString();
  const magnitude = Math.abs(value);
  const decimals =
    magnitude >= 100 ? 2 : magnitude >= 1 ? Math.max(1, 3 - Math.floor(Math.log10(magnitude)) - 1) : Math.min(6, 2 - Math.floor(Math.log10(magnitude)));
  return value.toLocaleString(undefined, { minimumFractionDigits: 0, maximumFractionDigits: decimals });
}

/** A cell value for tables: numbers to sensible precision, everything else as `formatCell` shows it. */
export function formatValue(value: unknown): string {
  return typeof value === 'number' ? formatNumber(value) : formatCell(value);
}
