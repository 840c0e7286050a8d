// The runs-and-events role of the metadata store: run lifecycle and each run's structured event log.
import type { SerializedError } from '../errors.js';
import type { RunEvent, RunStatus, RunSummary } from './records.js';

/** A new run as the runtime creates it. */
export interface NewRun {
  id: string;
  selection: string;
  assetKeys: readonly string[];
  /** Set when this run re-executes another one. */
  parentRunId?: string;
}

/** An event to append to a run's log. */
export interface NewRunEvent {
  runId: string;
  type: string;
  assetKey?: string;
  level: RunEvent['level'];
  message: string;
  data?: Record<string, unknown>;
}

/** Filters for listing runs. */
export interface ListRunsOptions {
  limit?: number;
  status?: RunStatus;
}

/** Which process runs a run, so a later process can tell a crashed run from a live one. */
export interface RunOwner {
  pid: number;
  host: string;
}

/**
 * Runs and their event logs. Writes are durable when the promise resolves.
 * @example
 * await store.createRun({ id: 'r1', selection: '*', assetKeys: ['silver/flights'] });
 * await store.setRunStatus('r1', 'started');
 */
export interface RunStore {
  createRun(run: NewRun): Promise<RunSummary>;
  setRunStatus(runId: string, status: RunStatus, error?: SerializedError): Promise<void>;
  getRun(runId: string): Promise<RunSummary | undefined>;
  listRuns(options?: ListRunsOptions): Promise<RunSummary[]>;
  /** Marks runs owned by processes that no longer exist as failed; returns their ids. */
  failAbandonedRuns(isOwnerAlive: (owner: RunOwner) => boolean): Promise<string[]>;
  appendEvent(event: NewRunEvent): Promise<RunEvent>;
  /** Appends several events at once (one commit), in the order given; returns them as stored, in that order. */
  appendEvents(events: readonly NewRunEvent[]): Promise<RunEvent[]>;
  listEvents(runId: string, afterId?: number): Promise<RunEvent[]>;
  /** Time (ISO) of each asset's latest failed attempt. */
  latestAssetFailures(): Promise<Map<string, string>>;
}

/** The message stored on a run whose process died before it finished. */
export const ABANDONED_RUN_ERROR: SerializedError = {
  name: 'AbandonedRunError',
  message: 'the process running this run stopped before it finished (killed or crashed); re-run it with `sluice materialize --retry-failed RUN_ID`',
};
