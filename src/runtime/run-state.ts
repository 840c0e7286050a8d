// The one projection of a run's events into its state: per-asset steps (status, times, attempts, rows, error).
import type { RunEvent } from '../model/run-event.js';
import type { RunStatus, RunSummary, StepStatus } from '../store/records.js';
import { FINAL_RUN_STATUSES } from './run-events.js';

/** One planned asset of a run, as the API and the UI show it. */
export interface RunStep {
  assetKey: string;
  status: StepStatus;
  startedAt: string | null;
  endedAt: string | null;
  attempts: number;
  rowCount: number | null;
  error: string | null;
}

/** A step plus what a live display wants: whether it is between attempts and how long it took. */
export interface StepState extends RunStep {
  retrying: boolean;
  durationMs: number | null;
}

/**
 * Folds a run's events, in order, into per-asset steps. The server's run detail, the CLI's progress
 * display, the registry of active runs and the automation daemon all read runs through this one fold.
 * @example
 * const state = new RunState(run.assetKeys);
 * for (const event of events) state.apply(event);
 * state.close(run); // a run that ended leaves no step running
 * state.steps.get('silver/flights')?.status // 'succeeded'
 */
export class RunState {
  readonly steps = new Map<string, StepState>();
  /** The run's status, once a run-level event said it (null before `run_started`). */
  status: RunStatus | null = null;

  constructor(assetKeys: readonly string[] = []) {
    for (const key of assetKeys) this.addStep(key);
  }

  /** Applies one event; events of assets outside the plan are ignored. */
  apply(event: RunEvent): void {
    switch (event.type) {
      case 'run_started':
        this.status = 'started';
        for (const key of event.data.assetKeys) if (!this.steps.has(key)) this.addStep(key);
        return;
      case 'run_succeeded':
        this.status = 'succeeded';
        return;
      case 'run_failed':
        this.status = 'failed';
        return;
      case 'run_canceled':
        this.status = 'canceled';
        return;
    }
    const step = event.assetKey === null ? undefined : this.steps.get(event.assetKey);
    if (!step) return;
    switch (event.type) {
      case 'asset_started':
        step.status = 'running';
        step.retrying = false;
        step.startedAt ??= event.ts;
        step.attempts = numberOr(event.data.attempt, step.attempts + 1);
        return;
      case 'asset_retrying':
        step.retrying = true;
        step.error = messageOf(event.data.error);
        return;
      case 'asset_succeeded':
        step.status = 'succeeded';
        step.retrying = false;
        step.endedAt = event.ts;
        step.rowCount = typeof event.data.rowCount === 'number' ? event.data.rowCount : null;
        step.attempts = numberOr(event.data.attempts, step.attempts);
        step.durationMs = numberOr(event.data.durationMs, 0);
        step.error = null;
        return;
      case 'asset_failed':
        step.status = 'failed';
        step.retrying = false;
        step.endedAt = event.ts;
        step.attempts = numberOr(event.data.attempts, step.attempts);
        step.durationMs = numberOr(event.data.durationMs, 0);
        step.error = messageOf(event.data.error) ?? event.message;
        return;
      case 'asset_skipped':
        step.status = 'skipped';
        step.endedAt = event.ts;
        step.error = event.message;
        return;
      case 'asset_not_executed':
        step.status = event.data.reason === 'canceled' ? 'canceled' : 'not_executed';
        step.retrying = false;
        if (step.startedAt !== null) step.endedAt = event.ts;
        return;
    }
  }

  /** Keys of the assets being built right now. */
  building(): string[] {
    return [...this.steps.values()].filter((s) => s.status === 'running').map((s) => s.assetKey);
  }

  /**
   * Closes the steps a run left open when it ended, so nothing shows as running: canceled in a canceled
   * run; in a failed run (a crash) failed with the run's error if it had started, not executed if it had not.
   */
  close(run: Pick<RunSummary, 'status' | 'endedAt' | 'error'>): void {
    if (!FINAL_RUN_STATUSES.has(run.status)) return;
    this.status = run.status;
    for (const step of this.steps.values()) {
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

  /** The steps in plan order, as the API returns them. */
  runSteps(): RunStep[] {
    return [...this.steps.values()].map(({ retrying: _retrying, durationMs: _durationMs, ...step }) => step);
  }

  private addStep(key: string): void {
    this.steps.set(key, {
      assetKey: key,
      status: 'pending',
      startedAt: null,
      endedAt: null,
      attempts: 0,
      rowCount: null,
      error: null,
      retrying: false,
      durationMs: null,
    });
  }
}

/**
 * A stored run's steps, folded from its event log alone.
 * @example deriveSteps(run, events).find((s) => s.assetKey === 'silver/flights')?.status // 'succeeded'
 */
export function deriveSteps(run: Pick<RunSummary, 'assetKeys' | 'status' | 'endedAt' | 'error'>, events: readonly RunEvent[]): RunStep[] {
  const state = new RunState(run.assetKeys);
  // Only the planned assets are steps, even if the log's run_started said more (it never does).
  for (const event of events) if (event.type !== 'run_started') state.apply(event);
  state.close(run);
  return state.runSteps();
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function messageOf(error: unknown): string | null {
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string')
    return (error as { message: string }).message;
  return null;
}
