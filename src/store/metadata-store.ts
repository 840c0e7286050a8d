// The interface of the metadata store (runs, event log, materializations); SQLite and PostgreSQL implement it.
import type { SerializedError } from '../errors.js';
import type { CheckResult } from '../checks/run-check.js';
import type { ColumnSchema, MaterializationRecord, RunEvent, RunStatus, RunSummary } from '../server/api-types.js';

export type { ColumnSchema, MaterializationRecord, RunEvent, RunStatus, RunSummary };

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

/** A materialization to record. */
export interface NewMaterialization {
  runId: string;
  assetKey: string;
  partition?: string;
  rowCount: number | null;
  durationMs: number;
  codeVersion: string | null;
  dataVersion: string | null;
  schema: ColumnSchema[];
  sql: string | null;
  metadata: Record<string, unknown>;
}

/** Where a check ran: on the staged table before the publish, or on the published one (`sluice check`). */
export type CheckStage = 'staged' | 'published';

/** A check result as stored, with its run and time. */
export interface StoredCheckResult extends CheckResult {
  id: number;
  runId: string;
  stage: CheckStage;
  createdAt: string;
}

/** Filters for listing runs. */
export interface ListRunsOptions {
  limit?: number;
  status?: RunStatus;
}

/** What every metadata store offers. Writes are durable when the promise resolves. */
export interface MetadataStore {
  createRun(run: NewRun): Promise<RunSummary>;
  setRunStatus(runId: string, status: RunStatus, error?: SerializedError): Promise<void>;
  getRun(runId: string): Promise<RunSummary | undefined>;
  listRuns(options?: ListRunsOptions): Promise<RunSummary[]>;
  /** Marks runs owned by processes that no longer exist as failed; returns their ids. */
  failAbandonedRuns(isOwnerAlive: (owner: RunOwner) => boolean): Promise<string[]>;
  appendEvent(event: NewRunEvent): Promise<RunEvent>;
  listEvents(runId: string, afterId?: number): Promise<RunEvent[]>;
  recordMaterialization(materialization: NewMaterialization): Promise<MaterializationRecord>;
  /** Latest materialization per asset (and partition-less), keyed by asset key. */
  latestMaterializations(): Promise<Map<string, MaterializationRecord>>;
  materializationHistory(assetKey: string, limit?: number): Promise<MaterializationRecord[]>;
  /** Stores the results of one evaluation of an asset's checks. */
  recordCheckResults(runId: string, results: readonly CheckResult[], stage: CheckStage): Promise<void>;
  /** The latest result of every check, optionally of one asset. */
  latestCheckResults(assetKey?: string): Promise<StoredCheckResult[]>;
  /** Results of one run. */
  runCheckResults(runId: string): Promise<StoredCheckResult[]>;
  /** Partition keys of an asset that have been materialized at least once. */
  materializedPartitions(assetKey: string): Promise<Set<string>>;
  /** Time (ISO) of each asset's latest failed attempt. */
  latestAssetFailures(): Promise<Map<string, string>>;
  close(): Promise<void>;
}

/** Which process runs a run, so a later process can tell a crashed run from a live one. */
export interface RunOwner {
  pid: number;
  host: string;
}
