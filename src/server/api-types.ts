// The JSON shapes of the HTTP API, shared by the server and the UI (type-only: no runtime code).

import type { AssetStatus, ColumnSchema, MaterializationRecord, RunStatus, RunSummary } from '../store/records.js';
import type { RunEvent } from '../model/run-event.js';
import type { RunStep } from '../runtime/run-state.js';

export type { AssetStatus, ColumnSchema, MaterializationRecord, RunStatus, RunSummary, StepStatus } from '../store/records.js';
export type { RunEvent } from '../model/run-event.js';
export type { RunStep } from '../runtime/run-state.js';

export interface CheckSummary {
  passed: number;
  warned: number;
  failed: number;
}

export interface AssetSummary {
  key: string;
  group: string;
  kind: 'table' | 'view';
  deps: string[];
  description: string | null;
  owners: string[];
  tags: Record<string, string>;
  status: AssetStatus;
  lastMaterialization: MaterializationRecord | null;
  checks: CheckSummary;
  /** Why the asset is stale or failed, in plain words (absent when fresh, never or running). */
  statusReason?: string;
}

/** A materialization as the asset list shows it: without its SQL and metadata (statistics, input versions), which are
 * most of a record's size (~18 MB of list at 10,000 materialized assets instead of ~6 MB) and are on the asset's page. */
export type MaterializationSummary = Omit<MaterializationRecord, 'sql' | 'metadata'>;

/** One asset of GET /api/assets: its summary with the latest materialization summarized. */
export interface AssetListItem extends Omit<AssetSummary, 'lastMaterialization'> {
  lastMaterialization: MaterializationSummary | null;
}

/** GET /api/assets */
export interface AssetsResponse {
  assets: AssetListItem[];
}
/** The latest result of one check of an asset. */
export interface CheckResultView {
  checkName: string;
  checkType: string;
  assetKey: string;
  passed: boolean;
  severity: 'warn' | 'error';
  blocking: boolean;
  failingCount: number;
  totalCount: number;
  failingPercent: number;
  /** Failing rows (key and checked columns); empty unless the caller may see the asset's data. */
  sampleFailing: Record<string, unknown>[];
  /** Why the check could not run, if it could not. */
  error: string | null;
  runId: string;
  /** `staged`: checked before publishing in a run; `published`: by `sluice check`. */
  stage: 'staged' | 'published';
  createdAt: string;
}

/** One check defined on an asset. */
export interface CheckDefinitionView {
  name: string;
  /** not_null, unique, accepted_values, accepted_range, relationships, row_count, freshness, reconciliation, custom_sql */
  type: string;
  severity: 'warn' | 'error';
  /** Whether a failure stops the publish and skips everything downstream. */
  blocking: boolean;
  /** What the check asserts, in one line: `n between 0 and 3`, `origin exists in silver/airports.iata`. */
  assertion: string;
  /** The author's description, if any. */
  description: string | null;
  /** Tolerated failing rows; null when one failing row fails the check (always null for aggregate checks). */
  threshold: { maxFailingRows?: number; maxFailingPercent?: number } | null;
}
/** A defined check and its latest result. */
export interface AssetCheckView extends CheckDefinitionView {
  /** The latest result, or null when the check has not run since it was defined ("not run yet"). */
  latest: CheckResultView | null;
}
/** GET /api/assets/:schema/:name */
export interface AssetDetailResponse {
  asset: AssetSummary;
  materializations: MaterializationRecord[];
  columns: ColumnSchema[];
  /** Every check defined on the asset, in definition order, with its latest result (null until it first runs). */
  checks: AssetCheckView[];
  /** Each output column's direct upstream columns, as `asset.column (transform)`; absent when it cannot be analysed. */
  columnLineage?: { method: 'sql' | 'declared' | 'none'; note?: string; columns: Record<string, string[]> };
  /** Sensitivity tags per column, declared on it or inherited through column lineage (`from`: the tagged source columns). */
  sensitivity?: Record<string, { tags: string[]; from: string[] }>;
}
/** GET /api/assets/:schema/:name/preview?limit=N */
export interface PreviewResponse {
  columns: string[];
  rows: Record<string, unknown>[];
}
/** GET /api/lineage */
export interface LineageResponse {
  nodes: { key: string; group: string; kind: 'table' | 'view'; status: AssetStatus; statusReason?: string; checks?: CheckSummary }[];
  edges: { from: string; to: string }[];
}
/** GET /api/runs */
export interface RunsResponse {
  runs: RunSummary[];
}
/** GET /api/runs/:id */
export interface RunDetailResponse {
  run: RunSummary;
  steps: RunStep[];
  events: RunEvent[];
}
/** POST /api/runs body */
export interface LaunchRunRequest {
  select?: string;
  /** How many assets may build at once (default: the project's setting). */
  concurrency?: number;
  /** The partition to build, required when the selection holds partitioned assets. */
  partition?: string;
}
/** POST /api/runs, /api/runs/:id/reexecute */
export interface LaunchRunResponse {
  runId: string;
}
/** POST /api/runs/:id/reexecute body (optional) */
export interface ReexecuteRunRequest {
  concurrency?: number;
}
/** POST /api/runs/:id/cancel: `canceled` is false when the run had already ended (nothing to cancel). */
export interface CancelRunResponse {
  runId: string;
  canceled: boolean;
  status: RunStatus;
}
/** POST /api/query body: one SQL statement run against the warehouse. */
export interface QueryRequest {
  sql: string;
}
/** POST /api/query */
export interface QueryResponse {
  columns: string[];
  rows: Record<string, unknown>[];
  /** Present when the result had more rows than the cap (10,000): only the first ones are in `rows`. */
  truncated?: true;
}
/**
 * GET /api/stream[?runId=ID&after=EVENT_ID]: Server-Sent Events.
 * `run-event` carries a RunEvent (SSE id = event id), `run-status` a RunSummary, `heartbeat` the server time.
 * With `runId`, only that run's messages are sent, starting with its stored events after `after` (default 0).
 */
export type StreamEventName = 'run-event' | 'run-status' | 'heartbeat';
/** POST /api/checks body: the assets whose checks to evaluate on their published tables (default `*`). */
export interface RunChecksRequest {
  select?: string;
}
/**
 * POST /api/checks: what `sluice check` prints. `status` is `failed` when an error-severity check failed;
 * `results` are the checks evaluated (assets not published yet are skipped).
 */
export interface RunChecksResponse {
  runId: string;
  status: RunStatus;
  results: CheckRunResultItem[];
}
/** One evaluated check in a RunChecksResponse; failing samples are empty unless the caller may see the asset's data. */
export interface CheckRunResultItem extends Omit<CheckResultView, 'runId' | 'stage' | 'createdAt' | 'error'> {
  /** The summary SQL that was run. */
  sql: string;
  durationMs: number;
  /** Set when the check could not run (bad column, missing table); it then counts as failed. */
  error?: { name: string; message: string; code?: string; stack?: string };
}
/** Any error: HTTP 4xx/5xx */
export interface ApiErrorResponse {
  error: { code: string; message: string };
}
