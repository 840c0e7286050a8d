// A run's per-asset steps (status, times, attempts, rows), derived from its event log alone (pure).
import { FINAL_RUN_STATUSES } from '../runtime/run-events.js';
import type { RunEvent, RunStep, RunSummary } from './api-types.js';

/**
 * One step per planned asset, in plan order, folded from the run's events. A step still open when the
 * run ended is closed, so the UI never shows it running: canceled in a canceled run; in a failed run
 * (a crash) failed with the run's error if it had started, not executed if it had not.
 * @example deriveSteps(run, events).find((s) => s.assetKey === 'silver/flights')?.status // 'succeeded'
 */
export function deriveSteps(run: Pick<RunSummary, 'assetKeys' | 'status' | 'endedAt' | 'error'>, events: readonly RunEvent[]): RunStep[] {
  const steps = new Map<string, RunStep>(
    run.assetKeys.map((key) => [key, { assetKey: key, status: 'pending', startedAt: null, endedAt: null, attempts: 0, rowCount: null, error: null }]),
  );
  for (const event of events) {
    const step = event.assetKey === null ? undefined : steps.get(event.assetKey);
    if (step) apply(step, event);
  }
  if (FINAL_RUN_STATUSES.has(run.status)) {
    for (const step of steps.values()) {
      if (step.status !== 'pending' && step.status !== 'running') continue;
      const started = step.status === 'running';
      if (started) step.endedAt = run.endedAt;
      if (run.status === 'canceled') step.status = 'canceled';
      else if (started && run.status === 'failed') {
        step.status = 'failed';
        step.error = run.error?.message ?? 'the run stopped while this asset was building';
      } else step.status = 'not_executed';
    }
  }
  return [...steps.values()];
}

function apply(step: RunStep, event: RunEvent): void {
  const data = event.data;
  switch (event.type) {
    case 'asset_started':
      step.status = 'running';
      step.startedAt ??= event.ts;
      step.attempts = numberOr(data.attempt, step.attempts + 1);
      return;
    case 'asset_retrying':
      step.error = errorMessage(data.error);
      return;
    case 'asset_succeeded':
      step.status = 'succeeded';
      step.endedAt = event.ts;
      step.rowCount = typeof data.rowCount === 'number' ? data.rowCount : null;
      step.attempts = numberOr(data.attempts, step.attempts);
      step.error = null;
      return;
    case 'asset_failed':
      step.status = 'failed';
      step.endedAt = event.ts;
      step.attempts = numberOr(data.attempts, step.attempts);
      step.error = errorMessage(data.error) ?? event.message;
      return;
    case 'asset_skipped':
      step.status = 'skipped';
      step.endedAt = event.ts;
      step.error = event.message;
      return;
    case 'asset_not_executed':
      step.status = data.reason === 'canceled' ? 'canceled' : 'not_executed';
      if (step.startedAt !== null) step.endedAt = event.ts;
      return;
  }
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function errorMessage(error: unknown): string | null {
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
  return null;
}
