// One client of a Sluice project, two transports: in this process (it owns the warehouse) or over HTTP (a server owns it).
import type { AssetExport } from '../access/export/parquet-export.js';
import type { BackfillProgress } from '../automation/backfill.js';
import type { ProjectColumnLineage } from '../lineage/project-column-lineage.js';
import type { RunEvent } from '../model/run-event.js';
import type { LoadedProject } from '../runtime/project-loader.js';
import type { MaterializeResult } from '../runtime/sluice.js';
import type {
  AssetDetailResponse,
  AssetListItem,
  MaterializationRecord,
  QueryResponse,
  RunChecksResponse,
  RunDetailResponse,
  RunSummary,
} from '../server/api-types.js';
import type { BackfillRecord } from '../store/metadata-store.js';

/** A run to start: a selection, or the unfinished part of an earlier run. */
export interface RunRequest {
  select?: string;
  /** Re-run what did not succeed in this failed or canceled run. */
  retryOf?: string;
  concurrency?: number;
  partition?: string;
}

/** A range of partitions to build, one run each (or every missing one). */
export interface BackfillRequest {
  select: string;
  from?: string;
  to?: string;
  missingOnly?: boolean;
}

/** A backfill as the API shows it: its record, and `interrupted` when its process died. */
export type BackfillView = BackfillRecord & { state?: string };

/** What a backfill reports while it runs. */
export interface BackfillListener {
  /** Once, when the backfill is recorded: its id, size, what was done before (a resumed one), and where it runs. */
  onStart(start: { backfillId: string; total: number; done: number; server: string | undefined }): void;
  /** Each partition that started or ended. */
  onProgress(progress: BackfillProgress): void;
  /** Stops the backfill after the current partition (a local one; a server's backfill runs on). */
  signal?: AbortSignal;
}

/** A run that was submitted and recorded. */
export interface SubmittedRun {
  runId: string;
  /** The planned assets, in plan order. */
  assetKeys: string[];
  /** The server the run was submitted to; undefined when it runs in this process. */
  server: string | undefined;
  /** Calls `onEvent` with each of the run's events, from its first, and resolves with its outcome when it ends. */
  follow(onEvent: (event: RunEvent) => void): Promise<MaterializeResult>;
  /** Asks the run to stop (published tables stay as they were). */
  cancel(): Promise<void>;
}

/** What `sluice export` asks for: a selection, an absolute target folder, and optionally a partition column. */
export interface ExportRequest {
  select: string;
  to: string;
  partitionBy?: string;
}

/** The assets an export wrote, each with its manifest. */
export interface ExportResponse {
  exports: AssetExport[];
}

/**
 * What every CLI command needs of a project, written once: `LocalClient` opens the project in this process,
 * `HttpClient` talks to the `sluice dev` (or `--url` server) that owns it. Both answer with the API's shapes.
 * @example
 * const client = await openClient({ project: 'examples/flights' });
 * try { console.log((await client.assets()).length); } finally { await client.close(); }
 */
export interface SluiceClient {
  /**
   * The project's definitions (read from the project folder); through a server, narrowed to the assets the
   * server lets this caller see.
   */
  project(): Promise<LoadedProject>;
  /**
   * Output about the project made fit for this caller, as the server narrows its own answers: through a server
   * that hides assets from it, entries about a hidden asset are dropped and any text mentioning one (or its
   * columns) has the mention replaced; in process, unchanged.
   */
  redact<T>(value: T): Promise<T>;
  /** Every asset with its status and last materialization (GET /api/assets). */
  assets(): Promise<AssetListItem[]>;
  /** One asset with its latest `history` materializations (GET /api/assets/:schema/:name). */
  asset(key: string, history: number): Promise<AssetDetailResponse>;
  /** An asset's latest `limit` materializations, newest first (a server returns at most 1,000). */
  materializations(key: string, limit: number): Promise<MaterializationRecord[]>;
  /** Column lineage of `keys` (default every asset), against the warehouse's current columns. */
  columnLineage(keys?: string[]): Promise<ProjectColumnLineage>;
  runs(limit: number): Promise<RunSummary[]>;
  run(runId: string): Promise<RunDetailResponse>;
  submit(request: RunRequest): Promise<SubmittedRun>;
  /** One read-only statement through the governed reader (POST /api/query): the caller's policies, a 10,000-row cap. */
  query(sql: string): Promise<QueryResponse>;
  /** One hand change of the warehouse by an admin (POST /api/warehouse/change): never a published asset's DROP/ALTER/REPLACE. */
  change(sql: string): Promise<void>;
  /** Builds a range of partitions and resolves with the backfill when it has ended. */
  backfill(request: BackfillRequest, listener: BackfillListener): Promise<BackfillView>;
  /** Recent backfills, newest first. */
  backfills(): Promise<BackfillView[]>;
  /** Evaluates the checks of a selection on the published tables (POST /api/checks). */
  checks(select: string): Promise<RunChecksResponse>;
  /** Writes the selected assets as Hive-partitioned Parquet, each read through the governed path (POST /api/exports). */
  exportAssets(request: ExportRequest): Promise<ExportResponse>;
  close(): Promise<void>;
}
