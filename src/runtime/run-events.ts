// The run event bus and the levels events are logged at; the event union itself lives in model/run-event.ts.
import { EventEmitter } from 'node:events';
import type { RunEvent, RunEventType } from '../model/run-event.js';
import type { RunStatus } from '../store/records.js';

export type { CheckSummaryItem, RunEvent, RunEventMap, RunEventType } from '../model/run-event.js';

/** Level each event is logged at unless it says otherwise. */
export const EVENT_LEVELS: Record<RunEventType, RunEvent['level']> = {
  run_started: 'info',
  run_succeeded: 'info',
  run_failed: 'error',
  run_canceled: 'warn',
  asset_started: 'info',
  asset_retrying: 'warn',
  asset_succeeded: 'info',
  asset_failed: 'error',
  asset_skipped: 'warn',
  asset_not_executed: 'warn',
  asset_checked: 'info',
  asset_log: 'info',
};

/** Terminal run statuses. */
export const FINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'canceled']);

/** A run's status change, as the bus announces it. */
export interface RunStatusChange {
  runId: string;
  status: RunStatus;
}

/**
 * In-process broadcast of stored run events (the progress display, the UI's live stream, OpenLineage subscribe).
 * @example bus.on('event', (event) => console.log(event.type));
 */
export class RunEventBus extends EventEmitter<{ event: [RunEvent]; status: [RunStatusChange] }> {}
