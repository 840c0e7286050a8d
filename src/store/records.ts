// The records Sluice keeps about runs and materializations, shared by the store, the runtime and the HTTP API.

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
