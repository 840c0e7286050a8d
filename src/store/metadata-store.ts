// The interface of the metadata store (runs, event log, materializations); SQLite and PostgreSQL implement it.
import type { SerializedError } from '../errors.js';
import type { CheckResult } from '../checks/run-check.js';
import type { ColumnSchema, MaterializationRecord, RunEvent, RunStatus, RunSummary } from './records.js';

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
export interface NewMaterialization extends Omit<MaterializationRecord, 'id' | 'createdAt' | 'partition'> {
  partition?: string;
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
  /** Persisted state of every schedule, sensor and asset condition that has any. */
  automationStates(): Promise<AutomationState[]>;
  /** Turns a schedule, sensor or asset condition on or off (overrides its definition's default). */
  setAutomationEnabled(name: string, kind: AutomationKind, enabled: boolean): Promise<void>;
  /** Saves a cursor and/or the last tick or run; fields left undefined keep their value. */
  saveAutomationCursor(name: string, kind: AutomationKind, update: AutomationCursorUpdate): Promise<void>;
  /** Records one evaluation: what was decided, and why. */
  recordEvaluation(evaluation: NewEvaluation): Promise<EvaluationRecord>;
  /** Latest evaluations first, optionally of one name. */
  listEvaluations(options?: { name?: string; limit?: number }): Promise<EvaluationRecord[]>;
  createBackfill(backfill: NewBackfill): Promise<BackfillRecord>;
  getBackfill(id: string): Promise<BackfillRecord | undefined>;
  /** Latest first. */
  listBackfills(limit?: number): Promise<BackfillRecord[]>;
  setBackfillPartition(id: string, partition: string, status: BackfillPartitionStatus, runId?: string): Promise<void>;
  /** Sets the status; `running` also records this process as the owner (a resumed backfill). */
  setBackfillStatus(id: string, status: BackfillStatus, error?: SerializedError): Promise<void>;
  close(): Promise<void>;
}

/** Which process runs a run, so a later process can tell a crashed run from a live one. */
export interface RunOwner {
  pid: number;
  host: string;
}

/** What the automation daemon runs: schedules, sensors and per-asset conditions (named by asset key). */
export type AutomationKind = 'schedule' | 'sensor' | 'asset';

/** Persisted state of one schedule, sensor or asset condition; it survives daemon restarts. */
export interface AutomationState {
  name: string;
  kind: AutomationKind;
  /** Set by `sluice automation on|off`; null means the definition's default. */
  enabled: boolean | null;
  /** The sensor's or condition's own progress marker (JSON text), e.g. files seen or the last landed event. */
  cursor: string | null;
  /** ISO time of the newest schedule tick handled (launched or deliberately skipped). */
  lastTickAt: string | null;
  lastRunId: string | null;
  updatedAt: string;
}

/** A partial update of an automation's state. */
export interface AutomationCursorUpdate {
  cursor?: string | null;
  lastTickAt?: string | null;
  lastRunId?: string | null;
}

/** One decision of the daemon about one schedule, sensor or asset. */
export interface NewEvaluation {
  name: string;
  kind: AutomationKind;
  launched: boolean;
  /** Why it launched or did not, in plain words. */
  reason: string;
  runId?: string;
  data?: Record<string, unknown>;
}

/** A stored evaluation. */
export interface EvaluationRecord {
  id: number;
  ts: string;
  name: string;
  kind: AutomationKind;
  launched: boolean;
  reason: string;
  runId: string | null;
  data: Record<string, unknown>;
}

export type BackfillStatus = 'running' | 'succeeded' | 'failed' | 'canceled';
export type BackfillPartitionStatus = 'pending' | 'succeeded' | 'failed';

/** A backfill to record: a selection over a range of partitions, done one partition per run. */
export interface NewBackfill {
  id: string;
  selection: string;
  fromKey: string;
  toKey: string;
  partitions: readonly string[];
}

/** A stored backfill with the state of each of its partitions, in order. */
export interface BackfillRecord {
  id: string;
  selection: string;
  fromKey: string;
  toKey: string;
  status: BackfillStatus;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
  error: SerializedError | null;
  /** The process working on it (to tell an interrupted backfill from a live one). */
  owner: RunOwner;
  partitions: { key: string; status: BackfillPartitionStatus; runId: string | null; endedAt: string | null }[];
}
