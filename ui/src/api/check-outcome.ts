// What each defined check of an asset shows: its outcome (or that it has not run yet), worst first (React-free).
import type { AssetCheckView } from '../../../src/server/api-types';

/** The outcome of a check's latest result; `not-run` until its first result. */
export type CheckOutcome = 'error' | 'failed' | 'warned' | 'not-run' | 'passed';

/** Outcome labels as the page shows them. */
export const OUTCOME_LABELS: Readonly<Record<CheckOutcome, string>> = {
  error: 'error',
  failed: 'failed',
  warned: 'warned',
  'not-run': 'not run yet',
  passed: 'passed',
};

/**
 * The outcome of a check's latest result. A failure is `warned` or `failed` by the severity it ran with.
 * @example checkOutcome({ ...definition, latest: null }) // 'not-run'
 */
export function checkOutcome(check: AssetCheckView): CheckOutcome {
  const { latest } = check;
  if (!latest) return 'not-run';
  if (latest.error) return 'error';
  if (latest.passed) return 'passed';
  return latest.severity === 'warn' ? 'warned' : 'failed';
}

const ORDER: Readonly<Record<CheckOutcome, number>> = { error: 0, failed: 1, warned: 2, 'not-run': 3, passed: 4 };

/**
 * The checks worst first (errors, failures, warnings, not run yet, passed), then by name.
 * @example sortChecks(checks).map((c) => c.name)
 */
export function sortChecks(checks: readonly AssetCheckView[]): AssetCheckView[] {
  return [...checks].sort((a, b) => ORDER[checkOutcome(a)] - ORDER[checkOutcome(b)] || a.name.localeCompare(b.name));
}

/**
 * The failures a check tolerates, in words; empty when a single failing row fails it.
 * @example thresholdText({ maxFailingPercent: 0.1 }) // 'tolerates up to 0.1% failing rows'
 */
export function thresholdText(threshold: AssetCheckView['threshold']): string {
  if (!threshold) return '';
  const limits: string[] = [];
  if (threshold.maxFailingRows !== undefined) limits.push(`${threshold.maxFailingRows} failing row${threshold.maxFailingRows === 1 ? '' : 's'}`);
  if (threshold.maxFailingPercent !== undefined) limits.push(`${threshold.maxFailingPercent}% failing rows`);
  return limits.length > 0 ? `tolerates up to ${limits.join(' and ')}` : '';
}
