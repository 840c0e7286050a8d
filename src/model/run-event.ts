// What a run says, as one discriminated union: every consumer narrows on `type` instead of casting `data`.
import type { SerializedError } from '../errors.js';

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

/** Severity of an event in the run's log. */
export type RunEventLevel = 'debug' | 'info' | 'warn' | 'error';

/** What every stored event carries besides its type and payload. */
interface RunEventBase {
  id: number;
  runId: string;
  ts: string;
  assetKey: string | null;
  level: RunEventLevel;
  message: string;
}

/**
 * One stored event of a run. Narrow on `type` to read `data`:
 * @example if (event.type === 'asset_succeeded') console.log(event.data.rowCount);
 */
export type RunEvent = { [T in RunEventType]: RunEventBase & { type: T; data: RunEventMap[T] } }[RunEventType];

/** The event of type `T`. */
export type RunEventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

const TYPES: ReadonlySet<string> = new Set<RunEventType>([
  'run_started',
  'run_succeeded',
  'run_failed',
  'run_canceled',
  'asset_started',
  'asset_retrying',
  'asset_succeeded',
  'asset_failed',
  'asset_skipped',
  'asset_not_executed',
  'asset_checked',
  'asset_log',
]);

/**
 * A stored event record as the union; records of a type this version does not know (written by a newer
 * Sluice) are read as log lines, so nothing downstream meets a type it cannot narrow.
 * @example const events = (await store.listEvents(runId)).map(asRunEvent);
 */
export function asRunEvent(record: RunEventBase & { type: string; data: Record<string, unknown> }): RunEvent {
  return (TYPES.has(record.type) ? record : { ...record, type: 'asset_log', data: { ...record.data, type: record.type } }) as RunEvent;
}
