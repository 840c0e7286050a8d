// The JSON shapes of the HTTP API, shared by the server and the UI (type-only: no runtime code).

/** Status of an asset in the lineage graph. */
export type AssetStatus = 'fresh' | 'stale' | 'failed' | 'never' | 'running';

/** Lifecycle of a run. */
export type RunStatus = 'queued' | 'started' | 'succeeded' | 'failed' | 'canceled';

/** Outcome of one asset in a run. */
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'not_executed' | 'canceled';

export interface ColumnSchema {
  name: string;
  type: string;
  nullable: boolean;
}

export interface MaterializationRecord {
  id: number;
  runId: string;
  assetKey: string;
  partition: string | null;
  createdAt: string;
  rowCount: number | null;
  durationMs: number;
  codeVersion: string | null;
  dataVersion: string | null;
  schema: ColumnSchema[];
  sql: string | null;
  metadata: Record<string, unknown>;
}

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
}

export interface RunSummary {
  id: string;
  status: RunStatus;
  selection: string;
  assetKeys: string[];
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  error: { name: string; message: string; code?: string } | null;
}

export interface RunEvent {
  id: number;
  runId: string;
  ts: string;
  type: string;
  assetKey: string | null;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  data: Record<string, unknown>;
}

export interface RunStep {
  assetKey: string;
  status: StepStatus;
  startedAt: string | null;
  endedAt: string | null;
  attempts: number;
  rowCount: number | null;
  error: string | null;
}

/** GET /api/assets */
export interface AssetsResponse {
  assets: AssetSummary[];
}
/** GET /api/assets/:schema/:name */
export interface AssetDetailResponse {
  asset: AssetSummary;
  materializations: MaterializationRecord[];
  columns: ColumnSchema[];
}
/** GET /api/assets/:schema/:name/preview?limit=N */
export interface PreviewResponse {
  columns: string[];
  rows: Record<string, unknown>[];
}
/** GET /api/lineage */
export interface LineageResponse {
  nodes: { key: string; group: string; kind: 'table' | 'view'; status: AssetStatus }[];
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
}
/** POST /api/runs, /api/runs/:id/reexecute */
export interface LaunchRunResponse {
  runId: string;
}
/** Any error: HTTP 4xx/5xx */
export interface ApiErrorResponse {
  error: { code: string; message: string };
}
