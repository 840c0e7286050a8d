// One typed event map for everything a run says: it feeds the event log, the progress display and the UI stream.
import { EventEmitter } from 'node:events';
import type { SerializedError } from '../errors.js';
import type { RunEvent, RunStatus } from '../store/records.js';

/** Payloads of each event type. */
export interface RunEventMap {
  run_started: { assetKeys: string[]; selection: string };
  run_succeeded: { durationMs: number };
  run_failed: { durationMs: number; failed: string[]; error?: SerializedError };
  run_canceled: { durationMs: number };
  asset_started: { attempt: number };
  asset_retrying: { attempt: number; delayMs: number; error: SerializedError };
  asset_succeeded: { durationMs: number; rowCount: number | null; dataVersion: string | null; attempts: number };
  asset_failed: { durationMs: number; attempts: number; error: SerializedError };
  asset_skipped: { reason: string; failedUpstream: string[] };
  asset_not_executed: { reason: string };
  asset_checked: { stage: 'staged' | 'published'; passed: number; failed: number; warned: number; results: CheckSummaryItem[] };
  asset_log: Record<string, unknown>;
}

/** One check's outcome as carried by an `asset_checked` event (samples stay in the store). */
export interface CheckSummaryItem {
  checkName: string;
  checkType: string;
  passed: boolean;
  severity: 'warn' | 'error';
  blocking: boolean;
  failingCount: number;
  totalCount: number;
  failingPercent: number;
  error?: string;
}

export type RunEventType = keyof RunEventMap;

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

/**
 * In-process broadcast of stored run events (the progress display and the UI's live stream subscribe).
 * @example bus.on('event', (event) => console.log(event.type));
 */
export class RunEventBus extends EventEmitter<{ event: [RunEvent]; status: [{ runId: string; status: RunStatus }] }> {}
